variable "name" {
  description = "The domain of the zone, such as shop.example.com."
  type        = string
}

variable "create" {
  description = "Create the zone; when false, read the public zone of that name that already exists."
  type        = bool
  default     = true
}

variable "comment" {
  description = "The comment on a zone created here."
  type        = string
  default     = "Managed by plat"
}

variable "tags" {
  description = "Tags of a zone created here."
  type        = map(string)
  default     = {}
}
