output "ip_addresses" {
  description = "The first IP address of every server, in server order."
  value       = flexmetal_server.web[*].ip_address
}

output "servers" {
  description = "Host name => id, IP address and tags of every server."
  value = {
    for s in flexmetal_server.web : s.name => {
      id         = s.id
      ip_address = s.ip_address
      tags       = s.tags
    }
  }
}
