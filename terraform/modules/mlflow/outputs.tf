output "tracking_uri" {
  description = "MLflow tracking URI for the workers (MLFLOW_TRACKING_URI): the load balancer over HTTP, or the first hostname over HTTPS."
  value       = local.https ? "https://${var.hostnames[0]}" : "http://${aws_lb.this.dns_name}"
}

output "load_balancer_dns_name" {
  description = "DNS name of the internal load balancer, for the records behind hostnames."
  value       = aws_lb.this.dns_name
}

output "load_balancer_zone_id" {
  description = "Hosted zone of the internal load balancer, for alias records."
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
