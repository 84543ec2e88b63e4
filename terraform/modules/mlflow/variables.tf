variable "name" {
  description = "Name prefix for every resource of this environment, e.g. trainyard-dev."
  type        = string
}

variable "vpc_id" {
  description = "ID of the VPC the tracking server, its load balancer and its database live in."
  type        = string
}

variable "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC: it may reach the internal load balancer, and the tasks reach the interface endpoints in it."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (two or more zones) for the load balancer, the tasks and the database."
  type        = list(string)
}

variable "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint, for the tasks' egress to the artifact bucket."
  type        = string
}

variable "task_role_arn" {
  description = "ARN of the MLflow task role (iam module): read and write the artifact bucket."
  type        = string
}

variable "artifact_bucket_name" {
  description = "Artifact bucket; new experiments store their artifacts under s3://BUCKET/mlflow."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key for the database, its master-password secret, the image repository and the log group."
  type        = string
}

variable "image_tag" {
  description = "Tag of the MLflow server image in this module's ECR repository. The image needs python, mlflow[auth], psycopg2 and boto3."
  type        = string
}

variable "task_cpu" {
  description = "CPU units of the tracking server task (1024 = 1 vCPU)."
  type        = number
  default     = 1024
}

variable "task_memory" {
  description = "Memory of the tracking server task in MiB."
  type        = number
  default     = 2048
}

variable "desired_count" {
  description = "Number of tracking server tasks behind the load balancer."
  type        = number
  default     = 1
}

variable "ui_cidr_blocks" {
  description = "CIDR blocks besides the VPC's that may reach the load balancer (a VPN or office network, for the UI)."
  type        = list(string)
  default     = []
}

variable "certificate_arn" {
  description = "ACM certificate (covering hostnames[0]) of the HTTPS listener; the load balancer serves nothing else (HTTP redirects to HTTPS)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "hostnames" {
  description = "DNS names that point at the load balancer; the first is the tracking URI's host and must be covered by certificate_arn. MLflow rejects requests for any other Host."
  type        = list(string)

  validation {
    condition     = length(var.hostnames) > 0
    error_message = "hostnames must name at least the tracking host (the certificate's name)."
  }
}

variable "dns_zone_id" {
  description = "Route 53 hosted zone (private or public) in which to create an alias record for hostnames[0]; null when you create the record yourself."
  type        = string
  default     = null
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener (TLS 1.3 and 1.2 with forward secrecy by default)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "internal" {
  description = "Whether the load balancer is internal (VPC and ui_cidr_blocks only); false needs public_subnet_ids and, better, a WAF."
  type        = bool
  default     = true
}

variable "public_subnet_ids" {
  description = "Public subnets for an internet-facing load balancer (internal = false only)."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Whether the load balancer refuses deletion (turn off, apply, then destroy)."
  type        = bool
  default     = true
}

variable "force_destroy_logs" {
  description = "Whether destroy may delete the access-log bucket with its logs (throwaway environments only)."
  type        = bool
  default     = false
}

variable "db_instance_class" {
  description = "RDS instance class of the MLflow PostgreSQL database."
  type        = string
  default     = "db.t4g.small"
}

variable "db_engine_version" {
  description = "PostgreSQL version (major, or major.minor) of the database; minor versions upgrade automatically."
  type        = string
  default     = "16"
}

variable "db_allocated_storage_gb" {
  description = "Initial storage of the database in GiB."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling of the database in GiB."
  type        = number
  default     = 100
}

variable "db_multi_az" {
  description = "Whether the database has a standby in a second zone."
  type        = bool
  default     = false
}

variable "db_backup_retention_days" {
  description = "Days of automated database backups (point-in-time recovery window)."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 1 and 35."
  }
}

variable "db_deletion_protection" {
  description = "Whether the database refuses to be deleted (turn off, apply, then destroy)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Days the tracking server's and the load balancer's logs are kept."
  type        = number
  default     = 90
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
