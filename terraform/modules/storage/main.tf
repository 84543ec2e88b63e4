data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  # Account and region in the names keep them globally unique without a random suffix.
  buckets = {
    lake      = "${var.name}-lake-${local.account_id}-${local.region}"
    artifacts = "${var.name}-artifacts-${local.account_id}-${local.region}"
  }
}

# One customer-managed key for the environment's data at rest: both buckets, the MLflow
# database and its master-password secret, and the CloudWatch log groups.
data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109: a key policy's "*" resource is this key only; kms:* for the account root is AWS's default key policy, delegating to IAM policies
  #checkov:skip=CKV_AWS_111: a key policy's "*" resource is this key only; kms:* for the account root is AWS's default key policy, delegating to IAM policies
  #checkov:skip=CKV_AWS_356: a key policy's "*" resource is this key only, as KMS requires
  # Delegates access to IAM policies in this account (the roles in the iam module).
  statement {
    sid       = "AccountIamPolicies"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch Logs encrypts log groups itself, so the key policy must name it; the
  # encryption context limits it to this account's log groups.
  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: lake, artifacts, MLflow database, logs"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18: S3 server access logs would need a bucket of their own per bucket; CloudTrail data events are the audit trail where one is wanted
  #checkov:skip=CKV_AWS_144: one-region environment; the lake is rebuilt from its sources and artifacts from MLflow's runs, so replication is not worth doubling storage
  #checkov:skip=CKV2_AWS_62: nothing consumes bucket events; the workflows learn of outputs from the activities that write them
  #checkov:skip=CKV_AWS_21: versioning is aws_s3_bucket_versioning.this (for_each); checkov does not link for_each resources when scanning an env
  #checkov:skip=CKV_AWS_145: SSE-KMS with the environment's key is aws_s3_bucket_server_side_encryption_configuration.this (for_each), not linked when scanning an env
  #checkov:skip=CKV2_AWS_6: the public access block is aws_s3_bucket_public_access_block.this (for_each), not linked when scanning an env
  #checkov:skip=CKV2_AWS_61: the lifecycle rules are aws_s3_bucket_lifecycle_configuration.this (for_each), not linked when scanning an env
  for_each = local.buckets

  bucket        = each.value
  force_destroy = var.force_destroy
  tags          = merge(var.tags, { Name = each.value, Purpose = each.key })
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    # S3 Bucket Keys cut KMS requests (and cost) by orders of magnitude for Spark's many small reads.
    bucket_key_enabled = true
  }
}

data "aws_iam_policy_document" "bucket" {
  for_each = aws_s3_bucket.this

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "DenyOutdatedTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  policy = data.aws_iam_policy_document.bucket[each.key].json

  # S3 rejects a policy put while the public access block is still being applied.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    id     = "housekeeping"
    status = "Enabled"
    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    expiration {
      expired_object_delete_marker = true
    }
  }

  dynamic "rule" {
    for_each = { for id, r in var.expiring_prefixes : id => r if r.bucket == each.key }
    content {
      id     = rule.key
      status = "Enabled"
      filter {
        prefix = rule.value.prefix
      }
      expiration {
        days = rule.value.days
      }
      # Scratch data needs no safety net: its old versions go a day after they stop being current.
      noncurrent_version_expiration {
        noncurrent_days = 1
      }
    }
  }

  # Lifecycle rules on noncurrent versions need versioning configured first.
  depends_on = [aws_s3_bucket_versioning.this]
}
