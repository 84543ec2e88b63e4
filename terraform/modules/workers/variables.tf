variable "name" {
  description = "Name prefix for every resource of this environment, e.g. trainyard-dev."
  type        = string
}

variable "vpc_id" {
  description = "ID of the VPC the workers run in."
  type        = string
}

variable "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC: the workers reach the interface endpoints and the MLflow load balancer in it."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the worker tasks and the GPU instances (no public IPs)."
  type        = list(string)
}

variable "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint, for egress to the buckets and to ECR's image layers."
  type        = string
}

variable "task_role_arn" {
  description = "ARN of the workers' task role (iam module): read the lake, publish Spark outputs, write artifacts; the shared-state file system lets it mount."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key for the image repository, the log group, the state file system and the MLflow credentials secret."
  type        = string
}

variable "temporal_address" {
  description = "Temporal frontend as host:port, e.g. NAMESPACE.ACCOUNT.tmprl.cloud:7233 for Temporal Cloud or a self-hosted frontend."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9.-]+:[0-9]{1,5}$", var.temporal_address))
    error_message = "temporal_address must be host:port, e.g. prod.a1b2c.tmprl.cloud:7233."
  }
}

variable "temporal_namespace" {
  description = "Temporal namespace the workers poll."
  type        = string
}

variable "temporal_cidr_blocks" {
  description = "Where the workers may open connections to the Temporal port: anywhere for Temporal Cloud over NAT, or a narrower range for a self-hosted or PrivateLink frontend."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "temporal_auth" {
  description = "How the workers authenticate to Temporal: mtls (client certificate and key) or api_key (a Temporal Cloud API key). TLS is on in both."
  type        = string
  default     = "mtls"

  validation {
    condition     = contains(["mtls", "api_key"], var.temporal_auth)
    error_message = "temporal_auth must be mtls or api_key."
  }
}

variable "temporal_tls_cert_secret_arn" {
  description = "With temporal_auth = mtls: ARN of the Secrets Manager secret holding the client certificate (PEM), injected as TEMPORAL_TLS_CLIENT_CERT_DATA."
  type        = string
  default     = null

  validation {
    condition     = var.temporal_tls_cert_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:", var.temporal_tls_cert_secret_arn))
    error_message = "temporal_tls_cert_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "temporal_tls_key_secret_arn" {
  description = "With temporal_auth = mtls: ARN of the Secrets Manager secret holding the client private key (PEM), injected as TEMPORAL_TLS_CLIENT_KEY_DATA."
  type        = string
  default     = null

  validation {
    condition     = var.temporal_tls_key_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:", var.temporal_tls_key_secret_arn))
    error_message = "temporal_tls_key_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "temporal_api_key_secret_arn" {
  description = "With temporal_auth = api_key: ARN of the Secrets Manager secret holding the Temporal Cloud API key, injected as TEMPORAL_API_KEY."
  type        = string
  default     = null

  validation {
    condition     = var.temporal_api_key_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:", var.temporal_api_key_secret_arn))
    error_message = "temporal_api_key_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "temporal_tls_server_ca_secret_arn" {
  description = "ARN of a Secrets Manager secret with the CA certificate (PEM) that signed a self-hosted frontend's certificate, injected as TEMPORAL_TLS_SERVER_CA_CERT_DATA; null trusts the system CAs (Temporal Cloud)."
  type        = string
  default     = null

  validation {
    condition     = var.temporal_tls_server_ca_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:", var.temporal_tls_server_ca_secret_arn))
    error_message = "temporal_tls_server_ca_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "temporal_tls_server_name" {
  description = "TEMPORAL_TLS_SERVER_NAME: the name to verify the frontend's certificate against when it differs from temporal_address's host; null leaves it unset."
  type        = string
  default     = null
}

variable "temporal_secrets_kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the Temporal secrets; null when they use the AWS-managed aws/secretsmanager key or kms_key_arn."
  type        = string
  default     = null
}

variable "mlflow_credentials_secret_arn" {
  description = "ARN of the Secrets Manager secret (JSON with username and password, encrypted with kms_key_arn) of the workers' MLflow user, injected as MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD."
  type        = string
}

variable "mlflow_tracking_uri" {
  description = "MLflow tracking URI the workers use (mlflow module's tracking_uri)."
  type        = string
}

variable "lake_bucket_name" {
  description = "Data-lake bucket (TRAINYARD_LAKE_BUCKET)."
  type        = string
}

variable "artifact_bucket_name" {
  description = "Artifact bucket (TRAINYARD_ARTIFACT_BUCKET)."
  type        = string
}

variable "image_tag" {
  description = "Tag of the Trainyard worker image (CPU build, image/ in the repository: ./mvnw package writes image/target/trainyard-worker-image.tar) in this module's ECR repository."
  type        = string
}

variable "gpu_image_tag" {
  description = "Tag of the Trainyard GPU image, for the GPU workers: the CPU image plus a layer with CUDA PyTorch and DJL's JNI library built against it, pointed at them offline (image/gpu/build-gpu-image.sh writes image/target/trainyard-worker-gpu-image.tar; docs/gpu-workers.md)."
  type        = string
}

variable "cpu_queues" {
  description = "Task queues the CPU workers poll."
  type        = list(string)
  default     = ["trainyard-control", "trainyard-spark"]

  validation {
    condition     = length(var.cpu_queues) > 0 && alltrue([for q in var.cpu_queues : contains(["trainyard-control", "trainyard-spark", "trainyard-train"], q)])
    error_message = "cpu_queues must name some of trainyard-control, trainyard-spark, trainyard-train."
  }
}

variable "gpu_queues" {
  description = "Task queues the GPU workers poll."
  type        = list(string)
  default     = ["trainyard-train"]

  validation {
    condition     = length(var.gpu_queues) > 0 && alltrue([for q in var.gpu_queues : contains(["trainyard-control", "trainyard-spark", "trainyard-train"], q)])
    error_message = "gpu_queues must name some of trainyard-control, trainyard-spark, trainyard-train."
  }
}

variable "stop_timeout_seconds" {
  description = "Seconds ECS waits after SIGTERM before killing a worker; the worker's --shutdown-grace is 15 s less, so it hands unfinished activities back to Temporal first."
  type        = number
  default     = 120

  validation {
    condition     = var.stop_timeout_seconds >= 30 && var.stop_timeout_seconds <= 120
    error_message = "stop_timeout_seconds must be between 30 and 120 (ECS's limit)."
  }
}

variable "cpu_task_cpu" {
  description = "CPU units of a CPU worker task (1024 = 1 vCPU); in-process Spark (local[*]) uses all of them. A valid Fargate size with cpu_task_memory."
  type        = number
  default     = 2048
}

variable "cpu_task_memory" {
  description = "Memory of a CPU worker task in MiB; the JVM, and so in-process Spark, gets java_max_ram_percentage of it."
  type        = number
  default     = 8192
}

variable "cpu_task_ephemeral_storage_gib" {
  description = "Local disk of a CPU worker task in GiB (21 to 200), where in-process Spark spills shuffle data."
  type        = number
  default     = 50

  validation {
    condition     = var.cpu_task_ephemeral_storage_gib >= 21 && var.cpu_task_ephemeral_storage_gib <= 200
    error_message = "cpu_task_ephemeral_storage_gib must be between 21 and 200 (Fargate's limits)."
  }
}

variable "java_max_ram_percentage" {
  description = "Share of a worker task's memory the JVM heap may use (-XX:MaxRAMPercentage in JDK_JAVA_OPTIONS, which the image's java launcher reads)."
  type        = number
  default     = 75

  validation {
    condition     = var.java_max_ram_percentage >= 25 && var.java_max_ram_percentage <= 90
    error_message = "java_max_ram_percentage must be between 25 and 90."
  }
}

variable "cpu_min_count" {
  description = "Fewest CPU worker tasks."
  type        = number
  default     = 1
}

variable "cpu_max_count" {
  description = "Most CPU worker tasks."
  type        = number
  default     = 4
}

variable "cpu_target_utilization" {
  description = "Average CPU utilisation (percent) the CPU workers' autoscaling aims for."
  type        = number
  default     = 60
}

variable "gpu_instance_type" {
  description = "EC2 instance type of the GPU container instances (one GPU worker each)."
  type        = string
  default     = "g5.xlarge"
}

variable "gpu_ami_ssm_parameter" {
  description = "SSM parameter holding the ECS GPU-optimized AMI id (NVIDIA driver and container toolkit installed)."
  type        = string
  default     = "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"
}

variable "gpu_root_volume_gb" {
  description = "Root volume size of a GPU instance in GiB (the CUDA image is large)."
  type        = number
  default     = 100
}

variable "gpu_task_cpu" {
  description = "CPU units of a GPU worker task; leave room for the ECS agent on the instance."
  type        = number
  default     = 3072
}

variable "gpu_task_memory" {
  description = "Memory of a GPU worker task in MiB; leave room for the ECS agent on the instance."
  type        = number
  default     = 14336
}

variable "gpu_min_count" {
  description = "Fewest GPU worker tasks (and so GPU instances)."
  type        = number
  default     = 1
}

variable "gpu_max_count" {
  description = "Most GPU worker tasks (and so GPU instances)."
  type        = number
  default     = 2

  validation {
    condition     = var.gpu_max_count >= 1
    error_message = "gpu_max_count must be at least 1 (the capacity provider scales in steps of 1 to gpu_max_count)."
  }
}

variable "gpu_target_utilization" {
  description = "Average CPU utilisation (percent) the GPU workers' autoscaling aims for: the data-loading side of training."
  type        = number
  default     = 60
}

variable "log_retention_days" {
  description = "Days the workers' logs are kept."
  type        = number
  default     = 90
}

variable "state_uid" {
  description = "POSIX uid and gid the workers use on the shared state file system (the EFS access point enforces it)."
  type        = number
  default     = 1000
}

variable "state_backups" {
  description = "Back up the shared worker state (features, checkpoints) with AWS Backup; it can be rebuilt from the lake, so off by default."
  type        = bool
  default     = false
}

variable "metrics_port" {
  description = "Port the workers serve Prometheus metrics on (GET /metrics; TRAINYARD_METRICS_PORT, bound to 0.0.0.0 in the task), e.g. 9464. Null (the default): no metrics endpoint, no inbound port."
  type        = number
  default     = null

  validation {
    condition     = var.metrics_port == null || (coalesce(var.metrics_port, 0) >= 1024 && coalesce(var.metrics_port, 0) <= 65535)
    error_message = "metrics_port must be null (off) or a port from 1024 to 65535 (the worker runs as a non-root user)."
  }
}

variable "metrics_scraper_security_group_ids" {
  description = "Security groups of the Prometheus scrapers (Prometheus, the ADOT collector) allowed to reach metrics_port on the workers; nothing else may. Only used with metrics_port."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
