// Package server is the flexmetal_server family: the resource (schema, the one input-rule table
// that decides whether a change updates in place, reinstalls or replaces, plan-time checks and the
// quota warning, create/read/delete, and the reinstall in Update), the flexmetal_servers data
// source, the flexmetal_server list resource, the flexmetal_server_reinstall action and the
// flexmetal_server_root_password ephemeral resource. Nothing imports it but internal/provider.
package server
