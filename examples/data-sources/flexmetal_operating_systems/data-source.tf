# Only operating systems that can be ordered with a FlexMetal server.
data "flexmetal_operating_systems" "orderable" {}

# The newest Ubuntu LTS, e.g. "ubuntu-2404-lts", for a server's os.slug.
locals {
  ubuntu_lts = reverse(sort([
    for o in data.flexmetal_operating_systems.orderable.operating_systems :
    o.slug if startswith(o.slug, "ubuntu-") && endswith(o.slug, "-lts")
  ]))[0]
}

output "ubuntu_lts" {
  value = local.ubuntu_lts
}
