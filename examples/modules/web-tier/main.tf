# A small web tier: server_count identical FlexMetal servers with the team's stored SSH key and
# role, tier and environment tags. tests/ holds its terraform test suites, one against the API
# (or the simulator) and one with a mocked provider; docs/guides/testing-modules.md explains them.

data "flexmetal_ssh_key" "deploy" {
  name = var.ssh_key_name
}

data "flexmetal_instance_types" "here" {
  count = var.check_instance_type_offered ? 1 : 0

  location = var.location
}

locals {
  offered_instance_types = flatten(data.flexmetal_instance_types.here[*].instance_types[*].name)
  tags                   = distinct(concat(["role:web", "tier:${var.name}", "env:${var.environment}"], var.extra_tags))
}

resource "flexmetal_server" "web" {
  count = var.server_count

  name          = "${var.name}-${count.index + 1}.${var.domain}"
  location      = var.location
  instance_type = var.instance_type
  os = {
    slug = var.os_slug
  }
  ssh_keys = [data.flexmetal_ssh_key.deploy.id]
  tags     = local.tags

  lifecycle {
    precondition {
      condition     = !var.check_instance_type_offered || contains(local.offered_instance_types, var.instance_type)
      error_message = "Instance type ${var.instance_type} is not offered at ${var.location}; it offers: ${join(", ", local.offered_instance_types)}."
    }
  }
}
