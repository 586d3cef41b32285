terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40"
    }
  }
}

locals {
  zones = min(var.instance_count, length(var.subnet_ids))
}

resource "aws_cloudwatch_log_group" "search" {
  name              = "/aws/opensearch/${var.name}"
  retention_in_days = 30
  tags              = var.tags
}

resource "aws_opensearch_domain" "search" {
  domain_name    = var.name
  engine_version = var.engine_version

  cluster_config {
    instance_type          = var.instance_type
    instance_count         = var.instance_count
    zone_awareness_enabled = local.zones > 1

    dynamic "zone_awareness_config" {
      for_each = local.zones > 1 ? [local.zones] : []
      content {
        availability_zone_count = zone_awareness_config.value
      }
    }
  }

  ebs_options {
    ebs_enabled = true
    volume_type = "gp3"
    volume_size = var.volume_size_gb
  }

  vpc_options {
    subnet_ids         = slice(var.subnet_ids, 0, local.zones)
    security_group_ids = var.security_group_ids
  }

  encrypt_at_rest {
    enabled = true
  }

  node_to_node_encryption {
    enabled = true
  }

  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
  }

  log_publishing_options {
    cloudwatch_log_group_arn = aws_cloudwatch_log_group.search.arn
    log_type                 = "ES_APPLICATION_LOGS"
  }

  tags = merge(var.tags, { "search/retention-days" = tostring(var.retention_days) })
}
