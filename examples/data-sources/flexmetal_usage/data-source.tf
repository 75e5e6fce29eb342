# Last month, from its first to its last day (UTC).
locals {
  this_month = "${formatdate("YYYY-MM", plantimestamp())}-01T00:00:00Z"
  last_day   = timeadd(local.this_month, "-24h")
}

data "flexmetal_usage" "last_month" {
  start_date = formatdate("YYYY-MM-01", local.last_day)
  end_date   = formatdate("YYYY-MM-DD", local.last_day)
}

# Billed hours per server (a server billed for two periods counts once, summed).
output "hours_per_server" {
  value = {
    for name, hours in {
      for s in data.flexmetal_usage.last_month.servers : s.name => s.total_hours...
    } : name => sum(hours)
  }
}

# Billed hours per tag, such as "team:web".
output "hours_per_tag" {
  value = {
    for tag, hours in {
      for pair in flatten([
        for s in data.flexmetal_usage.last_month.servers : [for t in s.tags : { tag = t, hours = s.total_hours }]
      ]) : pair.tag => pair.hours...
    } : tag => sum(hours)
  }
}

output "total_hours" {
  value = data.flexmetal_usage.last_month.total_hours
}
