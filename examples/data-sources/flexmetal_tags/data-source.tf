data "flexmetal_tags" "all" {}

# Tags that no server carries any more.
output "unused_tags" {
  value = [for t in data.flexmetal_tags.all.tags : t.name if t.server_count == 0]
}
