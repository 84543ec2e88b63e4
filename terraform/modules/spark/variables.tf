variable "name" {
  description = "Name prefix for every resource of this environment, e.g. trainyard-dev."
  type        = string
}

variable "vpc_id" {
  description = "ID of the VPC the Spark workers' network interfaces are placed in."
  type        = string
}

variable "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC, for egress to its interface endpoints."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the Spark workers (no public IPs)."
  type        = list(string)
}

variable "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint; the jobs reach S3 only through it."
  type        = string
}

variable "release_label" {
  description = "EMR Serverless release. emr-spark-8.0.0 is Spark 4.0 on Scala 2.13, the line Trainyard's Spark jobs are built for (emr-7.x is Spark 3.5 on Scala 2.12 and cannot run them)."
  type        = string
  default     = "emr-spark-8.0.0"
}

variable "maximum_cpu" {
  description = "Most vCPUs all running jobs of the application may use together, e.g. \"64 vCPU\"."
  type        = string
  default     = "64 vCPU"
}

variable "maximum_memory" {
  description = "Most memory all running jobs of the application may use together, e.g. \"256 GB\"."
  type        = string
  default     = "256 GB"
}

variable "maximum_disk" {
  description = "Most disk all running jobs of the application may use together, e.g. \"1000 GB\"."
  type        = string
  default     = "1000 GB"
}

variable "idle_timeout_minutes" {
  description = "Minutes without jobs after which the application stops (and costs nothing); it starts again on the next job."
  type        = number
  default     = 15
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
