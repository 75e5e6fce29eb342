variable "public_key_file" {
  description = "Path of the OpenSSH public key to store."
  type        = string
  default     = "~/.ssh/id_ed25519.pub"
}

resource "flexmetal_ssh_key" "deploy" {
  name       = "deploy"
  public_key = file(pathexpand(var.public_key_file))
}
