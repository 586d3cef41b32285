variable "secret_id" {
  description = "The name or ARN of the secret in AWS Secrets Manager."
  type        = string
}

variable "version_stage" {
  description = "The staging label of the version to read: AWSCURRENT unless a rotation needs another."
  type        = string
  default     = "AWSCURRENT"
}
