output "worker_role_arn" {
  description = "ARN of the workers' ECS task role."
  value       = aws_iam_role.worker.arn
}

output "mlflow_role_arn" {
  description = "ARN of the MLflow tracking server's ECS task role."
  value       = aws_iam_role.mlflow.arn
}
