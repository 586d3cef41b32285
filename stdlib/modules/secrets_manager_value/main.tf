# Reads a secret that already exists in AWS Secrets Manager; creates nothing.
data "aws_secretsmanager_secret_version" "this" {
  secret_id     = var.secret_id
  version_stage = var.version_stage
}
