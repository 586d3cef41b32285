variable "zone" {
  description = "The domain of the public hosted zone the record is written in, such as shop.example.com."
  type        = string
}

variable "name" {
  description = "The name the record answers for, such as api.shop.example.com."
  type        = string
}

variable "target" {
  description = "The DNS name of the load balancer the name points at."
  type        = string
}

variable "target_zone_id" {
  description = "The hosted zone ID of the load balancer (that of its region and kind)."
  type        = string
}
