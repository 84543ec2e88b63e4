output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per availability zone."
  value       = aws_subnet.private[*].id
}

output "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint, for security-group egress rules to S3."
  value       = aws_vpc_endpoint.s3.prefix_list_id
}

output "has_internet_egress" {
  description = "Whether the private subnets route to the internet through NAT gateways."
  value       = local.nat_count > 0
}
