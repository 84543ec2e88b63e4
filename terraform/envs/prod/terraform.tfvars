# Production: a NAT gateway per zone, three zones, a Multi-AZ database with deletion protection,
# one GPU worker always up. Deployment-specific values (Temporal address, namespace and the mTLS
# secret ARNs, the MLflow certificate) are not committed: pass them as TF_VAR_... (see terraform/README.md).
environment             = "prod"
region                  = "us-east-1"
vpc_cidr_block          = "10.50.0.0/16"
availability_zone_count = 3
nat_gateway_mode        = "per_az"

trainyard_image_tag     = "0.1.0"
trainyard_gpu_image_tag = "0.1.0-cuda"
mlflow_image_tag        = "3.17.2"

mlflow_db_instance_class      = "db.m7g.large"
mlflow_db_multi_az            = true
mlflow_db_deletion_protection = true
force_destroy_buckets         = false

cpu_worker_max_count = 8
gpu_instance_type    = "g5.2xlarge"
gpu_worker_min_count = 1
gpu_worker_max_count = 4

spark_maximum_cpu    = "128 vCPU"
spark_maximum_memory = "512 GB"

log_retention_days = 365
