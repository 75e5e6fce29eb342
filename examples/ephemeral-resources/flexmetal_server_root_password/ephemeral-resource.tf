# A Windows server takes no SSH keys: its Administrator password is generated at installation.
resource "flexmetal_server" "win" {
  name          = "win-1.example.com"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"

  os = {
    slug = "windows-2025"
  }
}

# Read once the server is delivered (server_id refers to the resource), within 24 hours of its
# installation. The password is never stored in the state or a plan.
ephemeral "flexmetal_server_root_password" "win" {
  server_id = flexmetal_server.win.id
}

# Use it where Terraform accepts ephemeral values: write-only arguments of other resources (such
# as secret_string_wo of the AWS provider's aws_secretsmanager_secret_version), provider
# blocks, locals, and ephemeral variables and outputs of modules.
locals {
  windows_admin = {
    host     = flexmetal_server.win.ipv4_address
    user     = "Administrator"
    password = ephemeral.flexmetal_server_root_password.win.root_password
  }
}
