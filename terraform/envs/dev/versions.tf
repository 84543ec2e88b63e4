terraform {
  # 1.5.7 is the oldest version these files are checked with (the last MPL-licensed release).
  required_version = ">= 1.5.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }

  # Partial configuration: the state bucket and its region are per account, so they come from
  # `terraform init -backend-config=...` (see terraform/README.md). The DynamoDB table locks the
  # state; Terraform 1.5 has no S3-native locking (use_lockfile arrived in 1.10).
  backend "s3" {
    key            = "trainyard/dev/terraform.tfstate"
    encrypt        = true
    dynamodb_table = "trainyard-terraform-locks"
  }
}
