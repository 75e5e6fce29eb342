// Package simulator is a stateful, in-memory stand-in for i3D.net's FlexMetal REST API (v3).
//
// It serves the endpoints a FlexMetal client needs (locations, plans, instance types, operating
// systems, SSH keys, servers, their reinstall commands, tags and root passwords, the account's
// tags, quota, committed capacity and usage) with the API's wire conventions: the PRIVATE-TOKEN
// header, JSON arrays around single objects, RANGED-DATA pagination (one default page size,
// Config.DefaultPageSize, for every list) and the {errorCode, errorMessage, errors} error body.
//
// Server status is not driven by background goroutines: it is computed on every read from the
// server's creation time and the configured Clock, so tests that use a ManualClock get exact,
// repeatable transitions without sleeping.
//
// Tests can inject faults (error statuses, rate limiting, dropped connections before or after
// the simulator acted, malformed bodies, latency) on any method, PATCH included; change servers
// out of band as if someone used the i3D.net console; and inspect every request the simulator
// received.
//
// # Lifecycle
//
// A new server spends one Config.StepDuration in each of created, discovering, discovered,
// allocating, allocated, configuring_network, network_configured (from here on it has its IP
// addresses), provisioning and provisioned, then is delivered. DELETE makes it releasing for
// Config.ReleaseDuration, then released. Failed and released servers stay visible for
// Config.Retention (24 hours), then answer 404. A release is refused (422, "Server cannot be
// released while discovering") in Config.UnreleasableStatuses, by default while the server is
// discovering: an assumption, since i3D.net documents no such rule, made because an
// implementation of the API was seen refusing it.
//
// # IP addresses
//
// From network_configured on, a server has exactly two addresses, an IPv4 and an IPv6 one, as
// i3D.net's own provider tests expect of the real API. They are documentation addresses, never
// routable, and stay the server's through reinstalls: 192.0.2.N, unique for the first 254 servers, and 2001:db8:0:N::1, one /64 per server. On the wire each is
// {"ipAddress": ...}, the API's only property for it (no version or type field), IPv4 first;
// the API documents no order, so clients tell the families apart by parsing.
//
// # Failure rules
//
// Names choose the outcome, decided when the request is accepted (the patterns are Config
// fields; the defaults are substrings):
//
//   - an order whose name contains "fail-delivery" fails when it would reach provisioned, with
//     FailureMessage;
//   - an order whose name contains "stuck" never leaves provisioning (this wins over
//     fail-delivery);
//   - a reinstall whose name contains "fail-reinstall-keep" ends with its command failed and the
//     server back to delivered, its statusMessage ReinstallFailureMessage;
//   - a reinstall whose name contains "fail-reinstall" ends with its command failed and the
//     server failed, with ReinstallFailureMessage (retention then applies);
//   - a reinstall whose name contains "stuck" stays provisioning with its command running.
//
// ForceStatus pins any status out of band.
//
// # Reinstall
//
// PATCH /v3/flexMetal/servers/{uuid} with {name, os{slug, kernelParams, partitions,
// ipxeScriptUrl}, sshKey, postInstallScript} reinstalls a delivered server; any other status
// answers 422 (ErrCodeInvalidState). The body is checked by the create request's validation,
// with the same property names (os.slug, sshKey[0], ...); unknown properties, such as location,
// answer 400; a body without name keeps the server's name. The answer is the server in an
// array. The server keeps its uuid, addresses, location, instance type, contract and tags, and
// takes the new name, os, keys and script at once, whatever the outcome.
//
// The reinstall creates an update-server command and runs on the clock, one StepDuration per
// step: command queued and server provisioning; command running, server provisioning; command
// running, server provisioned; command finished and server delivered. deliveredAt keeps the
// previous delivery until the reinstall finishes, then becomes its end (a failed reinstall
// keeps the previous one). A release or ForceStatus while the command runs fails it.
//
// GET /v3/flexMetal/servers/{uuid}/commands?type=update-server lists a server's commands
// newest first, in snake_case ({uuid, server_uuid, payload: [], state, created_at,
// updated_at}, times as "2006-01-02T15:04:05+00:00"); another type lists none. Reinstalls,
// LastReinstall and CountPatches show what was sent and how often.
//
// # Keyless operating systems
//
// Orders and reinstalls of a Windows operating system (osGroup 1, e.g. windows-2025) or of a
// Talos one (slug starting with "talos": talos-omni-184, and talos-omni-1116 and
// talos-omni-1123, the releases i3D.net's own provider tests order, usually with kernel
// parameters), or of custom-ipxe (the script installs the system; i3D.net's tests order it
// without keys) may send no SSH keys or an empty list; keys that are
// sent are still checked. Linux and BSD (osGroup 2) need at least one key, else 422 on sshKey.
//
// # Root password
//
// Every installation of Windows gets a random root password (RootPassword shows it). GET
// /v3/flexMetal/servers/{uuid}/rootPassword answers [{"rootPassword": ...}] while the server
// is delivered and for RootPasswordWindow (24 hours) after deliveredAt, so a reinstall starts
// a new window; otherwise, and for other operating systems, it answers 404.
//
// # Account tags
//
// GET /v3/flexMetal/tags lists the account's tags by name, each with the number of servers
// (released ones excepted) carrying it. Tags given at order time, through the server tag
// endpoints or SetServerTags join the list and stay in it when removed from servers. POST
// creates one (409 if it exists, 422 if malformed); PUT /v3/flexMetal/tags/{tag} renames it on
// every server; DELETE removes it from the account and from every server.
//
// # Plans and availability
//
// GET /v3/flexMetal/plans lists every instance type once, with its hardwareDetails (cpu,
// memory, disks, networkInterfaces, gpu null) and, per location offering it, its dcCode and
// availability: high unless Config.Availability or SetAvailability says otherwise (medium, low
// or unavailable, per location and instance type or per instance type everywhere).
// Config.NoPlansEndpoint makes it answer 404, as an API that predates it. The deprecated
// GET /v3/flexMetal/location/{locationId}/instanceTypes is kept for old clients.
//
// Assumption: i3D.net does not document how the API answers an order of an instance type that
// is unavailable at its location. The simulator refuses it before quota and commits are
// considered, with 422 (ErrCodeUnavailable) and one error on instanceType naming the type and
// the location; medium and low availability take orders as usual.
//
// # Quota and committed capacity
//
// Config.OnDemandQuota caps the on-demand servers per location and instance type (or per
// instance type at every location); others get DefaultOnDemandQuota. Servers count until they
// fail or are released. An order beyond the quota answers 422 (ErrCodeQuotaExceeded) naming
// the quota. Config.CapacityCommits are committed pools that orders fill first: the named
// contract's, or any at that location and instance type; when they are full, an order needs
// overflow to go on-demand. Without commits, contract ids are stored unchecked.
// GET /v3/flexMetal/quota/usage, /v3/flexMetal/capacity/commit and /v3/flexMetal/usage
// (billed time from first delivery to release, hours rounded up) report them.
package simulator
