// Package e2e holds end-to-end tests that drive the real terraform binary against the provider
// binary built from this repository and the in-process simulator, for what
// terraform-plugin-testing cannot observe: terraform's own output and log, and interrupting it.
// TestFaultMatrix applies and destroys a small fleet while the simulator injects one fault at a
// time; every scenario must converge on a re-run with no orphaned and no duplicated server.
package e2e
