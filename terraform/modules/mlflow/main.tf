data "aws_region" "current" {}

locals {
  port          = 5000
  db_port       = 5432
  https         = var.certificate_arn != null
  listener_port = local.https ? 443 : 80
  artifact_root = "s3://${var.artifact_bucket_name}/mlflow"
  db_secret_arn = aws_db_instance.this.master_user_secret[0].secret_arn

  # The password reaches the container as an ECS secret and is URL-encoded into the backend
  # URI inside it, so it never appears in the task definition, an output or the state.
  start_script = <<-EOT
    set -eu
    credentials=$(python -c 'import os, urllib.parse as u; print(u.quote(os.environ["MLFLOW_DB_USERNAME"], safe="") + ":" + u.quote(os.environ["MLFLOW_DB_PASSWORD"], safe=""))')
    unset MLFLOW_DB_PASSWORD
    export MLFLOW_BACKEND_STORE_URI="postgresql://$credentials@$MLFLOW_DB_HOST:$MLFLOW_DB_PORT/$MLFLOW_DB_NAME?sslmode=require"
    exec mlflow server --host 0.0.0.0 --port ${local.port} --default-artifact-root ${local.artifact_root} --no-serve-artifacts
  EOT
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

# --- load balancer ---

resource "aws_security_group" "alb" {
  name_prefix = "${var.name}-mlflow-alb-"
  description = "MLflow internal load balancer: the tracking port from the VPC and the UI networks"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-mlflow-alb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "alb_from_networks" {
  for_each = toset(concat([var.vpc_cidr_block], var.ui_cidr_blocks))

  security_group_id = aws_security_group.alb.id
  description       = "MLflow API and UI"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = local.listener_port
  to_port           = local.listener_port
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
  name                       = "${var.name}-mlflow"
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = var.private_subnet_ids
  security_groups            = [aws_security_group.alb.id]
  drop_invalid_header_fields = true
  # Large artifact listings and model downloads can take longer than the 60 s default.
  idle_timeout = 300
  tags         = var.tags
}

resource "aws_lb_target_group" "this" {
  name_prefix = "mlflow"
  vpc_id      = var.vpc_id
  target_type = "ip"
  port        = local.port
  protocol    = "HTTP"

  # /health is exempt from MLflow's Host-header check, which the health checker's IP host fails.
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
  count = local.https ? 0 : 1

  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  tags = var.tags
}

resource "aws_lb_listener" "https" {
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(var.hostnames) > 0
      error_message = "With certificate_arn set, hostnames must name the DNS name the certificate covers: the tracking URI uses it."
    }
  }
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
# log group and database secret.
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
    sid       = "ReadDatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.db_secret_arn]
  }

  statement {
    sid       = "DecryptDatabaseSecret"
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
      entryPoint = ["/bin/sh", "-c"]
      command    = [local.start_script]
      portMappings = [
        { containerPort = local.port, protocol = "tcp" }
      ]
      environment = [
        { name = "AWS_REGION", value = data.aws_region.current.name },
        { name = "MLFLOW_DB_HOST", value = aws_db_instance.this.address },
        { name = "MLFLOW_DB_PORT", value = tostring(local.db_port) },
        { name = "MLFLOW_DB_NAME", value = aws_db_instance.this.db_name },
        { name = "MLFLOW_SERVER_ALLOWED_HOSTS", value = join(",", concat([aws_lb.this.dns_name], var.hostnames)) },
      ]
      secrets = [
        { name = "MLFLOW_DB_USERNAME", valueFrom = "${local.db_secret_arn}:username::" },
        { name = "MLFLOW_DB_PASSWORD", valueFrom = "${local.db_secret_arn}:password::" },
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
  depends_on = [aws_lb_listener.http, aws_lb_listener.https]
}
