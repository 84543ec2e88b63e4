# Shared by every environment: envs/*/variables.tf are symlinks to this file. An env differs only in
# versions.tf (its state key) and terraform.tfvars; see terraform/README.md.

variable "environment" {
  description = "Environment name; resources are named trainyard-ENVIRONMENT."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{2,10}$", var.environment))
    error_message = "environment must be 2 to 10 lowercase letters or digits."
  }
}

variable "region" {
  description = "AWS region of the environment."
  type        = string
}

variable "vpc_cidr_block" {
  description = "IPv4 CIDR block of the environment's VPC."
  type        = string
}

variable "availability_zone_count" {
  description = "Availability zones with a private subnet."
  type        = number
}

variable "nat_gateway_mode" {
  description = "Internet egress of the private subnets: none, single or per_az (Temporal Cloud over the internet needs one)."
  type        = string
}

variable "temporal_address" {
  description = "Temporal frontend host:port (Temporal Cloud or self-hosted). Deployment-specific: pass it with -var or TF_VAR_temporal_address."
  type        = string
}

variable "temporal_namespace" {
  description = "Temporal namespace the workers poll. Deployment-specific: pass it with -var or TF_VAR_temporal_namespace."
  type        = string
}

variable "temporal_auth" {
  description = "How the workers authenticate to Temporal: mtls (client certificate and key secrets) or api_key (an API key secret)."
  type        = string
  default     = "mtls"
}

variable "temporal_tls_cert_secret_arn" {
  description = "temporal_auth = mtls: ARN of the Secrets Manager secret with the client certificate (PEM). Deployment-specific: pass it with TF_VAR_temporal_tls_cert_secret_arn."
  type        = string
  default     = null
}

variable "temporal_tls_key_secret_arn" {
  description = "temporal_auth = mtls: ARN of the Secrets Manager secret with the client key (PEM). Deployment-specific: pass it with TF_VAR_temporal_tls_key_secret_arn."
  type        = string
  default     = null
}

variable "temporal_api_key_secret_arn" {
  description = "temporal_auth = api_key: ARN of the Secrets Manager secret with the Temporal Cloud API key. Deployment-specific: pass it with TF_VAR_temporal_api_key_secret_arn."
  type        = string
  default     = null
}

variable "temporal_tls_server_ca_secret_arn" {
  description = "ARN of a Secrets Manager secret with the CA certificate (PEM) of a self-hosted frontend; null for Temporal Cloud (system CAs)."
  type        = string
  default     = null
}

variable "temporal_tls_server_name" {
  description = "TLS server name to verify the Temporal frontend against when it differs from temporal_address's host; null for none."
  type        = string
  default     = null
}

variable "temporal_secrets_kms_key_arn" {
  description = "ARN of the customer-managed KMS key of the Temporal secrets; null for the AWS-managed key."
  type        = string
  default     = null
}

variable "trainyard_image_tag" {
  description = "Tag of the Trainyard CPU image in the workers' ECR repository."
  type        = string
}

variable "trainyard_gpu_image_tag" {
  description = "Tag of the Trainyard GPU (CUDA) image in the workers' ECR repository (image/gpu/build-gpu-image.sh writes it: the CPU image plus CUDA PyTorch and DJL's JNI built for it)."
  type        = string
}

variable "mlflow_image_tag" {
  description = "Tag of the MLflow server image in the MLflow ECR repository."
  type        = string
}

variable "mlflow_certificate_arn" {
  description = "ACM certificate of MLflow's HTTPS listener, covering mlflow_hostnames[0]. Deployment-specific: pass it with TF_VAR_mlflow_certificate_arn."
  type        = string
}

variable "mlflow_hostnames" {
  description = "DNS names of MLflow's load balancer; the first is the tracking URI's host. Deployment-specific: pass it with TF_VAR_mlflow_hostnames."
  type        = list(string)
}

variable "mlflow_dns_zone_id" {
  description = "Route 53 hosted zone in which to create the alias record of mlflow_hostnames[0]; null when you create it yourself."
  type        = string
  default     = null
}

variable "ui_cidr_blocks" {
  description = "Networks besides the VPC (VPN, office) allowed to reach the MLflow UI."
  type        = list(string)
  default     = []
}

variable "mlflow_db_instance_class" {
  description = "RDS instance class of the MLflow database."
  type        = string
}

variable "mlflow_db_multi_az" {
  description = "Whether the MLflow database keeps a standby in a second zone."
  type        = bool
}

variable "mlflow_db_deletion_protection" {
  description = "Whether the MLflow database and load balancer refuse deletion."
  type        = bool
}

variable "force_destroy_buckets" {
  description = "Whether destroy may delete non-empty buckets (throwaway environments only)."
  type        = bool
}

variable "cpu_worker_task_cpu" {
  description = "CPU units of a CPU worker task (1024 = 1 vCPU): the Spark steps run in-process there (local[*]), so this sizes them."
  type        = number
}

variable "cpu_worker_task_memory" {
  description = "Memory of a CPU worker task in MiB (a valid Fargate size with cpu_worker_task_cpu); in-process Spark's heap is 75 % of it."
  type        = number
}

variable "cpu_worker_max_count" {
  description = "Most CPU worker tasks (trainyard-control, trainyard-spark)."
  type        = number
}

variable "gpu_instance_type" {
  description = "GPU instance type for trainyard-train workers."
  type        = string
}

variable "gpu_worker_min_count" {
  description = "Fewest GPU worker tasks (each holds one GPU instance)."
  type        = number
}

variable "gpu_worker_max_count" {
  description = "Most GPU worker tasks."
  type        = number
}

variable "log_retention_days" {
  description = "Days the services' and the VPC's logs are kept."
  type        = number
}
