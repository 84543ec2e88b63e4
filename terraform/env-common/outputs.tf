# Shared by every environment: envs/*/outputs.tf are symlinks to this file. An env differs only in
# versions.tf (its state key) and terraform.tfvars; see terraform/README.md.

output "mlflow_tracking_uri" {
  description = "MLflow tracking URI (HTTPS)."
  value       = module.mlflow.tracking_uri
}

output "lake_bucket_name" {
  description = "Data-lake bucket."
  value       = module.storage.lake_bucket_name
}

output "artifact_bucket_name" {
  description = "Artifact bucket."
  value       = module.storage.artifact_bucket_name
}

output "trainyard_image_repository_url" {
  description = "ECR repository for the Trainyard images (CPU and GPU tags)."
  value       = module.workers.image_repository_url
}

output "mlflow_image_repository_url" {
  description = "ECR repository for the MLflow server image."
  value       = module.mlflow.image_repository_url
}

output "workers_cluster_name" {
  description = "ECS cluster of the worker services."
  value       = module.workers.cluster_name
}

output "mlflow_load_balancer_dns_name" {
  description = "DNS name of MLflow's load balancer: the target of the mlflow_hostnames records."
  value       = module.mlflow.load_balancer_dns_name
}

output "mlflow_admin_secret_arn" {
  description = "Secret of MLflow's admin user (JSON username, password, flask_secret_key); put its value before the first MLflow start."
  value       = module.mlflow.admin_secret_arn
}

output "mlflow_workers_secret_arn" {
  description = "Secret of the workers' MLflow user (JSON username, password); put its value and create the user in MLflow."
  value       = module.mlflow.workers_secret_arn
}

output "mlflow_access_log_bucket_name" {
  description = "Bucket of the access logs of MLflow's load balancer."
  value       = module.mlflow.access_log_bucket_name
}
