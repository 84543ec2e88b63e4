output "tracking_uri" {
  description = "MLflow tracking URI for the workers (MLFLOW_TRACKING_URI): HTTPS to the first hostname."
  value       = "https://${local.tracking_host}"
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer, for the records behind hostnames."
  value       = aws_lb.this.dns_name
}

output "load_balancer_zone_id" {
  description = "Hosted zone of the load balancer, for alias records."
  value       = aws_lb.this.zone_id
}

output "image_repository_url" {
  description = "ECR repository to push the MLflow server image to."
  value       = aws_ecr_repository.mlflow.repository_url
}

output "database_endpoint" {
  description = "Address and port of the MLflow PostgreSQL database (its password stays in Secrets Manager)."
  value       = aws_db_instance.this.endpoint
}

output "admin_secret_arn" {
  description = "Secrets Manager secret of MLflow's admin user (JSON username, password, flask_secret_key); its value is put by hand."
  value       = aws_secretsmanager_secret.admin.arn
}

output "workers_secret_arn" {
  description = "Secrets Manager secret of the workers' MLflow user (JSON username, password); its value is put by hand."
  value       = aws_secretsmanager_secret.workers.arn
}

output "access_log_bucket_name" {
  description = "Bucket of the load balancer's access logs."
  value       = aws_s3_bucket.alb_logs.id
}
