data "aws_region" "current" {}

locals {
  port           = 5000
  db_port        = 5432
  auth_db_name   = "mlflow_auth"
  artifact_root  = "s3://${var.artifact_bucket_name}/mlflow"
  db_secret_arn  = aws_db_instance.this.master_user_secret[0].secret_arn
  admin_secret   = aws_secretsmanager_secret.admin.arn
  tracking_host  = var.hostnames[0]
  alb_log_prefix = "mlflow-alb"

  # Runs in the container (python -c): every credential reaches it as an ECS secret and stays
  # in its memory and in a mode-600 file under /tmp, never in the task definition, an output or
  # the Terraform state. It makes sure the auth app's own database exists (users and
  # permissions, beside MLflow's), writes the basic-auth configuration (admin user, READ for
  # everyone else by default) and becomes `mlflow server --app-name basic-auth`. On the first
  # start the auth app creates the admin user from it; later password changes go through
  # MLflow's users API (docs/deploy-aws.md, "Rotate").
  start_script = <<-EOT
    import os, urllib.parse, psycopg2
    e = os.environ
    q = lambda v: urllib.parse.quote(v, safe="")
    user, password = e.pop("MLFLOW_DB_USERNAME"), e.pop("MLFLOW_DB_PASSWORD")
    host, port = e["MLFLOW_DB_HOST"], e["MLFLOW_DB_PORT"]
    def uri(db):
        return "postgresql://" + q(user) + ":" + q(password) + "@" + host + ":" + port + "/" + db + "?sslmode=require"
    conn = psycopg2.connect(host=host, port=port, dbname=e["MLFLOW_DB_NAME"], user=user, password=password, sslmode="require")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (e["MLFLOW_AUTH_DB_NAME"],))
        if cur.fetchone() is None:
            cur.execute("CREATE DATABASE " + e["MLFLOW_AUTH_DB_NAME"])
    conn.close()
    esc = lambda v: v.replace("%", "%%")
    ini = "/tmp/basic_auth.ini"
    with os.fdopen(os.open(ini, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write("[mlflow]\ndefault_permission = READ\n")
        f.write("database_uri = " + esc(uri(e["MLFLOW_AUTH_DB_NAME"])) + "\n")
        f.write("admin_username = " + esc(e.pop("MLFLOW_ADMIN_USERNAME")) + "\n")
        f.write("admin_password = " + esc(e.pop("MLFLOW_ADMIN_PASSWORD")) + "\n")
        f.write("authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n")
    e["MLFLOW_AUTH_CONFIG_PATH"] = ini
    e["MLFLOW_BACKEND_STORE_URI"] = uri(e["MLFLOW_DB_NAME"])
    os.execvp("mlflow", ["mlflow", "server", "--app-name", "basic-auth", "--host", "0.0.0.0", "--port", "${local.port}",
                         "--default-artifact-root", "${local.artifact_root}", "--no-serve-artifacts"])
  EOT
}

# --- credentials: the admin user (and the auth app's session key), the workers' user ---
#
# Created empty: their values are put with the AWS CLI (docs/deploy-aws.md), so no password is
# ever in the Terraform state. Both are JSON, encrypted with the environment's key.

resource "aws_secretsmanager_secret" "admin" {
  #checkov:skip=CKV2_AWS_57: rotating means changing the password in MLflow (users API) and here together; a documented manual step, no rotation Lambda
  name_prefix = "${var.name}/mlflow-admin-"
  description = "MLflow basic-auth admin: JSON {username, password, flask_secret_key}"
  kms_key_id  = var.kms_key_arn
  tags        = var.tags
}

resource "aws_secretsmanager_secret" "workers" {
  #checkov:skip=CKV2_AWS_57: rotating means changing the password in MLflow (users API) and here together; a documented manual step, no rotation Lambda
  name_prefix = "${var.name}/mlflow-workers-"
  description = "MLflow user of the Trainyard workers: JSON {username, password}"
  kms_key_id  = var.kms_key_arn
  tags        = var.tags
}

# --- image and logs ---

resource "aws_ecr_repository" "mlflow" {
  name                 = "${var.name}/mlflow"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "mlflow" {
  #checkov:skip=CKV_AWS_338: retention is log_retention_days, set per env (prod 365 days, dev 30)
  name              = "/${var.name}/mlflow"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# --- database ---

resource "aws_db_subnet_group" "this" {
  name_prefix = "${var.name}-mlflow-"
  description = "MLflow database, private subnets"
  subnet_ids  = var.private_subnet_ids
  tags        = var.tags
}

resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-mlflow-"
  description = "MLflow database: TLS required"
  family      = "postgres${split(".", var.db_engine_version)[0]}"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "db" {
  name_prefix = "${var.name}-mlflow-db-"
  description = "MLflow database: PostgreSQL from the tracking server only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-mlflow-db" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "db_from_server" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from the tracking server"
  referenced_security_group_id = aws_security_group.server.id
  ip_protocol                  = "tcp"
  from_port                    = local.db_port
  to_port                      = local.db_port
}

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_157: Multi-AZ is db_multi_az, set per env (prod on, dev off)
  #checkov:skip=CKV_AWS_293: deletion protection is db_deletion_protection, set per env (prod on, dev off to allow destroy)
  #checkov:skip=CKV_AWS_161: MLflow connects with the RDS-managed master password over TLS; IAM database auth needs token refresh that MLflow's SQLAlchemy store does not do
  #checkov:skip=CKV_AWS_118: enhanced OS monitoring needs a monitoring role and costs per instance; CloudWatch's standard RDS metrics cover this one-tenant database
  #checkov:skip=CKV_AWS_353: Performance Insights is not offered on every small instance class (dev uses db.t4g.small); turn it on per env when query tuning needs it
  #checkov:skip=CKV_AWS_129: exporting PostgreSQL logs creates log groups outside this module (no CMK, no retention); the server's errors reach MLflow's own log group
  identifier     = "${var.name}-mlflow"
  engine         = "postgres"
  engine_version = var.db_engine_version
  instance_class = var.db_instance_class
  db_name        = "mlflow"
  port           = local.db_port
  username       = "mlflow"
  # RDS generates the password and keeps it (rotated) in Secrets Manager.
  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.kms_key_arn

  allocated_storage     = var.db_allocated_storage_gb
  max_allocated_storage = var.db_max_allocated_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  parameter_group_name   = aws_db_parameter_group.this.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false
  multi_az               = var.db_multi_az

  backup_retention_period    = var.db_backup_retention_days
  copy_tags_to_snapshot      = true
  deletion_protection        = var.db_deletion_protection
  skip_final_snapshot        = false
  final_snapshot_identifier  = "${var.name}-mlflow-final"
  auto_minor_version_upgrade = true

  tags = var.tags
}

# --- load balancer: HTTPS only (HTTP redirects), access logs ---

resource "aws_security_group" "alb" {
  name_prefix = "${var.name}-mlflow-alb-"
  description = "MLflow load balancer: HTTPS (and HTTP, which redirects) from the VPC and the UI networks"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-mlflow-alb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "alb_from_networks" {
  for_each = {
    for pair in setproduct(concat([var.vpc_cidr_block], var.ui_cidr_blocks), ["80", "443"]) :
    "${pair[0]}:${pair[1]}" => { cidr = pair[0], port = tonumber(pair[1]) }
  }

  security_group_id = aws_security_group.alb.id
  description       = each.value.port == 443 ? "MLflow API and UI" : "HTTP, redirected to HTTPS"
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "alb_to_server" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Tracking server tasks"
  referenced_security_group_id = aws_security_group.server.id
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
}

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_150: deletion protection is deletion_protection, set per env (prod on, dev off to allow destroy)
  name                       = "${var.name}-mlflow"
  internal                   = var.internal
  load_balancer_type         = "application"
  subnets                    = var.internal ? var.private_subnet_ids : var.public_subnet_ids
  security_groups            = [aws_security_group.alb.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  # Large artifact listings and model downloads can take longer than the 60 s default.
  idle_timeout = 300

  access_logs {
    bucket  = aws_s3_bucket.alb_logs.id
    prefix  = local.alb_log_prefix
    enabled = true
  }

  tags = var.tags

  # The log bucket must let ELB write before the load balancer turns logging on.
  depends_on = [aws_s3_bucket_policy.alb_logs]

  lifecycle {
    precondition {
      condition     = var.internal || length(var.public_subnet_ids) > 1
      error_message = "internal = false needs public_subnet_ids (two or more zones)."
    }
  }
}

# TLS ends at the load balancer; the hop to the tasks stays inside the VPC, between two
# security groups that admit only each other.
resource "aws_lb_target_group" "this" {
  name_prefix = "mlflow"
  vpc_id      = var.vpc_id
  target_type = "ip"
  port        = local.port
  protocol    = "HTTP"

  # /health answers without credentials and is exempt from MLflow's Host-header check, which
  # the health checker's IP host fails.
  health_check {
    path                = "/health"
    matcher             = "200"
    healthy_threshold   = 2
    unhealthy_threshold = 3
    interval            = 15
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }

  tags = var.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  tags = var.tags
}

# An optional DNS record for the tracking host (else create it yourself, see hostnames).
resource "aws_route53_record" "tracking" {
  count = var.dns_zone_id == null ? 0 : 1

  zone_id = var.dns_zone_id
  name    = local.tracking_host
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}

# --- access logs: a private bucket of their own ---
#
# ELB writes access logs only to buckets encrypted with S3-managed keys (SSE-S3), not KMS.

data "aws_caller_identity" "current" {}

data "aws_elb_service_account" "current" {}

resource "aws_s3_bucket" "alb_logs" {
  #checkov:skip=CKV_AWS_18: this is the access-log bucket; logging it to another bucket would only move the question
  #checkov:skip=CKV_AWS_144: access logs are kept in the environment's region; replication is not worth their cost
  #checkov:skip=CKV_AWS_145: ELB access logs support only SSE-S3 (AES256) buckets, not SSE-KMS
  #checkov:skip=CKV2_AWS_62: nothing consumes events of access-log objects
  bucket        = "${var.name}-mlflow-alb-logs-${data.aws_caller_identity.current.account_id}-${data.aws_region.current.name}"
  force_destroy = var.force_destroy_logs
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "alb_logs" {
  bucket                  = aws_s3_bucket.alb_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"
    filter {}

    expiration {
      days = var.log_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.alb_logs]
}

data "aws_iam_policy_document" "alb_logs" {
  statement {
    sid       = "ElbWritesAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.alb_logs.arn}/${local.alb_log_prefix}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"]
    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.current.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.alb_logs.arn, "${aws_s3_bucket.alb_logs.arn}/*"]
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
}

resource "aws_s3_bucket_policy" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  policy = data.aws_iam_policy_document.alb_logs.json

  depends_on = [aws_s3_bucket_public_access_block.alb_logs]
}

# --- tracking server ---

resource "aws_ecs_cluster" "this" {
  name = "${var.name}-mlflow"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

resource "aws_security_group" "server" {
  name_prefix = "${var.name}-mlflow-server-"
  description = "MLflow tracking server tasks: the tracking port from the load balancer only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-mlflow-server" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "server_from_alb" {
  security_group_id            = aws_security_group.server.id
  description                  = "Load balancer"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
}

resource "aws_vpc_security_group_egress_rule" "server_to_db" {
  security_group_id            = aws_security_group.server.id
  description                  = "PostgreSQL"
  referenced_security_group_id = aws_security_group.db.id
  ip_protocol                  = "tcp"
  from_port                    = local.db_port
  to_port                      = local.db_port
}

resource "aws_vpc_security_group_egress_rule" "server_to_s3" {
  security_group_id = aws_security_group.server.id
  description       = "Artifact bucket through the S3 gateway endpoint"
  prefix_list_id    = var.s3_prefix_list_id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "server_to_endpoints" {
  security_group_id = aws_security_group.server.id
  description       = "Interface endpoints (ECR, logs, Secrets Manager, STS)"
  cidr_ipv4         = var.vpc_cidr_block
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# Task-execution role: what ECS needs to start the container, scoped to this service's image,
# log group, database secret and admin secret.
resource "aws_iam_role" "execution" {
  name_prefix        = "${var.name}-mlflow-exec-"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.mlflow.arn]
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.mlflow.arn}:*"]
  }

  statement {
    sid       = "ReadSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.db_secret_arn, local.admin_secret]
  }

  statement {
    sid       = "DecryptSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-mlflow"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_ecs_task_definition" "this" {
  family                   = "${var.name}-mlflow"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = var.task_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name       = "mlflow"
      image      = "${aws_ecr_repository.mlflow.repository_url}:${var.image_tag}"
      essential  = true
      entryPoint = ["python", "-c"]
      command    = [local.start_script]
      portMappings = [
        { containerPort = local.port, protocol = "tcp" }
      ]
      environment = [
        { name = "AWS_REGION", value = data.aws_region.current.name },
        { name = "MLFLOW_DB_HOST", value = aws_db_instance.this.address },
        { name = "MLFLOW_DB_PORT", value = tostring(local.db_port) },
        { name = "MLFLOW_DB_NAME", value = aws_db_instance.this.db_name },
        { name = "MLFLOW_AUTH_DB_NAME", value = local.auth_db_name },
        { name = "MLFLOW_SERVER_ALLOWED_HOSTS", value = join(",", concat([aws_lb.this.dns_name], var.hostnames)) },
      ]
      secrets = [
        { name = "MLFLOW_DB_USERNAME", valueFrom = "${local.db_secret_arn}:username::" },
        { name = "MLFLOW_DB_PASSWORD", valueFrom = "${local.db_secret_arn}:password::" },
        { name = "MLFLOW_ADMIN_USERNAME", valueFrom = "${local.admin_secret}:username::" },
        { name = "MLFLOW_ADMIN_PASSWORD", valueFrom = "${local.admin_secret}:password::" },
        { name = "MLFLOW_FLASK_SERVER_SECRET_KEY", valueFrom = "${local.admin_secret}:flask_secret_key::" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.mlflow.name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = "mlflow"
        }
      }
    }
  ])

  tags = var.tags
}

resource "aws_ecs_service" "this" {
  name                              = "mlflow"
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.this.arn
  desired_count                     = var.desired_count
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  health_check_grace_period_seconds = 120
  propagate_tags                    = "SERVICE"

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.server.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this.arn
    container_name   = "mlflow"
    container_port   = local.port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  tags = var.tags

  # The target group must be attached to a listener before a service can register with it.
  depends_on = [aws_lb_listener.https]
}
