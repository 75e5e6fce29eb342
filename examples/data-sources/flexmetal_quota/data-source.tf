# How many more bm7.std.8 servers the account may order in Rotterdam, per kind of quota.
data "flexmetal_quota" "rotterdam" {
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
}

output "on_demand_available" {
  value = one([for q in data.flexmetal_quota.rotterdam.quotas : q.available if q.quota_type == "onDemand"])
}

output "committed_available" {
  value = { for q in data.flexmetal_quota.rotterdam.quotas : q.contract_id => q.available if q.quota_type == "commit" }
}
