output "fqdn" {
  description = "The fully qualified name of the record."
  value       = aws_route53_record.this.fqdn
}
