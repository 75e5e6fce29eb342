# Runs against a FlexMetal API: the simulator (scripts/test-modules.sh, `make test-modules`) or
# the real one. The provider reads FLEXMETAL_BASE_URL and FLEXMETAL_API_KEY from the environment,
# so nothing here names an endpoint or a key:
#
#   export FLEXMETAL_BASE_URL=http://127.0.0.1:PORT   # leave unset for the real API
#   export FLEXMETAL_API_KEY=simulator-api-key        # or your own key
#   terraform test -filter=tests/simulator.tftest.hcl
#
# Against the real API the apply runs order, and afterwards release, real servers: they are billed.
provider "flexmetal" {}

variables {
  name         = "web"
  environment  = "dev"
  ssh_key_name = "web-tier-test"
}

# The module expects a stored SSH key; the setup module stores one.
run "setup" {
  module {
    source = "./tests/setup"
  }
}

# Plan runs check the module's own rules: nothing is ordered.

run "rejects_unknown_environment" {
  command = plan

  variables {
    environment = "qa"
  }

  expect_failures = [var.environment]
}

run "rejects_server_count_out_of_range" {
  command = plan

  variables {
    server_count = 11
  }

  expect_failures = [var.server_count]
}

run "rejects_high_memory_instance_type" {
  command = plan

  variables {
    instance_type = "bm9.hmm.32"
  }

  expect_failures = [var.instance_type]
}

# The precondition reads the catalog: Dallas offers bm7.std.8 only.
run "rejects_instance_type_not_offered_at_location" {
  command = plan

  variables {
    location      = "US: Dallas - TX"
    instance_type = "bm8.std.32"
  }

  expect_failures = [flexmetal_server.web]
}

run "plans_names_tags_and_key" {
  command = plan

  variables {
    server_count = 3
    extra_tags   = ["team:frontend", "role:web"]
  }

  assert {
    condition     = length(flexmetal_server.web) == 3
    error_message = "expected 3 servers, got ${length(flexmetal_server.web)}"
  }

  assert {
    condition     = flexmetal_server.web[2].name == "web-3.example.com"
    error_message = "unexpected host name ${flexmetal_server.web[2].name}"
  }

  assert {
    condition     = toset(flexmetal_server.web[0].tags) == toset(["role:web", "tier:web", "env:dev", "team:frontend"])
    error_message = "unexpected tags: ${jsonencode(flexmetal_server.web[0].tags)}"
  }

  assert {
    condition     = flexmetal_server.web[0].ssh_keys == tolist([run.setup.id])
    error_message = "servers must get the stored key ${run.setup.id}, not ${jsonencode(flexmetal_server.web[0].ssh_keys)}"
  }
}

# Apply runs order servers and wait until they are delivered; terraform test releases them after
# the last run.

run "delivers_servers" {
  variables {
    server_count = 2
  }

  assert {
    condition     = length(output.ip_addresses) == 2
    error_message = "expected 2 IP addresses, got ${jsonencode(output.ip_addresses)}"
  }

  assert {
    condition     = alltrue([for ip in output.ip_addresses : ip != null && ip != ""])
    error_message = "every server needs an IP address: ${jsonencode(output.ip_addresses)}"
  }

  assert {
    condition     = alltrue([for s in flexmetal_server.web : s.status == "delivered"])
    error_message = "every server must be delivered: ${jsonencode(flexmetal_server.web[*].status)}"
  }

  assert {
    condition     = alltrue([for s in output.servers : toset(s.tags) == toset(["role:web", "tier:web", "env:dev"])])
    error_message = "unexpected tags: ${jsonencode({ for name, s in output.servers : name => s.tags })}"
  }
}

# Tags change in place: the same servers (same ids) carry the new tag.
run "updates_tags_in_place" {
  variables {
    server_count = 2
    extra_tags   = ["team:frontend"]
  }

  assert {
    condition     = [for s in output.servers : s.id] == [for s in run.delivers_servers.servers : s.id]
    error_message = "changing tags must not replace servers"
  }

  assert {
    condition     = alltrue([for s in output.servers : contains(s.tags, "team:frontend")])
    error_message = "every server must carry team:frontend: ${jsonencode({ for name, s in output.servers : name => s.tags })}"
  }
}
