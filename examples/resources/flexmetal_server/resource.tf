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

  # The only attribute that changes in place.
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
}

output "web_ip" {
  value = flexmetal_server.web.ip_address
}
