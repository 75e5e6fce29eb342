// Package simulator is a stateful, in-memory stand-in for i3D.net's FlexMetal REST API (v3).
//
// It serves the endpoints a FlexMetal client needs (locations, instance types, operating
// systems, SSH keys, servers and server tags) with the API's wire conventions: the
// PRIVATE-TOKEN header, JSON arrays around single objects, RANGED-DATA pagination and the
// {errorCode, errorMessage, errors} error body.
//
// Server status is not driven by background goroutines: it is computed on every read from the
// server's creation time and the configured Clock, so tests that use a ManualClock get exact,
// repeatable transitions without sleeping.
//
// Tests can inject faults (error statuses, rate limiting, dropped connections, malformed
// bodies, latency), change servers out of band as if someone used the i3D.net console, and
// inspect every request the simulator received.
package simulator
