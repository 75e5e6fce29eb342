data "flexmetal_locations" "all" {}

# Location names, e.g. "EU: Rotterdam", by country code.
output "locations_by_country" {
  value = { for l in data.flexmetal_locations.all.locations : l.country_short_name => l.name... }
}
