package simulator

import (
	"net/http"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestLifecycle_ProgressesOneStatusPerStepUntilDelivered(t *testing.T) {
	h := newHarness(t, Config{})
	created := h.create(validRequest("web-1"))
	if created.Status != StatusCreated || created.StatusMessage != StatusMessageOK {
		t.Fatalf("new server is %q/%q, want created/OK", created.Status, created.StatusMessage)
	}
	if created.CreatedAt != testStart.Unix() {
		t.Fatalf("createdAt %d, want %d", created.CreatedAt, testStart.Unix())
	}

	tests := []struct {
		elapsed   time.Duration
		status    string
		hasIPs    bool
		delivered bool
	}{
		{0, StatusCreated, false, false},
		{testStep - time.Nanosecond, StatusCreated, false, false},
		{1 * testStep, StatusDiscovering, false, false},
		{2 * testStep, StatusDiscovered, false, false},
		{3 * testStep, StatusAllocating, false, false},
		{4 * testStep, StatusAllocated, false, false},
		{5 * testStep, StatusConfiguringNetwork, false, false},
		{6 * testStep, StatusNetworkConfigured, true, false},
		{7 * testStep, StatusProvisioning, true, false},
		{8 * testStep, StatusProvisioned, true, false},
		{9 * testStep, StatusDelivered, true, true},
		{100 * testStep, StatusDelivered, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.status+"@"+tt.elapsed.String(), func(t *testing.T) {
			h.clock.Set(testStart.Add(tt.elapsed))
			got := h.get(created.UUID).expect(t, http.StatusOK).server(t)
			if got.Status != tt.status {
				t.Fatalf("status %q, want %q", got.Status, tt.status)
			}
			if (len(got.IPAddresses) > 0) != tt.hasIPs {
				t.Fatalf("ipAddresses %v, want present=%v", got.IPAddresses, tt.hasIPs)
			}
			if tt.delivered {
				want := testStart.Add(9 * testStep).Unix()
				if got.DeliveredAt == nil || *got.DeliveredAt != want {
					t.Fatalf("deliveredAt %v, want %d", got.DeliveredAt, want)
				}
			} else if got.DeliveredAt != nil {
				t.Fatalf("deliveredAt %d before delivery", *got.DeliveredAt)
			}
			if got.ReleasedAt != nil {
				t.Fatalf("releasedAt set on a live server")
			}
		})
	}
}

func TestLifecycle_IPAddressesAreStableDocumentationAddresses(t *testing.T) {
	h := newHarness(t, Config{})
	a := h.create(validRequest("a"))
	b := h.create(validRequest("b"))
	h.clock.Advance(9 * testStep)
	first := h.get(a.UUID).server(t).IPAddresses
	if again := h.get(a.UUID).server(t).IPAddresses; !slices.Equal(again, first) {
		t.Fatalf("addresses changed between reads: %v then %v", first, again)
	}
	// IPv4 first, then IPv6 (see allocateIPs); every server has both families.
	if want := []IPAddress{{"192.0.2.1"}, {"2001:db8:0:1::1"}}; !slices.Equal(first, want) {
		t.Fatalf("first server addresses %v, want %v", first, want)
	}
	second := h.get(b.UUID).server(t).IPAddresses
	if want := []IPAddress{{"192.0.2.2"}, {"2001:db8:0:2::1"}}; !slices.Equal(second, want) {
		t.Fatalf("second server addresses %v, want %v", second, want)
	}
}

// TestLifecycle_addressesOnTheWireCarryOnlyIPAddress: the API's FlexMetalServerIpAddress has one
// property, ipAddress, and no others (no version or type), so clients must parse the address to
// tell IPv4 from IPv6.
func TestLifecycle_addressesOnTheWireCarryOnlyIPAddress(t *testing.T) {
	h := newHarness(t, Config{})
	a := h.create(validRequest("a"))
	h.clock.Advance(9 * testStep)
	raw := decode[[]struct {
		IPAddresses []map[string]any `json:"ipAddresses"`
	}](t, h.get(a.UUID).expect(t, http.StatusOK))
	if len(raw) != 1 {
		t.Fatalf("want one server, got %d", len(raw))
	}
	want := []map[string]any{{"ipAddress": "192.0.2.1"}, {"ipAddress": "2001:db8:0:1::1"}}
	if !reflect.DeepEqual(raw[0].IPAddresses, want) {
		t.Fatalf("ipAddresses on the wire = %v, want %v", raw[0].IPAddresses, want)
	}
}

// TestLifecycle_everyServerHasOneIPv6AddressOfItsOwn: IPv6 addresses stay unique beyond the 254
// servers whose IPv4 addresses are.
func TestLifecycle_everyServerHasOneIPv6AddressOfItsOwn(t *testing.T) {
	s := New(Config{})
	seen := map[string]bool{}
	for range 300 {
		ips := s.allocateIPs()
		var v6 []string
		for _, ip := range ips {
			if a := netip.MustParseAddr(ip); a.Is6() {
				v6 = append(v6, ip)
			}
		}
		if len(v6) != 1 || seen[v6[0]] || !netip.MustParsePrefix("2001:db8::/32").Contains(netip.MustParseAddr(v6[0])) {
			t.Fatalf("addresses %v: want one IPv6 address in 2001:db8::/32 that no other server has", ips)
		}
		seen[v6[0]] = true
	}
}

func TestLifecycle_NamePatternsFailOrStickServers(t *testing.T) {
	tests := []struct {
		name        string
		at          time.Duration
		wantStatus  string
		wantMessage string
	}{
		{"db-fail-delivery-1", 7 * testStep, StatusProvisioning, StatusMessageOK},
		{"db-fail-delivery-1", 8 * testStep, StatusFailed, FailureMessage},
		{"db-fail-delivery-1", 50 * testStep, StatusFailed, FailureMessage},
		{"stuck-node", 7 * testStep, StatusProvisioning, StatusMessageOK},
		{"stuck-node", 1000 * testStep, StatusProvisioning, StatusMessageOK},
		{"stuck-and-fail-delivery", 1000 * testStep, StatusProvisioning, StatusMessageOK},
	}
	for _, tt := range tests {
		t.Run(tt.name+"@"+tt.at.String(), func(t *testing.T) {
			h := newHarness(t, Config{})
			s := h.create(validRequest(tt.name))
			h.clock.Advance(tt.at)
			got := h.get(s.UUID).expect(t, http.StatusOK).server(t)
			if got.Status != tt.wantStatus || got.StatusMessage != tt.wantMessage {
				t.Fatalf("got %q/%q, want %q/%q", got.Status, got.StatusMessage, tt.wantStatus, tt.wantMessage)
			}
			if got.DeliveredAt != nil {
				t.Fatalf("deliveredAt set on a server that was never delivered")
			}
		})
	}
}

func TestLifecycle_CustomNamePatterns(t *testing.T) {
	h := newHarness(t, Config{FailNamePattern: regexpMust(`^boom`), StuckNamePattern: regexpMust(`[^\s\S]`)})
	failing := h.create(validRequest("boom-1"))
	stuckByDefault := h.create(validRequest("stuck-would-match-default"))
	h.clock.Advance(9 * testStep)
	if got := h.get(failing.UUID).server(t).Status; got != StatusFailed {
		t.Fatalf("custom fail pattern: status %q, want failed", got)
	}
	if got := h.get(stuckByDefault.UUID).server(t).Status; got != StatusDelivered {
		t.Fatalf("never-matching stuck pattern: status %q, want delivered", got)
	}
}

func TestLifecycle_NegativeStepDeliversImmediately(t *testing.T) {
	h := newHarness(t, Config{StepDuration: -1})
	s := h.create(validRequest("instant"))
	if s.Status != StatusDelivered || s.DeliveredAt == nil || *s.DeliveredAt != testStart.Unix() {
		t.Fatalf("got %q deliveredAt=%v, want delivered at creation", s.Status, s.DeliveredAt)
	}
}

func TestLifecycle_ForceStatusPinsUntilReleased(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.create(validRequest("pinned"))
	h.clock.Advance(2 * testStep)
	if err := h.sim.ForceStatus(s.UUID, StatusFailed, "Out of capacity"); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(20 * testStep)
	got := h.get(s.UUID).server(t)
	if got.Status != StatusFailed || got.StatusMessage != "Out of capacity" {
		t.Fatalf("pinned server is %q/%q, want failed/Out of capacity", got.Status, got.StatusMessage)
	}
	if len(got.IPAddresses) != 0 {
		t.Fatalf("server failed before network configuration has addresses %v", got.IPAddresses)
	}

	h.do(http.MethodDelete, "/v3/flexMetal/servers/"+s.UUID, nil).expect(t, http.StatusOK)
	h.clock.Advance(testRelease)
	if got := h.get(s.UUID).server(t).Status; got != StatusReleased {
		t.Fatalf("after release of pinned server: %q, want released", got)
	}
}

func TestLifecycle_ForceStatusDeliveredSetsDeliveredAtAndAddresses(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.create(validRequest("fast"))
	h.clock.Advance(time.Second)
	if err := h.sim.ForceStatus(s.UUID, StatusDelivered, ""); err != nil {
		t.Fatal(err)
	}
	got := h.get(s.UUID).server(t)
	want := testStart.Add(time.Second).Unix()
	if got.Status != StatusDelivered || got.StatusMessage != StatusMessageOK || got.DeliveredAt == nil || *got.DeliveredAt != want {
		t.Fatalf("got %q/%q deliveredAt=%v, want delivered/OK at %d", got.Status, got.StatusMessage, got.DeliveredAt, want)
	}
	if len(got.IPAddresses) == 0 {
		t.Fatal("forced delivered server has no addresses")
	}
}

func TestLifecycle_ForceStatusRejectsUnknownStatusAndServer(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.create(validRequest("x"))
	if err := h.sim.ForceStatus(s.UUID, "exploded", ""); !errorsIs(err, ErrValidation) {
		t.Fatalf("unknown status: err %v, want ErrValidation", err)
	}
	if err := h.sim.ForceStatus("00000000-0000-0000-0000-000000000000", StatusFailed, ""); !errorsIs(err, ErrNotFound) {
		t.Fatalf("unknown server: err %v, want ErrNotFound", err)
	}
}

func TestStatuses_ListsEveryForceableStatus(t *testing.T) {
	all := Statuses()
	if len(all) != 13 || all[0] != StatusCreated || all[9] != StatusDelivered || all[12] != StatusReleased {
		t.Fatalf("Statuses() = %v", all)
	}
	h := newHarness(t, Config{})
	for _, st := range all {
		s := h.create(validRequest("force-" + st))
		if err := h.sim.ForceStatus(s.UUID, st, ""); err != nil {
			t.Fatalf("ForceStatus(%s): %v", st, err)
		}
		if got := h.get(s.UUID).expect(t, http.StatusOK).server(t).Status; got != st {
			t.Fatalf("forced %s, API says %s", st, got)
		}
	}
}

func TestLifecycle_SetNamePatternsAffectOnlyNewServers(t *testing.T) {
	h := newHarness(t, Config{FailNamePattern: regexpMust(`^never$`), StuckNamePattern: regexpMust(`^never$`)})
	before := h.create(validRequest("doomed"))
	h.sim.SetFailNamePattern(regexpMust(`^doomed$`))
	h.sim.SetStuckNamePattern(regexpMust(`^slow$`))
	failing := h.create(validRequest("doomed"))
	slow := h.create(validRequest("slow"))
	h.sim.SetFailNamePattern(nil) // back to the default, which "doomed" does not match
	h.sim.SetStuckNamePattern(regexpMust(`^never$`))
	h.clock.Advance(20 * testStep)

	tests := []struct {
		uuid, want string
	}{
		{before.UUID, StatusDelivered},
		{failing.UUID, StatusFailed},
		{slow.UUID, StatusProvisioning},
	}
	for _, tt := range tests {
		if got := h.get(tt.uuid).server(t).Status; got != tt.want {
			t.Fatalf("server %s: %q, want %q", tt.uuid, got, tt.want)
		}
	}
	again := h.create(validRequest("slow"))
	h.clock.Advance(9 * testStep)
	if got := h.get(again.UUID).server(t).Status; got != StatusDelivered {
		t.Fatalf("slow server created after relaxing the pattern: %q, want delivered", got)
	}
}
