# The Route 53 public hosted zone of a domain: created here, or read when it already
# exists (a zone delegated by another team).
resource "aws_route53_zone" "this" {
  count = var.create ? 1 : 0

  name    = var.name
  comment = var.comment
  tags    = var.tags
}

data "aws_route53_zone" "existing" {
  count = var.create ? 0 : 1

  name         = var.name
  private_zone = false
}

locals {
  zone_id      = var.create ? aws_route53_zone.this[0].zone_id : data.aws_route53_zone.existing[0].zone_id
  name_servers = var.create ? aws_route53_zone.this[0].name_servers : data.aws_route53_zone.existing[0].name_servers
}
