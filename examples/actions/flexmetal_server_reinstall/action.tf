variable "public_key" {
  description = "OpenSSH public key installed for root."
  type        = string
}

variable "legacy_server_id" {
  description = "UUID of a server that Terraform does not manage."
  type        = string
}

resource "flexmetal_server" "web" {
  name          = "web-1.example.com"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "ubuntu-2404-lts" }
  ssh_keys      = [var.public_key]
}

# Reinstall the managed server with its current operating system and its own keys:
#   terraform apply -invoke=action.flexmetal_server_reinstall.web
action "flexmetal_server_reinstall" "web" {
  config {
    server_id = flexmetal_server.web.id
    ssh_keys  = flexmetal_server.web.ssh_keys
  }
}

# Reinstall a server that Terraform does not manage with another operating system:
#   terraform apply -invoke=action.flexmetal_server_reinstall.rescue
action "flexmetal_server_reinstall" "rescue" {
  config {
    server_id = var.legacy_server_id
    os = {
      slug       = "debian-12"
      partitions = [{ target = "/", filesystem = "xfs", size = -1 }]
    }
    ssh_keys = [var.public_key]
    timeout  = "90m"
  }
}
