variable "name" {
  description = "Name prefix for every resource of this environment, e.g. trainyard-dev."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR block of the VPC. Private subnets take one /20 per availability zone from its start."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) <= 16
    error_message = "cidr_block must be an IPv4 CIDR of size /16 or larger, e.g. 10.40.0.0/16."
  }
}

variable "availability_zone_count" {
  description = "How many availability zones get a private subnet (RDS and the internal ALB need at least two)."
  type        = number
  default     = 2

  validation {
    condition     = var.availability_zone_count >= 2 && var.availability_zone_count <= 6
    error_message = "availability_zone_count must be between 2 and 6."
  }
}

variable "nat_gateway_mode" {
  description = "Internet egress for the private subnets: none (VPC endpoints only), single (one NAT gateway) or per_az (one per zone). Needed when Temporal (e.g. Temporal Cloud) is reached over the internet."
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "single", "per_az"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be one of none, single, per_az."
  }
}

variable "interface_endpoint_services" {
  description = "AWS services reached through interface VPC endpoints, so private tasks need no internet for them: ECR (image pulls), logs, secretsmanager (ECS secrets), sts, and ecs/ecs-agent/ecs-telemetry for the GPU container instances."
  type        = list(string)
  default     = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts", "ecs", "ecs-agent", "ecs-telemetry"]
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the flow-log log group."
  type        = string
}

variable "flow_log_retention_days" {
  description = "Days VPC flow logs (all traffic) are kept in CloudWatch Logs."
  type        = number
  default     = 90
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
