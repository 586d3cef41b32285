output "endpoint" {
  description = "The host name of the domain's REST API, inside the VPC."
  value       = aws_opensearch_domain.search.endpoint
}

output "arn" {
  description = "The domain's ARN, for IAM policies that grant access to it."
  value       = aws_opensearch_domain.search.arn
}

output "dashboard_endpoint" {
  description = "The host name of OpenSearch Dashboards."
  value       = aws_opensearch_domain.search.dashboard_endpoint
}
