resource "aws_security_group" "spark" {
  name_prefix = "${var.name}-spark-"
  description = "EMR Serverless Spark workers: no inbound from outside the group"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-spark" })

  lifecycle {
    create_before_destroy = true
  }
}

# Driver and executors talk to each other (shuffle, block manager).
resource "aws_vpc_security_group_ingress_rule" "spark_within_group" {
  security_group_id            = aws_security_group.spark.id
  description                  = "Driver and executors"
  referenced_security_group_id = aws_security_group.spark.id
  ip_protocol                  = "-1"
}

resource "aws_vpc_security_group_egress_rule" "spark_within_group" {
  security_group_id            = aws_security_group.spark.id
  description                  = "Driver and executors"
  referenced_security_group_id = aws_security_group.spark.id
  ip_protocol                  = "-1"
}

resource "aws_vpc_security_group_egress_rule" "spark_s3" {
  security_group_id = aws_security_group.spark.id
  description       = "S3 through the gateway endpoint"
  prefix_list_id    = var.s3_prefix_list_id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "spark_endpoints" {
  security_group_id = aws_security_group.spark.id
  description       = "Interface endpoints (STS, CloudWatch Logs)"
  cidr_ipv4         = var.vpc_cidr_block
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_emrserverless_application" "spark" {
  name          = "${var.name}-spark"
  release_label = var.release_label
  type          = "spark"
  # DJL's PyTorch natives on Maven Central are linux-x86_64 only.
  architecture = "X86_64"

  maximum_capacity {
    cpu    = var.maximum_cpu
    memory = var.maximum_memory
    disk   = var.maximum_disk
  }

  auto_start_configuration {
    enabled = true
  }

  auto_stop_configuration {
    enabled              = true
    idle_timeout_minutes = var.idle_timeout_minutes
  }

  network_configuration {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [aws_security_group.spark.id]
  }

  tags = var.tags
}
