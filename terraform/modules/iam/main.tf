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

# --- workers: read the lake, write artifacts, submit Spark jobs ---

resource "aws_iam_role" "worker" {
  name_prefix        = "${var.name}-worker-"
  description        = "Trainyard workers: read the lake, read and write artifacts, run Spark jobs on EMR Serverless"
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

  # Spark steps (trainyard-spark) run as EMR Serverless jobs under the Spark job role, which is
  # what writes features and scoring outputs to the lake.
  statement {
    sid     = "RunSparkJobs"
    actions = ["emr-serverless:StartJobRun", "emr-serverless:GetJobRun", "emr-serverless:CancelJobRun", "emr-serverless:GetDashboardForJobRun"]
    resources = [
      var.spark_application_arn,
      "${var.spark_application_arn}/jobruns/*",
    ]
  }

  statement {
    sid       = "PassSparkJobRole"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.spark.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["emr-serverless.amazonaws.com"]
    }
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

# --- Spark on EMR Serverless: read and write the lake, read models from the artifact bucket ---

data "aws_iam_policy_document" "emr_serverless_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["emr-serverless.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "spark" {
  name_prefix        = "${var.name}-spark-"
  description        = "EMR Serverless job runtime role: read and write the lake, read models"
  assume_role_policy = data.aws_iam_policy_document.emr_serverless_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "spark" {
  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.lake_bucket_arn, var.artifact_bucket_arn]
  }

  # Publishing an output on S3 deletes the earlier one first, so the job needs delete here.
  statement {
    sid       = "ReadWriteLake"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["${var.lake_bucket_arn}/*"]
  }

  # Batch scoring loads the model version's feature pipeline and DJL parameters.
  statement {
    sid       = "ReadArtifacts"
    actions   = ["s3:GetObject"]
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

resource "aws_iam_role_policy" "spark" {
  name   = "spark-lake-access"
  role   = aws_iam_role.spark.id
  policy = data.aws_iam_policy_document.spark.json
}
