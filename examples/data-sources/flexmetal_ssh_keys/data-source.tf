data "flexmetal_ssh_keys" "all" {}

output "ssh_key_names" {
  value = data.flexmetal_ssh_keys.all.ssh_keys[*].name
}
