variable "public_key_file" {
  description = "Path of the OpenSSH public key to store."
  type        = string
  default     = "~/.ssh/id_ed25519.pub"
}

resource "flexmetal_ssh_key" "deploy" {
  name       = "deploy"
  public_key = file(pathexpand(var.public_key_file))
}

# An Ubuntu web server. Ordering it takes a few minutes: apply returns once it is delivered.
resource "flexmetal_server" "web" {
  name          = "web-1.example.com"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"

  os = {
    slug = "ubuntu-2404-lts"
  }

  # Stored keys by UUID, or public keys inline.
  ssh_keys = [flexmetal_ssh_key.deploy.id]

  post_install_script = <<-EOT
    #!/bin/bash
    apt-get update && apt-get install -y nginx
  EOT

  # Tags change in place. Changing name, os, ssh_keys or the script erases the disks: it
  # replaces the server, unless allow_reinstall = true reinstalls it in place (same IP addresses).
  tags = ["env:prod", "role:web"]

  timeouts = {
    create = "90m"
  }
}

# A database server with its own partition layout, ordered from a committed capacity pool and
# falling back to on-demand capacity when the pool is full.
resource "flexmetal_server" "db" {
  name          = "db-1.example.com"
  location      = "EU: Rotterdam"
  instance_type = "bm9.hmm.32"

  os = {
    slug = "debian-12"
    partitions = [
      { target = "/", filesystem = "ext4", size = 102400 },
      { target = "/var/lib/postgresql", filesystem = "xfs", size = -1 },
    ]
  }

  ssh_keys    = [flexmetal_ssh_key.deploy.id]
  contract_id = "POOL-EU-2025"
  overflow    = true
  tags        = ["env:prod", "role:db"]

  # Keep the data: reinstall in place rather than order a new server, and refuse any plan that
  # would destroy, replace or reinstall it, even after this block is deleted.
  allow_reinstall     = true
  deletion_protection = true
}

output "web_ipv4" {
  value = flexmetal_server.web.ipv4_address
}

output "web_ipv6" {
  value = flexmetal_server.web.ipv6_address
}
