# Fails at plan time when Rotterdam does not offer bm9.hmm.32, naming the ones it does.
data "flexmetal_instance_type" "big" {
  location = "EU: Rotterdam"
  name     = "bm9.hmm.32"
}

output "big_hardware" {
  value = "${data.flexmetal_instance_type.big.cores} cores at ${data.flexmetal_instance_type.big.cpu_clock_mhz} MHz, ${data.flexmetal_instance_type.big.memory} GB ${data.flexmetal_instance_type.big.memory_type}, ${data.flexmetal_instance_type.big.storage} GB ${coalesce(data.flexmetal_instance_type.big.storage_type, "mixed")}"
}

# Live: high, medium, low or unavailable.
output "big_availability" {
  value = data.flexmetal_instance_type.big.availability
}
