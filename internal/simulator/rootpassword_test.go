package simulator

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func windowsRequest(name string) CreateServerRequest {
	req := validRequest(name)
	req.OS, req.SSHKey = OSRequest{Slug: OSWindows2025}, nil
	return req
}

func (h *harness) rootPassword(uuid string) reply {
	h.t.Helper()
	return h.do(http.MethodGet, "/v3/flexMetal/servers/"+uuid+"/rootPassword", nil)
}

func TestRootPassword_WindowsWithin24HoursOfDelivery(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.create(windowsRequest("win-1"))
	want, ok := h.sim.RootPassword(s.UUID)
	if !ok || len(want) != 20 {
		t.Fatalf("RootPassword = %q, %v; want a 20-character password", want, ok)
	}
	delivery := testStart.Add(9 * testStep)

	tests := []struct {
		at     time.Time
		status int
		why    string
	}{
		{delivery.Add(-time.Nanosecond), http.StatusNotFound, "not delivered"},
		{delivery, http.StatusOK, ""},
		{delivery.Add(RootPasswordWindow - time.Nanosecond), http.StatusOK, ""},
		{delivery.Add(RootPasswordWindow), http.StatusNotFound, "within 24h0m0s after delivery"},
	}
	for _, tt := range tests {
		t.Run(tt.at.Sub(delivery).String(), func(t *testing.T) {
			h.clock.Set(tt.at)
			r := h.rootPassword(s.UUID).expect(t, tt.status)
			if tt.status != http.StatusOK {
				e := r.apiError(t)
				if e.ErrorCode != ErrCodeNotFound || !strings.Contains(e.ErrorMessage, tt.why) {
					t.Fatalf("got %+v, want not found saying %q", e, tt.why)
				}
				return
			}
			got := decode[[]RootPasswordResponse](t, r)
			if len(got) != 1 || got[0].RootPassword != want {
				t.Fatalf("answered %+v, want [{%q}]", got, want)
			}
		})
	}
}

func TestRootPassword_OnlyForWindows(t *testing.T) {
	h := newHarness(t, Config{})
	linux := h.delivered(validRequest("linux"))
	talos := validRequest("talos")
	talos.OS, talos.SSHKey = OSRequest{Slug: OSTalosOmni184}, nil
	keyless := h.delivered(talos)
	for _, uuid := range []string{linux.UUID, keyless.UUID} {
		e := h.rootPassword(uuid).expect(t, http.StatusNotFound).apiError(t)
		if !strings.Contains(e.ErrorMessage, "is not Windows") {
			t.Fatalf("message %q, want it to say the os is not Windows", e.ErrorMessage)
		}
		if pw, ok := h.sim.RootPassword(uuid); ok || pw != "" {
			t.Fatalf("RootPassword = %q, %v for a non-Windows server", pw, ok)
		}
	}
	h.rootPassword("0192aaaa-0000-7000-8000-000000000000").expect(t, http.StatusNotFound)
	if _, ok := h.sim.RootPassword("missing"); ok {
		t.Fatal("RootPassword found a password for an unknown server")
	}
}

func TestRootPassword_RandomPerServer(t *testing.T) {
	h := newHarness(t, Config{})
	a, _ := h.sim.RootPassword(h.create(windowsRequest("a")).UUID)
	b, _ := h.sim.RootPassword(h.create(windowsRequest("b")).UUID)
	if a == b {
		t.Fatalf("two servers share the password %q", a)
	}
}

func TestRootPassword_ReinstallStartsANewWindow(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.delivered(windowsRequest("win"))
	first, _ := h.sim.RootPassword(s.UUID)
	h.clock.Advance(2 * RootPasswordWindow)
	h.rootPassword(s.UUID).expect(t, http.StatusNotFound)

	req := ReinstallServerRequest{Name: "win", OS: OSRequest{Slug: OSWindows2025}}
	h.patch(s.UUID, req).expect(t, http.StatusOK)
	second, ok := h.sim.RootPassword(s.UUID)
	if !ok || second == first {
		t.Fatalf("password after reinstall %q (%v), want a new one", second, ok)
	}
	if e := h.rootPassword(s.UUID).expect(t, http.StatusNotFound).apiError(t); !strings.Contains(e.ErrorMessage, "provisioning") {
		t.Fatalf("during the reinstall: %q, want it to say the server is provisioning", e.ErrorMessage)
	}
	h.clock.Advance(3 * testStep)
	if got := decode[[]RootPasswordResponse](t, h.rootPassword(s.UUID).expect(t, http.StatusOK)); got[0].RootPassword != second {
		t.Fatalf("after the reinstall: %q, want %q", got[0].RootPassword, second)
	}

	h.clock.Advance(time.Hour)
	h.patch(s.UUID, validReinstall("linux-now")).expect(t, http.StatusOK)
	h.clock.Advance(3 * testStep)
	h.rootPassword(s.UUID).expect(t, http.StatusNotFound)
	if _, ok := h.sim.RootPassword(s.UUID); ok {
		t.Fatal("a server reinstalled with Linux still has a root password")
	}
}
