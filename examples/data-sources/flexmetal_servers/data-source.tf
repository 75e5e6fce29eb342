# Every delivered production web server, including those created outside Terraform.
data "flexmetal_servers" "web" {
  status = "delivered"
  tags   = ["env:prod", "role:web"]
}

output "web_ips" {
  value = data.flexmetal_servers.web.servers[*].ip_address
}
