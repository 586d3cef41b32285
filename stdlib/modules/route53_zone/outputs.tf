output "name" {
  description = "The domain of the zone."
  value       = var.name
}

output "zone_id" {
  description = "The ID of the hosted zone."
  value       = local.zone_id
}

output "name_servers" {
  description = "The name servers that answer for the zone."
  value       = local.name_servers
}
