output "application_id" {
  description = "ID of the EMR Serverless application (StartJobRun's application-id)."
  value       = aws_emrserverless_application.spark.id
}

output "application_arn" {
  description = "ARN of the EMR Serverless application."
  value       = aws_emrserverless_application.spark.arn
}

output "security_group_id" {
  description = "Security group of the Spark workers."
  value       = aws_security_group.spark.id
}
