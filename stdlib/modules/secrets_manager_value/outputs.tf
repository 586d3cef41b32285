output "secret_string" {
  description = "The value of the secret."
  value       = data.aws_secretsmanager_secret_version.this.secret_string
  sensitive   = true
}

output "arn" {
  description = "The ARN of the secret."
  value       = data.aws_secretsmanager_secret_version.this.arn
}
