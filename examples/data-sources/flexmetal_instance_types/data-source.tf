data "flexmetal_instance_types" "rotterdam" {
  location = "EU: Rotterdam"
}

# A summary of each instance type offered in Rotterdam, keyed by the name a server's
# instance_type takes.
output "instance_types" {
  value = {
    for t in data.flexmetal_instance_types.rotterdam.instance_types :
    t.name => "${t.cores} cores (${t.cpu_name}), ${t.memory} GB ${t.memory_type}, ${t.storage} GB in ${length(t.disks)} disks, availability ${t.availability}"
  }
}

# The instance types Rotterdam can deliver now.
output "available_now" {
  value = [for t in data.flexmetal_instance_types.rotterdam.instance_types : t.name if t.availability != "unavailable"]
}
