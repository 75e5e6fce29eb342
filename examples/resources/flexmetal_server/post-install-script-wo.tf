# The post-install script holds a secret, so it comes from an ephemeral variable (Terraform 1.10
# or later) and goes to the write-only post_install_script_wo (Terraform or OpenTofu 1.11 or
# later): it is sent to the API, never stored in the state or a plan.
variable "worker_bootstrap_script" {
  description = "Post-install script of the worker, with its registration token."
  type        = string
  ephemeral   = true
}

resource "flexmetal_server" "worker" {
  name          = "worker-1.example.com"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"

  os = {
    slug = "ubuntu-2404-lts"
  }

  ssh_keys = [flexmetal_ssh_key.deploy.id]

  post_install_script_wo = var.worker_bootstrap_script
  # Terraform cannot see a change of a write-only value: bump the version to reinstall the
  # server with the current script (in place, as allow_reinstall is true).
  post_install_script_wo_version = 1
  allow_reinstall                = true
}
