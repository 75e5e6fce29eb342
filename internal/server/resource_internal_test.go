package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestDeliveryErrorDetail: a delivery that did not complete says why in the user's terms: a
// timeout while the API was down names since when, and "OK" is not quoted as the API's message.
func TestDeliveryErrorDetail(t *testing.T) {
	ordered := &flexmetal.Server{UUID: "u1", Name: "web", Status: "created"}
	provisioning := &flexmetal.Server{UUID: "u1", Name: "web", Status: "provisioning", StatusMessage: "OK"}
	installing := &flexmetal.Server{UUID: "u1", Name: "web", Status: "provisioning", StatusMessage: "installing OS"}
	unreachable := &flexmetal.TransportError{Method: "GET", Path: "/v3/flexMetal/servers/u1", Endpoint: "http://127.0.0.1:1", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}
	since := time.Date(2026, 5, 4, 13, 2, 3, 0, time.FixedZone("CEST", 2*3600))
	deadline := func(last *flexmetal.Server, failing *flexmetal.PollFailures) error {
		return &flexmetal.WaitError{UUID: "u1", Want: "delivered", Last: last, Err: context.DeadlineExceeded, Failing: failing}
	}
	cases := []struct {
		name      string
		err       error
		want      []string
		wantNotIn []string
	}{
		{
			name:      "timeout with nothing to report",
			err:       deadline(provisioning, nil),
			want:      []string{`the create timeout of 20s ran out with the server in status "provisioning".` + "\n", "raise timeouts.create"},
			wantNotIn: []string{`"OK"`, "API's message"},
		},
		{
			name: "timeout with a status message",
			err:  deadline(installing, nil),
			want: []string{`in status "provisioning". The API's message: "installing OS".`},
		},
		{
			name: "timeout while the API was unreachable",
			err:  deadline(provisioning, &flexmetal.PollFailures{Since: since, Count: 7, Last: unreachable}),
			want: []string{
				"the create timeout of 20s ran out while the FlexMetal API could not be reached since 11:02:03 UTC (7 status checks failed, the last with: GET /v3/flexMetal/servers/u1",
				`The last status seen was "provisioning".` + "\n", "check base_url and the network",
			},
			wantNotIn: []string{`"unknown"`, `"OK"`, "raise timeouts.create"},
		},
		{
			name: "timeout while the API failed before any status was seen",
			err:  deadline(nil, &flexmetal.PollFailures{Since: since, Count: 1, Last: fmt.Errorf("wrapped: %w", &flexmetal.APIError{StatusCode: 503})}),
			want: []string{
				"ran out while the FlexMetal API failed every status check since 11:02:03 UTC (1 status check failed",
				`No status check got an answer; the order was accepted with status "created".`,
			},
			wantNotIn: []string{`"unknown"`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := deliveryErrorDetail(ordered, 20*time.Second, c.err)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("detail lacks %q:\n%s", w, got)
				}
			}
			for _, w := range c.wantNotIn {
				if strings.Contains(got, w) {
					t.Errorf("detail has %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestInterruptedDeliveryDetail: an interrupted wait keeps the server untainted, and says when
// the API had stopped answering before that.
func TestInterruptedDeliveryDetail(t *testing.T) {
	since := time.Date(2026, 5, 1, 11, 2, 3, 0, time.UTC)
	m := serverModel{}
	m.ID, m.Name, m.Status = types.StringValue("u1"), types.StringValue("web-1"), types.StringValue("created")
	err := &flexmetal.WaitError{UUID: "u1", Err: context.Canceled, Failing: &flexmetal.PollFailures{Since: since, Count: 2, Last: errors.New("connection refused")}}
	got := interruptedDeliveryDetail(&flexmetal.Server{Status: "provisioning"}, m, err)
	for _, want := range []string{`server u1 (web-1) was interrupted with the server in status "provisioning". Before that, `, "since 11:02:03 UTC (2 status checks failed", "not tainted", "next apply keeps it"} {
		if !strings.Contains(got, want) {
			t.Errorf("detail %q lacks %q", got, want)
		}
	}
}
