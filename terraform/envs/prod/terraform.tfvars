# Production: a NAT gateway per zone, three zones, a Multi-AZ database with deletion protection,
# one GPU worker always up. Deployment-specific values (Temporal address, namespace and the
# credential secret ARNs, the MLflow certificate and hostnames) are not committed:
# pass them as TF_VAR_... (see docs/deploy-aws.md).
environment             = "prod"
region                  = "us-east-1"
vpc_cidr_block          = "10.50.0.0/16"
availability_zone_count = 3
nat_gateway_mode        = "per_az"

trainyard_image_tag     = "0.1.0"
trainyard_gpu_image_tag = "0.1.0-cu126"
mlflow_image_tag        = "3.17.2"

mlflow_db_instance_class      = "db.m7g.large"
mlflow_db_multi_az            = true
mlflow_db_deletion_protection = true
force_destroy_buckets         = false

# The Spark steps run in-process on the CPU workers: these size the largest step.
cpu_worker_task_cpu    = 8192
cpu_worker_task_memory = 32768
cpu_worker_max_count   = 8

gpu_instance_type    = "g5.2xlarge"
gpu_worker_min_count = 1
gpu_worker_max_count = 4

log_retention_days = 365
