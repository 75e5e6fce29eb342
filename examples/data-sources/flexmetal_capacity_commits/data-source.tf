# Committed capacity that is still unused, per location and instance type.
data "flexmetal_capacity_commits" "all" {}

output "unused_commits" {
  value = {
    for c in data.flexmetal_capacity_commits.all.commits :
    "${c.location}/${c.instance_type}" => c.available if c.available > 0
  }
}
