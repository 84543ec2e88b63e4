output "cluster_name" {
  description = "Name of the workers' ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "image_repository_url" {
  description = "ECR repository to push the Trainyard images (CPU and GPU tags) to."
  value       = aws_ecr_repository.trainyard.repository_url
}

output "service_names" {
  description = "ECS service names: cpu (trainyard-control, trainyard-spark) and gpu (trainyard-train)."
  value       = { cpu = aws_ecs_service.cpu.name, gpu = aws_ecs_service.gpu.name }
}

output "security_group_id" {
  description = "Security group of the worker tasks and GPU instances."
  value       = aws_security_group.workers.id
}

output "state_file_system_id" {
  description = "EFS file system every worker mounts at TRAINYARD_STATE_DIR (/var/lib/trainyard)."
  value       = aws_efs_file_system.state.id
}
