output "lake_bucket_name" {
  description = "Name of the data-lake bucket (datasets, features, scoring outputs)."
  value       = aws_s3_bucket.this["lake"].id
}

output "lake_bucket_arn" {
  description = "ARN of the data-lake bucket."
  value       = aws_s3_bucket.this["lake"].arn
}

output "artifact_bucket_name" {
  description = "Name of the artifact bucket (MLflow artifacts, models, checkpoints)."
  value       = aws_s3_bucket.this["artifacts"].id
}

output "artifact_bucket_arn" {
  description = "ARN of the artifact bucket."
  value       = aws_s3_bucket.this["artifacts"].arn
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the buckets, the MLflow database and the log groups."
  value       = aws_kms_key.this.arn
}
