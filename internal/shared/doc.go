// Package shared holds what every resource family uses, below them all: the provider data that
// Configure hands over (the client, the per-process catalog cache with its one location lookup,
// the per-plan quota planner) and Decode, which starts every handler; diagnostics and the mapping
// of API errors onto attributes; validators and the reserved tag prefix; "did you mean"
// suggestions; computed-attribute definitions shared by resource and data source schemas; list
// data source ids and items, list resource (terraform query) results, and resource identities.
// It imports no resource family and nothing of internal/provider.
package shared
