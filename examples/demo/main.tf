# The configuration `make demo` applies against the bundled simulator: it looks up the catalog,
# stores an SSH key and orders a small tagged fleet. scripts/demo.sh sets FLEXMETAL_BASE_URL and
# FLEXMETAL_API_KEY; the same configuration works against the real API with your own key.
terraform {
  required_providers {
    flexmetal = {
      source = "flexmetal/flexmetal"
    }
  }
}

provider "flexmetal" {}

variable "city" {
  description = "Display name of the location to order in."
  type        = string
  default     = "Rotterdam"
}

variable "server_count" {
  description = "How many web servers to order."
  type        = number
  default     = 3
}

variable "public_key" {
  description = "OpenSSH public key installed for root on every server."
  type        = string
  default     = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOAUpK7ntF+clmASHabrz5pRbGPj0oDqDK6WJsIeHddS sim-example-ed25519"
}

data "flexmetal_locations" "all" {}

data "flexmetal_instance_types" "here" {
  location = local.location
}

data "flexmetal_operating_systems" "orderable" {}

locals {
  # "EU: Rotterdam": the name a server's location takes.
  location = one([for l in data.flexmetal_locations.all.locations : l.name if l.display_name == var.city])

  # The instance type with the fewest cores offered there.
  fewest_cores  = min(data.flexmetal_instance_types.here.instance_types[*].cores...)
  instance_type = [for t in data.flexmetal_instance_types.here.instance_types : t.name if t.cores == local.fewest_cores][0]

  # The newest orderable Ubuntu LTS.
  os_slug = reverse(sort([
    for o in data.flexmetal_operating_systems.orderable.operating_systems :
    o.slug if startswith(o.slug, "ubuntu-") && endswith(o.slug, "-lts")
  ]))[0]
}

resource "flexmetal_ssh_key" "demo" {
  name       = "demo"
  public_key = var.public_key
}

resource "flexmetal_server" "web" {
  count = var.server_count

  name          = "web-${count.index + 1}.demo.example.com"
  location      = local.location
  instance_type = local.instance_type
  os = {
    slug = local.os_slug
  }
  ssh_keys = [flexmetal_ssh_key.demo.id]
  tags     = ["demo", "role:web"]
}

output "catalog" {
  description = "Location, instance type and operating system the servers use."
  value       = "${local.location}, ${local.instance_type}, ${local.os_slug}"
}

output "servers" {
  description = "Name => id and IPv4 and IPv6 address of every server."
  value = {
    for s in flexmetal_server.web : s.name => {
      id           = s.id
      ipv4_address = s.ipv4_address
      ipv6_address = s.ipv6_address
    }
  }
}
