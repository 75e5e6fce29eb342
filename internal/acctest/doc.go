// Package acctest is the support of every acceptance test: a simulator on loopback with provider
// factories that talk to it (SimEnv), the provider block, HCL and error-pattern helpers, and Main,
// which points Terraform at an empty CLI configuration. It builds the whole provider, so only
// tests (package x_test) import it.
package acctest
