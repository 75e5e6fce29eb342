data "flexmetal_operating_system" "ubuntu" {
  slug = "ubuntu-2404-lts"
}

# The data source also finds operating systems that cannot be ordered: check before using one.
output "ubuntu_slug" {
  value = data.flexmetal_operating_system.ubuntu.slug

  precondition {
    condition     = data.flexmetal_operating_system.ubuntu.active && data.flexmetal_operating_system.ubuntu.available_for_flexmetal
    error_message = "${data.flexmetal_operating_system.ubuntu.name} cannot be ordered with a FlexMetal server."
  }
}
