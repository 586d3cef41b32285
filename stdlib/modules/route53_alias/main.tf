# An alias record that points a name at a load balancer, in the public hosted zone that
# already exists for the domain.
data "aws_route53_zone" "this" {
  name         = var.zone
  private_zone = false
}

resource "aws_route53_record" "this" {
  zone_id = data.aws_route53_zone.this.zone_id
  name    = var.name
  type    = "A"

  alias {
    name                   = var.target
    zone_id                = var.target_zone_id
    evaluate_target_health = true
  }
}
