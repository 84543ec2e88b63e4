# --- shared worker state: the feature lake, checkpoints and model hand-offs ---
#
# Steps hand each other files under TRAINYARD_STATE_DIR (features written by the Spark worker
# are read by the GPU trainer; the trainer's model is packaged by the control worker), so every
# worker mounts the same encrypted EFS file system there. Reached only from the workers'
# security group, TLS in transit and IAM authorization (the file system policy lets only the
# workers' task role mount, through the access point, and refuses anything without TLS), one
# access point that pins the POSIX identity and the root folder.

locals {
  state_dir = "/var/lib/trainyard"
}

resource "aws_efs_file_system" "state" {
  creation_token   = "${var.name}-worker-state"
  encrypted        = true
  kms_key_id       = var.kms_key_arn
  performance_mode = "generalPurpose"
  throughput_mode  = "elastic"

  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }

  tags = merge(var.tags, { Name = "${var.name}-worker-state" })
}

resource "aws_efs_backup_policy" "state" {
  file_system_id = aws_efs_file_system.state.id

  backup_policy {
    status = var.state_backups ? "ENABLED" : "DISABLED"
  }
}

data "aws_iam_policy_document" "state" {
  # The task definitions mount with IAM authorization (authorization_config.iam), so the mount
  # is made as the task role: it may mount and write, through the access point, over TLS.
  statement {
    sid       = "WorkersMountThroughAccessPoint"
    effect    = "Allow"
    actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    resources = [aws_efs_file_system.state.arn]

    principals {
      type        = "AWS"
      identifiers = [var.task_role_arn]
    }

    condition {
      test     = "Bool"
      variable = "elasticfilesystem:AccessedViaMountTarget"
      values   = ["true"]
    }

    condition {
      test     = "StringEquals"
      variable = "elasticfilesystem:AccessPointArn"
      values   = [aws_efs_access_point.state.arn]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["true"]
    }
  }

  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = ["*"]
    resources = [aws_efs_file_system.state.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_efs_file_system_policy" "state" {
  file_system_id = aws_efs_file_system.state.id
  policy         = data.aws_iam_policy_document.state.json
}

resource "aws_efs_access_point" "state" {
  file_system_id = aws_efs_file_system.state.id

  posix_user {
    uid = var.state_uid
    gid = var.state_uid
  }

  root_directory {
    path = "/trainyard"

    creation_info {
      owner_uid   = var.state_uid
      owner_gid   = var.state_uid
      permissions = "0750"
    }
  }

  tags = var.tags
}

resource "aws_security_group" "state" {
  name_prefix = "${var.name}-worker-state-"
  description = "Trainyard worker state (EFS): NFS from the workers only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-worker-state" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "state_nfs" {
  security_group_id            = aws_security_group.state.id
  description                  = "NFS from the worker tasks and GPU instances"
  referenced_security_group_id = aws_security_group.workers.id
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
}

resource "aws_vpc_security_group_egress_rule" "workers_state" {
  security_group_id            = aws_security_group.workers.id
  description                  = "NFS to the shared worker state (EFS)"
  referenced_security_group_id = aws_security_group.state.id
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
}

resource "aws_efs_mount_target" "state" {
  count = length(var.private_subnet_ids)

  file_system_id  = aws_efs_file_system.state.id
  subnet_id       = var.private_subnet_ids[count.index]
  security_groups = [aws_security_group.state.id]
}
