# Shared by every environment: envs/*/outputs.tf are symlinks to this file. An env differs only in
# versions.tf (its state key) and terraform.tfvars; see terraform/README.md.

output "mlflow_tracking_uri" {
  description = "MLflow tracking URI inside the VPC."
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

output "spark_application_id" {
  description = "EMR Serverless application for the Spark steps."
  value       = module.spark.application_id
}
