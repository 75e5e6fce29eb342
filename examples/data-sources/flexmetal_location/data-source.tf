# Look a location up by name (or by id): a typo fails at plan time with the closest valid name.
data "flexmetal_location" "rotterdam" {
  name = "EU: Rotterdam"
}

# The instance types offered there.
data "flexmetal_instance_types" "rotterdam" {
  location = data.flexmetal_location.rotterdam.name
}

output "rotterdam" {
  value = "${data.flexmetal_location.rotterdam.display_name}, ${data.flexmetal_location.rotterdam.country_name} (id ${data.flexmetal_location.rotterdam.id})"
}
