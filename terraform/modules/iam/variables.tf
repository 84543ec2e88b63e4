variable "name" {
  description = "Name prefix for every resource of this environment, e.g. trainyard-dev."
  type        = string
}

variable "lake_bucket_arn" {
  description = "ARN of the data-lake bucket: workers read it and publish Spark outputs under lake_output_prefixes."
  type        = string
}

variable "artifact_bucket_arn" {
  description = "ARN of the artifact bucket: workers and MLflow read and write it."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts both buckets; each role may use it only through S3."
  type        = string
}

variable "lake_output_prefixes" {
  description = "Top-level lake prefixes the workers' Spark steps publish to (scoring --output and --quarantine must lie under them); the role may write and delete only there."
  type        = list(string)
  default     = ["scores", "quarantine", "features"]

  validation {
    condition     = alltrue([for p in var.lake_output_prefixes : can(regex("^[A-Za-z0-9_-]+$", p))])
    error_message = "lake_output_prefixes must be single path segments (letters, digits, _ and -), without slashes."
  }
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
