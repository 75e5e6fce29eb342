# A key stored by another team or configuration, looked up by name (or by id).
data "flexmetal_ssh_key" "ops" {
  name = "ops-team"
}

resource "flexmetal_server" "bastion" {
  name          = "bastion.example.com"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "ubuntu-2404-lts" }
  ssh_keys      = [data.flexmetal_ssh_key.ops.id]
}
