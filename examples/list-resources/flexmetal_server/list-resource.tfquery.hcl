# Every web server at one location, with the resource objects that
# `terraform query -generate-config-out=web.tf` turns into configuration.
list "flexmetal_server" "web" {
  provider         = flexmetal
  include_resource = true

  config {
    tags     = ["role:web"]
    location = "EU: Rotterdam"
  }
}

# Servers that failed during delivery, or were released within the last day.
list "flexmetal_server" "failed_or_released" {
  provider = flexmetal

  config {
    status = ["failed", "released"]
  }
}
