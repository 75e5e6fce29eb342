# Every stored SSH key; set config.name to find one by name.
list "flexmetal_ssh_key" "all" {
  provider         = flexmetal
  include_resource = true
}
