# Fails at plan time when Rotterdam does not offer bm9.hmm.32, naming the ones it does.
data "flexmetal_instance_type" "big" {
  location = "EU: Rotterdam"
  name     = "bm9.hmm.32"
}

output "big_hardware" {
  value = "${data.flexmetal_instance_type.big.cores} cores, ${data.flexmetal_instance_type.big.memory} GB ${data.flexmetal_instance_type.big.memory_type}, ${data.flexmetal_instance_type.big.storage} GB ${data.flexmetal_instance_type.big.storage_type}"
}
