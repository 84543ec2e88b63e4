variable "name" {
  description = "Name prefix for every resource of this environment, e.g. trainyard-dev."
  type        = string
}

variable "lake_bucket_arn" {
  description = "ARN of the data-lake bucket: workers read it, the Spark job role reads and writes it."
  type        = string
}

variable "artifact_bucket_arn" {
  description = "ARN of the artifact bucket: workers and MLflow read and write it, the Spark job role reads it."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts both buckets; each role may use it only through S3."
  type        = string
}

variable "spark_application_arn" {
  description = "ARN of the EMR Serverless application the CPU workers submit Spark jobs to."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
