variable "name" {
  description = "The domain's name: lower case letters, digits and hyphens, at most 28 characters."
  type        = string
}

variable "engine_version" {
  description = "The OpenSearch version of the domain."
  type        = string
  default     = "OpenSearch_2.13"
}

variable "instance_type" {
  description = "The instance type of the data nodes: `r6g.large.search`."
  type        = string
}

variable "instance_count" {
  description = "How many data nodes; more than one spreads them over the subnets' zones."
  type        = number
  default     = 2
}

variable "volume_size_gb" {
  description = "The size of each data node's EBS volume, in GiB."
  type        = number
}

variable "retention_days" {
  description = "How many days of indices the domain keeps; the rest are deleted by an ISM policy."
  type        = number
  default     = 30
}

variable "subnet_ids" {
  description = "The private subnets the data nodes are placed in, one per availability zone."
  type        = list(string)
}

variable "security_group_ids" {
  description = "The security groups that may reach the domain on port 443."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
