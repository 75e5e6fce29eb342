variable "ssh_public_key" {
  description = "OpenSSH public key installed for root."
  type        = string
}

resource "flexmetal_tag" "env" {
  name = "env:prod"
}

# Refer to the tag by its attribute, so that servers follow a rename in the same apply.
resource "flexmetal_server" "web" {
  name          = "web-1"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "ubuntu-2404-lts" }
  ssh_keys      = [var.ssh_public_key]
  tags          = [flexmetal_tag.env.name]
}
