# Stores the SSH key the web tier looks up by name, as a team would have done once per account.
# tests/simulator.tftest.hcl applies it in its first run; terraform test deletes the key again
# after the suite's last run.
terraform {
  required_providers {
    flexmetal = {
      source = "flexmetal/flexmetal"
    }
  }
}

variable "ssh_key_name" {
  description = "Name to store the key under."
  type        = string
}

resource "flexmetal_ssh_key" "deploy" {
  name       = var.ssh_key_name
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOAUpK7ntF+clmASHabrz5pRbGPj0oDqDK6WJsIeHddS web-tier-test"
}

output "id" {
  description = "The stored key's UUID."
  value       = flexmetal_ssh_key.deploy.id
}
