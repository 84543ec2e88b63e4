# Shared by every environment: envs/*/main.tf are symlinks to this file. An env differs only in
# versions.tf (its state key) and terraform.tfvars; see terraform/README.md.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "trainyard"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

locals {
  name = "trainyard-${var.environment}"
}

module "storage" {
  source = "../../modules/storage"

  name          = local.name
  force_destroy = var.force_destroy_buckets
}

module "network" {
  source = "../../modules/network"

  name                    = local.name
  cidr_block              = var.vpc_cidr_block
  availability_zone_count = var.availability_zone_count
  nat_gateway_mode        = var.nat_gateway_mode
  kms_key_arn             = module.storage.kms_key_arn
  flow_log_retention_days = var.log_retention_days
}

module "iam" {
  source = "../../modules/iam"

  name                = local.name
  lake_bucket_arn     = module.storage.lake_bucket_arn
  artifact_bucket_arn = module.storage.artifact_bucket_arn
  kms_key_arn         = module.storage.kms_key_arn
}

module "mlflow" {
  source = "../../modules/mlflow"

  name                   = local.name
  vpc_id                 = module.network.vpc_id
  vpc_cidr_block         = module.network.vpc_cidr_block
  private_subnet_ids     = module.network.private_subnet_ids
  s3_prefix_list_id      = module.network.s3_prefix_list_id
  task_role_arn          = module.iam.mlflow_role_arn
  artifact_bucket_name   = module.storage.artifact_bucket_name
  kms_key_arn            = module.storage.kms_key_arn
  image_tag              = var.mlflow_image_tag
  certificate_arn        = var.mlflow_certificate_arn
  hostnames              = var.mlflow_hostnames
  dns_zone_id            = var.mlflow_dns_zone_id
  deletion_protection    = var.mlflow_db_deletion_protection
  force_destroy_logs     = var.force_destroy_buckets
  ui_cidr_blocks         = var.ui_cidr_blocks
  db_instance_class      = var.mlflow_db_instance_class
  db_multi_az            = var.mlflow_db_multi_az
  db_deletion_protection = var.mlflow_db_deletion_protection
  log_retention_days     = var.log_retention_days
}

module "workers" {
  source = "../../modules/workers"

  name               = local.name
  vpc_id             = module.network.vpc_id
  vpc_cidr_block     = module.network.vpc_cidr_block
  private_subnet_ids = module.network.private_subnet_ids
  s3_prefix_list_id  = module.network.s3_prefix_list_id
  task_role_arn      = module.iam.worker_role_arn
  kms_key_arn        = module.storage.kms_key_arn

  temporal_address                  = var.temporal_address
  temporal_namespace                = var.temporal_namespace
  temporal_auth                     = var.temporal_auth
  temporal_tls_cert_secret_arn      = var.temporal_tls_cert_secret_arn
  temporal_tls_key_secret_arn       = var.temporal_tls_key_secret_arn
  temporal_api_key_secret_arn       = var.temporal_api_key_secret_arn
  temporal_tls_server_ca_secret_arn = var.temporal_tls_server_ca_secret_arn
  temporal_tls_server_name          = var.temporal_tls_server_name
  temporal_secrets_kms_key_arn      = var.temporal_secrets_kms_key_arn

  mlflow_tracking_uri           = module.mlflow.tracking_uri
  mlflow_credentials_secret_arn = module.mlflow.workers_secret_arn
  lake_bucket_name              = module.storage.lake_bucket_name
  artifact_bucket_name          = module.storage.artifact_bucket_name

  image_tag          = var.trainyard_image_tag
  gpu_image_tag      = var.trainyard_gpu_image_tag
  cpu_task_cpu       = var.cpu_worker_task_cpu
  cpu_task_memory    = var.cpu_worker_task_memory
  cpu_max_count      = var.cpu_worker_max_count
  gpu_instance_type  = var.gpu_instance_type
  gpu_min_count      = var.gpu_worker_min_count
  gpu_max_count      = var.gpu_worker_max_count
  log_retention_days = var.log_retention_days
}
