# One role per component, holding only what that component's code needs. The ECS plumbing
# (pulling images, writing logs, reading the secrets injected at start) is not here: each
# service module owns its task-execution role, scoped to its own repository, log group and secrets.

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  # Keys are used only by S3 on the caller's behalf, never directly.
  kms_via_s3 = "s3.${local.region}.amazonaws.com"
  lake_output_objects = flatten([
    for p in var.lake_output_prefixes : ["${var.lake_bucket_arn}/${p}/*", "${var.lake_bucket_arn}/.${p}.staging-*"]
  ])
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    # Confused-deputy guard: only ECS tasks of this account may assume the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

# --- workers: read the lake, publish Spark outputs under their prefixes, write artifacts ---
#
# Spark runs in-process on the workers (see ../../README.md, "Spark in-process on the workers"),
# so this role is also what the Spark steps write with. Outputs are published by
# spark-jobs' Outputs: a hidden staging sibling `.NAME.staging-ID` beside the output, then the
# output's files, `_trainyard.json`, `_trainyard.pending-ID.json` and `_SUCCESS`; the earlier
# output's files are deleted. Everything of one output stays under its parent prefix, so each
# output prefix gets write and delete on `PREFIX/*`, plus `.PREFIX.staging-*` for an output
# published at the prefix itself.

resource "aws_iam_role" "worker" {
  name_prefix        = "${var.name}-worker-"
  description        = "Trainyard workers: read the lake, publish Spark outputs under their prefixes, read and write artifacts"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.lake_bucket_arn, var.artifact_bucket_arn]
  }

  statement {
    sid       = "ReadLake"
    actions   = ["s3:GetObject"]
    resources = ["${var.lake_bucket_arn}/*"]
  }

  # Models, checkpoints and reports. No delete: retries overwrite, and lifecycle rules expire
  # checkpoints.
  statement {
    sid       = "ReadWriteArtifacts"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["${var.artifact_bucket_arn}/*"]
  }

  statement {
    sid       = "BucketKeyThroughS3"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.kms_via_s3]
    }
  }

  # Publishing replaces the earlier output of the same URI, so delete is needed here, and only
  # here: the rest of the lake (the datasets the steps read) stays read-only.
  statement {
    sid       = "PublishLakeOutputs"
    actions   = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = local.lake_output_objects
  }
}

resource "aws_iam_role_policy" "worker" {
  name   = "worker-data-access"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

# --- MLflow: read and write the artifact bucket (the UI reads artifacts, gc deletes them) ---

resource "aws_iam_role" "mlflow" {
  name_prefix        = "${var.name}-mlflow-"
  description        = "MLflow tracking server: read and write the artifact bucket"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "mlflow" {
  statement {
    sid       = "ListArtifacts"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.artifact_bucket_arn]
  }

  statement {
    sid       = "ReadWriteArtifacts"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["${var.artifact_bucket_arn}/*"]
  }

  statement {
    sid       = "BucketKeyThroughS3"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.kms_via_s3]
    }
  }
}

resource "aws_iam_role_policy" "mlflow" {
  name   = "mlflow-artifact-access"
  role   = aws_iam_role.mlflow.id
  policy = data.aws_iam_policy_document.mlflow.json
}
