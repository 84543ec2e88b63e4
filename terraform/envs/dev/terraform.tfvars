# Development: one NAT gateway, small database that may be destroyed, GPU capacity parked at
# zero until a training run needs it. Deployment-specific values (Temporal address, namespace and
# credential secret ARNs, the MLflow certificate and hostnames) are not committed:
# pass them as TF_VAR_... (see docs/deploy-aws.md).
environment             = "dev"
region                  = "us-east-1"
vpc_cidr_block          = "10.40.0.0/16"
availability_zone_count = 2
nat_gateway_mode        = "single"

trainyard_image_tag     = "0.1.0"
trainyard_gpu_image_tag = "0.1.0-cu126"
mlflow_image_tag        = "3.17.2"

mlflow_db_instance_class      = "db.t4g.small"
mlflow_db_multi_az            = false
mlflow_db_deletion_protection = false
force_destroy_buckets         = true

# The Spark steps run in-process on the CPU workers: these size the largest step.
cpu_worker_task_cpu    = 4096
cpu_worker_task_memory = 16384
cpu_worker_max_count   = 2

gpu_instance_type    = "g5.xlarge"
gpu_worker_min_count = 0
gpu_worker_max_count = 1

log_retention_days = 30
