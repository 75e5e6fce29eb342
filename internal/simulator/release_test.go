package simulator

import (
	"net/http"
	"testing"
	"time"
)

func TestRelease_GoesThroughReleasingToReleased(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.create(validRequest("web"))
	h.clock.Advance(10 * testStep)

	releasing := h.do(http.MethodDelete, "/v3/flexMetal/servers/"+s.UUID, nil).expect(t, http.StatusOK).server(t)
	if releasing.Status != StatusReleasing || releasing.ReleasedAt != nil {
		t.Fatalf("DELETE answered %q releasedAt=%v, want releasing with no releasedAt", releasing.Status, releasing.ReleasedAt)
	}
	if releasing.DeliveredAt == nil {
		t.Fatal("releasing a delivered server lost its deliveredAt")
	}
	if len(releasing.IPAddresses) == 0 {
		t.Fatal("a releasing server still has its addresses")
	}

	h.clock.Advance(testRelease - time.Nanosecond)
	if got := h.get(s.UUID).server(t).Status; got != StatusReleasing {
		t.Fatalf("just before release completes: %q, want releasing", got)
	}
	h.clock.Advance(time.Nanosecond)
	released := h.get(s.UUID).server(t)
	releaseDone := testStart.Add(10*testStep + testRelease).Unix()
	if released.Status != StatusReleased || released.ReleasedAt == nil || *released.ReleasedAt != releaseDone {
		t.Fatalf("got %q releasedAt=%v, want released at %d", released.Status, released.ReleasedAt, releaseDone)
	}
	if len(released.IPAddresses) != 0 {
		t.Fatalf("released server still has addresses %v", released.IPAddresses)
	}
}

func TestRelease_IsIdempotentWhileReleasingAndRefusedOnceReleased(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.create(validRequest("web"))
	path := "/v3/flexMetal/servers/" + s.UUID

	h.do(http.MethodDelete, path, nil).expect(t, http.StatusOK)
	h.clock.Advance(testRelease / 2)
	again := h.do(http.MethodDelete, path, nil).expect(t, http.StatusOK).server(t)
	if again.Status != StatusReleasing {
		t.Fatalf("second DELETE answered %q, want releasing", again.Status)
	}
	// The second DELETE must not restart the release timer.
	h.clock.Advance(testRelease / 2)
	if got := h.get(s.UUID).server(t).Status; got != StatusReleased {
		t.Fatalf("release completed at %q, want released on the first DELETE's schedule", got)
	}

	e := h.do(http.MethodDelete, path, nil).expect(t, http.StatusUnprocessableEntity).apiError(t)
	if e.ErrorCode != ErrCodeInvalidState || e.ErrorMessage != "server is already released" {
		t.Fatalf("got %+v, want invalid state 'server is already released'", e)
	}
}

func TestRelease_FailedAndProvisioningServersAreReleasable(t *testing.T) {
	tests := []struct {
		name    string
		advance time.Duration
		before  string
	}{
		{"fail-delivery-1", 8 * testStep, StatusFailed},
		{"provisioning-1", 7 * testStep, StatusProvisioning},
		{"just-created", 0, StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.before, func(t *testing.T) {
			h := newHarness(t, Config{})
			s := h.create(validRequest(tt.name))
			h.clock.Advance(tt.advance)
			if got := h.get(s.UUID).server(t).Status; got != tt.before {
				t.Fatalf("precondition: %q, want %q", got, tt.before)
			}
			got := h.do(http.MethodDelete, "/v3/flexMetal/servers/"+s.UUID, nil).expect(t, http.StatusOK).server(t)
			if got.Status != StatusReleasing {
				t.Fatalf("DELETE answered %q, want releasing", got.Status)
			}
			h.clock.Advance(testRelease)
			if got := h.get(s.UUID).server(t).Status; got != StatusReleased {
				t.Fatalf("after release: %q, want released", got)
			}
		})
	}
}

func TestRelease_UnknownServerIs404(t *testing.T) {
	h := newHarness(t, Config{})
	e := h.do(http.MethodDelete, "/v3/flexMetal/servers/0192aaaa-0000-7000-8000-000000000000", nil).
		expect(t, http.StatusNotFound).apiError(t)
	if e.ErrorCode != ErrCodeNotFound {
		t.Fatalf("errorCode %d, want %d", e.ErrorCode, ErrCodeNotFound)
	}
}

func TestRetention_ReleasedAndFailedServersVanishAfterRetention(t *testing.T) {
	const retention = 2 * time.Hour
	tests := []struct {
		name       string
		serverName string
		// terminalAt is when the server failed or finished releasing, relative to creation.
		terminalAt time.Duration
		release    bool
	}{
		{"released", "web", 3*testStep + testRelease, true},
		{"failed", "fail-delivery", 8 * testStep, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{Retention: retention})
			s := h.create(validRequest(tt.serverName))
			if tt.release {
				h.clock.Advance(3 * testStep)
				h.do(http.MethodDelete, "/v3/flexMetal/servers/"+s.UUID, nil).expect(t, http.StatusOK)
			}
			h.clock.Set(testStart.Add(tt.terminalAt + retention - time.Nanosecond))
			h.get(s.UUID).expect(t, http.StatusOK)
			if n := len(decode[[]ServerResponse](t, h.do(http.MethodGet, "/v3/flexMetal/servers", nil))); n != 1 {
				t.Fatalf("listed %d servers within retention, want 1", n)
			}

			h.clock.Advance(time.Nanosecond)
			h.get(s.UUID).expect(t, http.StatusNotFound)
			if n := len(decode[[]ServerResponse](t, h.do(http.MethodGet, "/v3/flexMetal/servers", nil))); n != 0 {
				t.Fatalf("listed %d servers after retention, want 0", n)
			}
			if _, ok := h.sim.Server(s.UUID); ok {
				t.Fatal("Server() still finds an expired server")
			}
			h.do(http.MethodDelete, "/v3/flexMetal/servers/"+s.UUID, nil).expect(t, http.StatusNotFound)
		})
	}
}

func TestRetention_DefaultIs24Hours(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.create(validRequest("web"))
	h.do(http.MethodDelete, "/v3/flexMetal/servers/"+s.UUID, nil).expect(t, http.StatusOK)
	h.clock.Advance(testRelease + 24*time.Hour - time.Second)
	h.get(s.UUID).expect(t, http.StatusOK)
	h.clock.Advance(time.Second)
	h.get(s.UUID).expect(t, http.StatusNotFound)
}

// TestRelease_RefusedInUnreleasableStatuses: a server still discovering cannot be released (the
// documented assumption); once it moves on, it can. The rule is configurable, and off when empty.
func TestRelease_RefusedInUnreleasableStatuses(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.create(validRequest("early"))
	h.clock.Advance(testStep) // created -> discovering
	resp := h.do(http.MethodDelete, "/v3/flexMetal/servers/"+s.UUID, nil).expect(t, http.StatusUnprocessableEntity).apiError(t)
	if resp.ErrorCode != ErrCodeInvalidState || resp.ErrorMessage != "Server cannot be released while discovering" {
		t.Fatalf("release while discovering answered %+v", resp)
	}
	if got := h.get(s.UUID).expect(t, http.StatusOK).server(t); got.Status != StatusDiscovering {
		t.Fatalf("refused release changed the server: %s", got.Status)
	}
	h.clock.Advance(testStep) // discovering -> discovered
	if got := h.do(http.MethodDelete, "/v3/flexMetal/servers/"+s.UUID, nil).expect(t, http.StatusOK).server(t); got.Status != StatusReleasing {
		t.Fatalf("release once discovered: %s, want releasing", got.Status)
	}

	open := newHarness(t, Config{UnreleasableStatuses: []string{}})
	s = open.create(validRequest("early"))
	open.clock.Advance(testStep)
	open.do(http.MethodDelete, "/v3/flexMetal/servers/"+s.UUID, nil).expect(t, http.StatusOK)
}
