variable "name" {
  description = "Name prefix for every resource of this environment, e.g. trainyard-dev. Bucket names are NAME-lake-ACCOUNT-REGION and NAME-artifacts-ACCOUNT-REGION."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,18}[a-z0-9]$", var.name))
    error_message = "name must be 3 to 20 lowercase letters, digits or hyphens, so the bucket names stay under S3's 63 characters."
  }
}

variable "kms_deletion_window_days" {
  description = "Days a deleted KMS key waits before it is destroyed (and everything it encrypted with it)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30."
  }
}

variable "expiring_prefixes" {
  description = "Scratch prefixes whose objects expire, keyed by lifecycle rule id: bucket (lake or artifacts), prefix (S3 lifecycle filters match key prefixes only) and days. Defaults: the scoring and feature jobs' staging prefixes in the lake, training checkpoints in the artifact bucket."
  type = map(object({
    bucket = string
    prefix = string
    days   = number
  }))
  default = {
    lake-staging = {
      bucket = "lake"
      prefix = "_staging/"
      days   = 7
    }
    lake-hidden-staging = {
      bucket = "lake"
      prefix = ".staging/"
      days   = 7
    }
    checkpoints = {
      bucket = "artifacts"
      prefix = "checkpoints/"
      days   = 30
    }
  }

  validation {
    condition = alltrue([
      for rule in values(var.expiring_prefixes) :
      contains(["lake", "artifacts"], rule.bucket) && length(rule.prefix) > 0 && rule.days >= 1
    ])
    error_message = "Each expiring prefix needs bucket lake or artifacts, a non-empty prefix and days >= 1."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days an overwritten or deleted object version is kept (versioning protects against mistakes for this long)."
  type        = number
  default     = 30
}

variable "force_destroy" {
  description = "Whether terraform destroy may delete buckets that still hold objects. Keep false outside throwaway environments."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
