data "flexmetal_plans" "all" {}

locals {
  # The plan of the instance type to order.
  bm7 = one([for p in data.flexmetal_plans.all.plans : p if p.name == "bm7.std.8"])

  # The locations where it has ample capacity now; low means a few units left.
  ample = [for l in local.bm7.locations : l.name if contains(["high", "medium"], l.availability)]

  # Every instance type with the number of locations that can deliver it now.
  deliverable = {
    for p in data.flexmetal_plans.all.plans :
    p.name => length([for l in p.locations : l if l.availability != "unavailable"])
  }
}

output "bm7_ample_locations" {
  value = local.ample
}

resource "flexmetal_server" "web" {
  name          = "web-1"
  location      = local.ample[0]
  instance_type = local.bm7.name
  os            = { slug = "ubuntu-2404-lts" }
  ssh_keys      = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOAUpK7ntF+clmASHabrz5pRbGPj0oDqDK6WJsIeHddS you@example.com"]
}

output "deliverable" {
  value = local.deliverable
}
