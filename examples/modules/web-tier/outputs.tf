output "ip_addresses" {
  description = "The IPv4 address of every server, in server order."
  value       = flexmetal_server.web[*].ip_address
}

output "servers" {
  description = "Host name => id, IPv4 and IPv6 address and tags of every server."
  value = {
    for s in flexmetal_server.web : s.name => {
      id           = s.id
      ip_address   = s.ip_address
      ipv6_address = s.ipv6_address
      tags         = s.tags
    }
  }
}
