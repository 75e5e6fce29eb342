// Package faultmatrix holds the fault-matrix test: a small fleet is applied and destroyed with
// the real terraform binary and the provider binary while the simulator injects one fault at a
// time. Every scenario must converge on a re-run with no orphaned and no duplicated server.
package faultmatrix
