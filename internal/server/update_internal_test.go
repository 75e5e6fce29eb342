package server

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// TestClassifyReinstallError: the one reading of a reinstall's error that the resource and the
// action share.
func TestClassifyReinstallError(t *testing.T) {
	provisioning := &flexmetal.Server{Status: "provisioning"}
	cases := []struct {
		name     string
		err      error
		sent     bool
		kind     reinstallErrorKind
		summary  string
		contains []string
	}{
		{"failed with a message", &flexmetal.ReinstallFailedError{Server: &flexmetal.Server{StatusMessage: "disk error"}}, true,
			reinstallFailed, "Server Reinstall Failed", []string{`The reinstall of server u (web) failed; the API's message: "disk error".`}},
		{"failed without a message", &flexmetal.ReinstallFailedError{}, true,
			reinstallFailed, "Server Reinstall Failed", []string{"the API's message: no message."}},
		{"timeout", &flexmetal.WaitError{Last: provisioning, Err: context.DeadlineExceeded}, true,
			reinstallTimedOut, "Server Reinstall Did Not Complete", []string{`The update timeout of 20m0s ran out while server u (web) was being reinstalled (last status "provisioning")`}},
		{"interrupted", &flexmetal.WaitError{Last: provisioning, Err: context.Canceled}, true,
			reinstallWaitStopped, "Server Reinstall Did Not Complete", []string{`Waiting for the reinstall of server u (web) stopped (last status "provisioning")`, "goes on without Terraform"}},
		{"answer lost", &flexmetal.AmbiguousReinstallError{Err: errors.New("reset")}, false,
			reinstallUnconfirmed, "Unable to Confirm Server Reinstall", []string{"was sent but its answer was lost"}},
		{"accepted, then the wait failed", errors.New("boom"), true,
			reinstallWaitFailed, "Server Reinstall Did Not Complete", []string{"was accepted, but waiting for it failed"}},
		{"refused", &flexmetal.APIError{StatusCode: 422}, false, reinstallNotSent, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := classifyReinstallError(c.err, "server u (web)", "update timeout", 20*time.Minute, c.sent)
			if got.kind != c.kind || got.summary != c.summary {
				t.Errorf("kind %v summary %q, want %v %q", got.kind, got.summary, c.kind, c.summary)
			}
			for _, want := range c.contains {
				if !strings.Contains(got.what, want) {
					t.Errorf("what %q lacks %q", got.what, want)
				}
			}
		})
	}
}
