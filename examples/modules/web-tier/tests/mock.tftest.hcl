# Needs no API, no simulator and no key: mock_provider (Terraform 1.7 or later) answers for the
# provider, with generated values for whatever the overrides below leave out.
#
#   terraform test -filter=tests/mock.tftest.hcl
#
# Mocked runs check the module's own logic: names, tags, outputs, validation and preconditions.
# What the provider and the API do (plan-time catalog checks, the delivery itself) is only
# exercised against an API, in tests/simulator.tftest.hcl.
mock_provider "flexmetal" {
  mock_resource "flexmetal_server" {
    defaults = {
      status       = "delivered"
      ip_address   = "192.0.2.10"
      ip_addresses = ["192.0.2.10"]
    }
  }
}

override_data {
  target = data.flexmetal_ssh_key.deploy
  values = {
    id = "5d1c9e62-3b0f-4a8e-9a53-2f6c1d7e8b40"
  }
}

variables {
  name         = "shop"
  environment  = "prod"
  ssh_key_name = "deploy"

  # A mocked flexmetal_instance_types always lists no instance types: Terraform cannot mock a
  # list of objects such as instance_types (hashicorp/terraform#38369).
  check_instance_type_offered = false
}

run "rejects_invalid_name" {
  command = plan

  variables {
    name = "Shop_1"
  }

  expect_failures = [var.name]
}

run "rejects_fractional_server_count" {
  command = plan

  variables {
    server_count = 1.5
  }

  expect_failures = [var.server_count]
}

# With the check on, the empty mocked catalog offers nothing, so the precondition must fail.
run "rejects_instance_type_not_offered" {
  command = plan

  variables {
    check_instance_type_offered = true
  }

  expect_failures = [flexmetal_server.web]
}

# override_resource pins a resource's computed values, here to check how outputs map them. This
# run comes before any other apply: a mocked provider sets computed values only when it creates a
# resource, and it updates existing ones in place (it does not know which arguments force a new
# server), so an override would not reach a server that an earlier run created.
run "outputs_each_servers_address" {
  variables {
    server_count = 1
  }

  override_resource {
    target = flexmetal_server.web
    values = {
      id         = "7f1c2b9e-4d3a-4c1e-8f0a-6b5d4c3b2a10"
      ip_address = "198.51.100.7"
    }
  }

  assert {
    condition     = output.ip_addresses == ["198.51.100.7"]
    error_message = "unexpected IP addresses: ${jsonencode(output.ip_addresses)}"
  }

  assert {
    condition     = output.servers["shop-1.example.com"].id == "7f1c2b9e-4d3a-4c1e-8f0a-6b5d4c3b2a10"
    error_message = "unexpected servers output: ${jsonencode(output.servers)}"
  }
}

run "creates_tagged_servers" {
  variables {
    server_count = 3
    domain       = "shop.example.net"
  }

  assert {
    condition     = length(output.ip_addresses) == 3
    error_message = "expected 3 IP addresses, got ${jsonencode(output.ip_addresses)}"
  }

  assert {
    condition     = alltrue([for ip in output.ip_addresses : ip != null && ip != ""])
    error_message = "every server needs an IP address: ${jsonencode(output.ip_addresses)}"
  }

  assert {
    condition     = keys(output.servers) == ["shop-1.shop.example.net", "shop-2.shop.example.net", "shop-3.shop.example.net"]
    error_message = "unexpected host names: ${jsonencode(keys(output.servers))}"
  }

  assert {
    condition     = alltrue([for s in output.servers : toset(s.tags) == toset(["role:web", "tier:shop", "env:prod"])])
    error_message = "unexpected tags: ${jsonencode({ for name, s in output.servers : name => s.tags })}"
  }

  assert {
    condition     = alltrue([for s in flexmetal_server.web : s.ssh_keys == tolist(["5d1c9e62-3b0f-4a8e-9a53-2f6c1d7e8b40"])])
    error_message = "servers must get the id of the key looked up by name"
  }
}

