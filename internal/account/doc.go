// Package account holds what concerns the account rather than one server: the flexmetal_quota,
// flexmetal_capacity_commits and flexmetal_tags data sources and the flexmetal_tag resource.
package account
