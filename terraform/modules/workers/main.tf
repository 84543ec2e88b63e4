data "aws_region" "current" {}

data "aws_partition" "current" {}

data "aws_ssm_parameter" "gpu_ami" {
  name = var.gpu_ami_ssm_parameter
}

locals {
  region         = data.aws_region.current.name
  temporal_port  = tonumber(split(":", var.temporal_address)[1])
  shutdown_grace = var.stop_timeout_seconds - 15
  gpu_cp_name    = "${var.name}-gpu"
  services       = { cpu = "worker-cpu", gpu = "worker-gpu" }
  cpu_image      = "${aws_ecr_repository.trainyard.repository_url}:${var.image_tag}"
  gpu_image      = "${aws_ecr_repository.trainyard.repository_url}:${var.gpu_image_tag}"
  mtls           = var.temporal_auth == "mtls"

  # Temporal's standard client variables (what Temporal's CLI and SDK environment configuration
  # read). Credentials never go here: they come in through `secrets` below. TEMPORAL_TLS is on in
  # both modes: Temporal Cloud takes API keys only over TLS.
  temporal_environment = concat(
    [
      { name = "TEMPORAL_ADDRESS", value = var.temporal_address },
      { name = "TEMPORAL_NAMESPACE", value = var.temporal_namespace },
      { name = "TEMPORAL_TLS", value = "true" },
    ],
    var.temporal_tls_server_name == null ? [] : [
      { name = "TEMPORAL_TLS_SERVER_NAME", value = var.temporal_tls_server_name },
    ],
  )
  temporal_secrets = concat(
    local.mtls ? [
      { name = "TEMPORAL_TLS_CLIENT_CERT_DATA", valueFrom = var.temporal_tls_cert_secret_arn },
      { name = "TEMPORAL_TLS_CLIENT_KEY_DATA", valueFrom = var.temporal_tls_key_secret_arn },
      ] : [
      { name = "TEMPORAL_API_KEY", valueFrom = var.temporal_api_key_secret_arn },
    ],
    var.temporal_tls_server_ca_secret_arn == null ? [] : [
      { name = "TEMPORAL_TLS_SERVER_CA_CERT_DATA", valueFrom = var.temporal_tls_server_ca_secret_arn },
    ],
  )
  # MLflow's basic-auth credentials of the workers' MLflow user (a JSON secret with `username`
  # and `password`); the registry client sends them with every request.
  mlflow_secrets = [
    { name = "MLFLOW_TRACKING_USERNAME", valueFrom = "${var.mlflow_credentials_secret_arn}:username::" },
    { name = "MLFLOW_TRACKING_PASSWORD", valueFrom = "${var.mlflow_credentials_secret_arn}:password::" },
  ]
  secrets = concat(local.temporal_secrets, local.mlflow_secrets)
  # Every secret the execution role may read: the ARNs above without the JSON-key suffix.
  secret_arns = distinct(compact(concat(
    local.mtls ? [var.temporal_tls_cert_secret_arn, var.temporal_tls_key_secret_arn] : [var.temporal_api_key_secret_arn],
    [var.temporal_tls_server_ca_secret_arn, var.mlflow_credentials_secret_arn],
  )))
  secret_kms_key_arns = distinct(compact([var.temporal_secrets_kms_key_arn, var.kms_key_arn]))

  # Plain configuration only, every name read by Trainyard (app's TrainyardConfig, the
  # launcher) or by the AWS SDK. AWS_ENDPOINT_URL_S3 is required: without it Trainyard assumes
  # the local stack's S3 on 127.0.0.1. JDK_JAVA_OPTIONS (read by the image's `java` launcher, the
  # entrypoint) lets the JVM (and so in-process Spark) use java_max_ram_percentage of the task's
  # memory instead of the JVM's default quarter.
  environment = concat(local.temporal_environment, [
    { name = "AWS_REGION", value = local.region },
    { name = "AWS_ENDPOINT_URL_S3", value = "https://s3.${local.region}.amazonaws.com" },
    { name = "MLFLOW_TRACKING_URI", value = var.mlflow_tracking_uri },
    { name = "TRAINYARD_LAKE_BUCKET", value = var.lake_bucket_name },
    { name = "TRAINYARD_ARTIFACT_BUCKET", value = var.artifact_bucket_name },
    { name = "TRAINYARD_STATE_DIR", value = local.state_dir },
    { name = "JDK_JAVA_OPTIONS", value = "-XX:MaxRAMPercentage=${var.java_max_ram_percentage}" },
    ], var.metrics_port == null ? [] : [
    # Prometheus metrics on the task's address (awsvpc: its own ENI), reachable only from the
    # scrapers' security groups (below).
    { name = "TRAINYARD_METRICS_PORT", value = tostring(var.metrics_port) },
    { name = "TRAINYARD_METRICS_HOST", value = "0.0.0.0" },
  ])
  port_mappings = var.metrics_port == null ? [] : [{ containerPort = var.metrics_port, protocol = "tcp" }]
  state_mount   = [{ sourceVolume = "state", containerPath = local.state_dir, readOnly = false }]

  # The image (image/ in the repository: Jib, FROM scratch, no shell) runs the worker as its
  # entrypoint (java ... dev.trainyard.app.cli.Main) as uid 10001; the services give the command.
  # Jib cannot write a Docker HEALTHCHECK, so the check is here: the worker touches
  # TRAINYARD_HEALTH_FILE (set in the image) every 10 s while it polls, and this command, a small
  # JVM with the image's classpath, fails when the file is older than 60 s. The image's label
  # dev.trainyard.healthcheck carries the same command.
  health_check = {
    command     = ["CMD", "/opt/java/bin/java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx16m", "-cp", "@/app/jib-classpath-file", "dev.trainyard.app.worker.WorkerHealth", "/tmp/trainyard-worker.health", "60"]
    interval    = 30
    timeout     = 10
    retries     = 3
    startPeriod = 120
  }

  log_configuration = {
    logDriver = "awslogs"
    options = {
      awslogs-group         = aws_cloudwatch_log_group.workers.name
      awslogs-region        = local.region
      awslogs-stream-prefix = "worker"
    }
  }
}

# --- image and logs ---

resource "aws_ecr_repository" "trainyard" {
  name                 = "${var.name}/trainyard"
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

resource "aws_cloudwatch_log_group" "workers" {
  #checkov:skip=CKV_AWS_338: retention is log_retention_days, set per env (prod 365 days, dev 30)
  name              = "/${var.name}/workers"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# --- network: no inbound (but the opt-in metrics port); outbound only to what a worker talks to ---

resource "aws_security_group" "workers" {
  name_prefix = "${var.name}-workers-"
  description = "Trainyard workers and GPU instances: no inbound"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-workers" })

  lifecycle {
    create_before_destroy = true
  }
}

# The one inbound exception, off by default: Prometheus scrapers reach the metrics port.
resource "aws_vpc_security_group_ingress_rule" "workers_metrics" {
  for_each = var.metrics_port == null ? toset([]) : toset(var.metrics_scraper_security_group_ids)

  security_group_id            = aws_security_group.workers.id
  description                  = "Prometheus scrapes the workers' /metrics"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = var.metrics_port
  to_port                      = var.metrics_port
}

resource "aws_vpc_security_group_egress_rule" "workers_s3" {
  security_group_id = aws_security_group.workers.id
  description       = "S3 (buckets, ECR layers) through the gateway endpoint"
  prefix_list_id    = var.s3_prefix_list_id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "workers_vpc_https" {
  security_group_id = aws_security_group.workers.id
  description       = "Interface endpoints and MLflow over HTTPS"
  cidr_ipv4         = var.vpc_cidr_block
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "workers_temporal" {
  for_each = toset(var.temporal_cidr_blocks)

  security_group_id = aws_security_group.workers.id
  description       = "Temporal frontend (gRPC over TLS)"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = local.temporal_port
  to_port           = local.temporal_port
}

# --- task-execution role: pull the image, write logs, read the Temporal and MLflow secrets ---

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name_prefix        = "${var.name}-workers-exec-"
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
    resources = [aws_ecr_repository.trainyard.arn]
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.workers.arn}:*"]
  }

  statement {
    sid       = "ReadSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.secret_arns
  }

  # The MLflow credentials secret uses the environment's key; the Temporal ones may use another.
  statement {
    sid       = "DecryptSecrets"
    actions   = ["kms:Decrypt"]
    resources = local.secret_kms_key_arns
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-workers"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- cluster: Fargate for CPU workers, an EC2 capacity provider of GPU instances ---

resource "aws_ecs_cluster" "this" {
  name = "${var.name}-workers"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

# The ECS agent's own role (register the instance, pull tasks); the worker code runs under
# the task role, and awsvpc mode with ECS_AWSVPC_BLOCK_IMDS keeps it from this one.
resource "aws_iam_role" "gpu_instance" {
  name_prefix        = "${var.name}-gpu-instance-"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "gpu_instance_ecs" {
  role       = aws_iam_role.gpu_instance.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

resource "aws_iam_instance_profile" "gpu_instance" {
  name_prefix = "${var.name}-gpu-"
  role        = aws_iam_role.gpu_instance.name
  tags        = var.tags
}

resource "aws_launch_template" "gpu" {
  name_prefix   = "${var.name}-gpu-"
  image_id      = nonsensitive(data.aws_ssm_parameter.gpu_ami.value)
  instance_type = var.gpu_instance_type

  iam_instance_profile {
    arn = aws_iam_instance_profile.gpu_instance.arn
  }

  vpc_security_group_ids = [aws_security_group.workers.id]

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  # Encrypted with the AWS-managed EBS key: a customer-managed key would also need a key-policy
  # grant for the Auto Scaling service-linked role, or instances fail to launch.
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = var.gpu_root_volume_gb
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }

  user_data = base64encode(<<-EOT
    #!/bin/bash
    cat >> /etc/ecs/ecs.config <<CONFIG
    ECS_CLUSTER=${aws_ecs_cluster.this.name}
    ECS_ENABLE_GPU_SUPPORT=true
    ECS_AWSVPC_BLOCK_IMDS=true
    ECS_CONTAINER_STOP_TIMEOUT=${var.stop_timeout_seconds}s
    CONFIG
  EOT
  )

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = "${var.name}-gpu-worker" })
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "gpu" {
  name_prefix         = "${var.name}-gpu-"
  vpc_zone_identifier = var.private_subnet_ids
  min_size            = 0
  max_size            = var.gpu_max_count
  # ECS managed termination protection: only instances without worker tasks are removed.
  protect_from_scale_in = true

  launch_template {
    id      = aws_launch_template.gpu.id
    version = aws_launch_template.gpu.latest_version
  }

  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  dynamic "tag" {
    for_each = var.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    # The capacity provider's managed scaling sets the desired capacity.
    ignore_changes = [desired_capacity]
  }
}

resource "aws_ecs_capacity_provider" "gpu" {
  name = local.gpu_cp_name

  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.gpu.arn
    managed_termination_protection = "ENABLED"

    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = 100
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = var.gpu_max_count
    }
  }

  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", aws_ecs_capacity_provider.gpu.name]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

# --- CPU workers (Fargate): trainyard-control, trainyard-spark ---
#
# The Spark steps (validation, features, scoring) run in-process (local[*]) in these tasks:
# cpu_task_cpu / cpu_task_memory size them, and so the largest dataset a step can handle.

resource "aws_ecs_task_definition" "cpu" {
  family                   = "${var.name}-worker-cpu"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu_task_cpu
  memory                   = var.cpu_task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = var.task_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # In-process Spark spills shuffle and cache blocks to local disk (/tmp).
  ephemeral_storage {
    size_in_gib = var.cpu_task_ephemeral_storage_gib
  }

  container_definitions = jsonencode([
    {
      name             = "worker"
      image            = local.cpu_image
      essential        = true
      command          = ["worker", "--queues", join(",", var.cpu_queues), "--shutdown-grace", tostring(local.shutdown_grace)]
      healthCheck      = local.health_check
      stopTimeout      = var.stop_timeout_seconds
      environment      = local.environment
      portMappings     = local.port_mappings
      secrets          = local.secrets
      mountPoints      = local.state_mount
      logConfiguration = local.log_configuration
    }
  ])

  volume {
    name = "state"

    efs_volume_configuration {
      file_system_id     = aws_efs_file_system.state.id
      transit_encryption = "ENABLED"

      # IAM authorization: the mount is made with the task role, which the file system
      # policy (state.tf) allows to mount and write.
      authorization_config {
        access_point_id = aws_efs_access_point.state.id
        iam             = "ENABLED"
      }
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.mtls ? (var.temporal_tls_cert_secret_arn != null && var.temporal_tls_key_secret_arn != null) : var.temporal_api_key_secret_arn != null
      error_message = "temporal_auth = \"mtls\" needs temporal_tls_cert_secret_arn and temporal_tls_key_secret_arn; temporal_auth = \"api_key\" needs temporal_api_key_secret_arn."
    }
  }
}

resource "aws_ecs_service" "cpu" {
  name                   = local.services.cpu
  cluster                = aws_ecs_cluster.this.id
  task_definition        = aws_ecs_task_definition.cpu.arn
  desired_count          = var.cpu_min_count
  propagate_tags         = "SERVICE"
  enable_execute_command = false

  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.workers.id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  tags = var.tags

  lifecycle {
    # Application autoscaling owns the task count after the first apply.
    ignore_changes = [desired_count]
  }

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

# --- GPU workers (EC2 capacity provider): trainyard-train ---

resource "aws_ecs_task_definition" "gpu" {
  family                   = "${var.name}-worker-gpu"
  requires_compatibilities = ["EC2"]
  network_mode             = "awsvpc"
  cpu                      = var.gpu_task_cpu
  memory                   = var.gpu_task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = var.task_role_arn

  container_definitions = jsonencode([
    {
      name                 = "worker"
      image                = local.gpu_image
      essential            = true
      command              = ["worker", "--queues", join(",", var.gpu_queues), "--shutdown-grace", tostring(local.shutdown_grace)]
      healthCheck          = local.health_check
      stopTimeout          = var.stop_timeout_seconds
      resourceRequirements = [{ type = "GPU", value = "1" }]
      environment          = local.environment
      portMappings         = local.port_mappings
      secrets              = local.secrets
      mountPoints          = local.state_mount
      logConfiguration     = local.log_configuration
    }
  ])

  volume {
    name = "state"

    efs_volume_configuration {
      file_system_id     = aws_efs_file_system.state.id
      transit_encryption = "ENABLED"

      # IAM authorization: the mount is made with the task role, which the file system
      # policy (state.tf) allows to mount and write.
      authorization_config {
        access_point_id = aws_efs_access_point.state.id
        iam             = "ENABLED"
      }
    }
  }

  tags = var.tags
}

resource "aws_ecs_service" "gpu" {
  name                   = local.services.gpu
  cluster                = aws_ecs_cluster.this.id
  task_definition        = aws_ecs_task_definition.gpu.arn
  desired_count          = var.gpu_min_count
  propagate_tags         = "SERVICE"
  enable_execute_command = false

  capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.gpu.name
    weight            = 1
  }

  network_configuration {
    subnets         = var.private_subnet_ids
    security_groups = [aws_security_group.workers.id]
  }

  # One GPU worker per instance: spread so a lost zone does not take every trainer with it.
  ordered_placement_strategy {
    type  = "spread"
    field = "attribute:ecs.availability-zone"
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  tags = var.tags

  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

# --- application autoscaling for both services ---

locals {
  scaling = {
    cpu = {
      service = aws_ecs_service.cpu.name
      min     = var.cpu_min_count
      max     = var.cpu_max_count
      target  = var.cpu_target_utilization
      # Spark steps start in bursts; training runs long, so GPU workers scale in slowly
      # (a stopped trainer resumes from its last checkpoint on another worker, but loses time).
      scale_in_cooldown = 300
    }
    gpu = {
      service           = aws_ecs_service.gpu.name
      min               = var.gpu_min_count
      max               = var.gpu_max_count
      target            = var.gpu_target_utilization
      scale_in_cooldown = 1800
    }
  }
}

resource "aws_appautoscaling_target" "workers" {
  for_each = local.scaling

  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${each.value.service}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = each.value.min
  max_capacity       = each.value.max
}

resource "aws_appautoscaling_policy" "workers_cpu" {
  for_each = local.scaling

  name               = "${var.name}-${each.key}-workers-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.workers[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.workers[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.workers[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.target
    scale_in_cooldown  = each.value.scale_in_cooldown
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
