# Every delivered production web server, including those created outside Terraform.
data "flexmetal_servers" "web" {
  status = "delivered"
  tags   = ["env:prod", "role:web"]
}

output "web_ipv4s" {
  value = data.flexmetal_servers.web.servers[*].ipv4_address
}

output "web_ipv6s" {
  value = data.flexmetal_servers.web.servers[*].ipv6_address
}
