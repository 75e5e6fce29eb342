package simulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReinstall_GoesThroughProvisioningToDeliveredOnTheClock(t *testing.T) {
	h := newHarness(t, Config{})
	before := h.delivered(validRequest("web-1"))
	h.clock.Advance(time.Hour)
	patchedAt := h.clock.Now()
	req := ReinstallServerRequest{
		Name:              "web-1b",
		OS:                OSRequest{Slug: OSTalosOmni184, KernelParams: []KernelParam{{Key: "talos.platform", Value: "metal"}}, Partitions: []Partition{{Target: "/", Filesystem: "xfs", Size: -1}}},
		SSHKey:            []string{ExamplePublicKeyRSA},
		PostInstallScript: "#!/bin/sh\necho again",
	}

	got := h.patch(before.UUID, req).expect(t, http.StatusOK).server(t)
	if got.UUID != before.UUID || got.Name != "web-1b" || got.OS.Slug != OSTalosOmni184 || got.Status != StatusProvisioning {
		t.Fatalf("PATCH answered %+v, want the same server renamed, with the new os, provisioning", got)
	}
	if !slices.Equal(got.IPAddresses, before.IPAddresses) || got.Location != before.Location || got.InstanceType != before.InstanceType || got.CreatedAt != before.CreatedAt {
		t.Fatalf("PATCH changed what a reinstall keeps: %+v, was %+v", got, before)
	}

	tests := []struct {
		elapsed time.Duration
		status  string
		command string
		updated time.Duration
		// delivered is deliveredAt relative to the PATCH: the first delivery until the
		// reinstall ends.
		delivered time.Duration
	}{
		{0, StatusProvisioning, CommandQueued, 0, -time.Hour},
		{testStep - time.Nanosecond, StatusProvisioning, CommandQueued, 0, -time.Hour},
		{testStep, StatusProvisioning, CommandRunning, testStep, -time.Hour},
		{2 * testStep, StatusProvisioned, CommandRunning, testStep, -time.Hour},
		{3 * testStep, StatusDelivered, CommandFinished, 3 * testStep, 3 * testStep},
		{100 * testStep, StatusDelivered, CommandFinished, 3 * testStep, 3 * testStep},
	}
	for _, tt := range tests {
		t.Run(tt.status+"@"+tt.elapsed.String(), func(t *testing.T) {
			h.clock.Set(patchedAt.Add(tt.elapsed))
			s := h.get(before.UUID).expect(t, http.StatusOK).server(t)
			if s.Status != tt.status || s.StatusMessage != StatusMessageOK {
				t.Fatalf("server %q/%q, want %q/OK", s.Status, s.StatusMessage, tt.status)
			}
			if len(s.IPAddresses) == 0 {
				t.Fatal("a reinstalling server lost its addresses")
			}
			if want := patchedAt.Add(tt.delivered).Unix(); s.DeliveredAt == nil || *s.DeliveredAt != want {
				t.Fatalf("deliveredAt %v, want %d", s.DeliveredAt, want)
			}
			cmds := h.commands(before.UUID)
			if len(cmds) != 1 {
				t.Fatalf("%d commands, want 1", len(cmds))
			}
			c := cmds[0]
			if c.State != tt.command || c.ServerUUID != before.UUID || !uuidPattern.MatchString(c.UUID) {
				t.Fatalf("command %+v, want state %q for server %s", c, tt.command, before.UUID)
			}
			if want := patchedAt.UTC().Format(commandTimeLayout); c.CreatedAt != want {
				t.Fatalf("created_at %q, want %q", c.CreatedAt, want)
			}
			if want := patchedAt.Add(tt.updated).UTC().Format(commandTimeLayout); c.UpdatedAt != want {
				t.Fatalf("updated_at %q, want %q", c.UpdatedAt, want)
			}
		})
	}

	last, ok := h.sim.LastReinstall(before.UUID)
	if !ok || last.Name != req.Name || last.OS.Slug != req.OS.Slug || !slices.Equal(last.OS.KernelParams, req.OS.KernelParams) ||
		!slices.Equal(last.OS.Partitions, req.OS.Partitions) || !slices.Equal(last.SSHKeys, req.SSHKey) ||
		last.PostInstallScript != req.PostInstallScript || !last.RequestedAt.Equal(patchedAt) || last.State != CommandFinished {
		t.Fatalf("LastReinstall = %+v, %v; want what the PATCH sent, finished", last, ok)
	}
	snap, _ := h.sim.Server(before.UUID)
	if snap.Name != req.Name || snap.OSSlug != req.OS.Slug || !slices.Equal(snap.SSHKeys, req.SSHKey) || snap.PostInstallScript != req.PostInstallScript {
		t.Fatalf("snapshot %+v does not carry the reinstall's installation", snap)
	}
	if n := h.sim.CountPatches(before.UUID); n != 1 {
		t.Fatalf("CountPatches = %d, want 1", n)
	}
}

func TestReinstall_CommandWireShape(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.delivered(validRequest("shape"))
	h.patch(s.UUID, validReinstall("shape")).expect(t, http.StatusOK)
	body := h.do(http.MethodGet, "/v3/flexMetal/servers/"+s.UUID+"/commands?type=update-server", nil).expect(t, http.StatusOK).body
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || len(raw) != 1 {
		t.Fatalf("commands %s: want a one-element array (%v)", body, err)
	}
	var keys []string
	for k := range raw[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"created_at", "payload", "server_uuid", "state", "updated_at", "uuid"}; !slices.Equal(keys, want) {
		t.Fatalf("command keys %v, want %v", keys, want)
	}
	if string(raw[0]["payload"]) != "[]" {
		t.Fatalf("payload %s, want []", raw[0]["payload"])
	}
	if !strings.HasSuffix(string(raw[0]["created_at"]), `+00:00"`) {
		t.Fatalf("created_at %s, want an offset of +00:00", raw[0]["created_at"])
	}
}

// TestReinstall_TalosFromOneReleaseToAnother is what i3D.net's own provider tests do against the
// real API: order talos-omni-1116 with kernel parameters and no SSH key, reinstall it to
// talos-omni-1123, and find an IPv4 and an IPv6 address on the delivered server throughout.
func TestReinstall_TalosFromOneReleaseToAnother(t *testing.T) {
	h := newHarness(t, Config{})
	req := validRequest("talos-1")
	req.OS = OSRequest{Slug: OSTalosOmni1116, KernelParams: []KernelParam{{Key: "siderolink.api", Value: "https://omni.example/?jointoken=x"}}}
	req.SSHKey = nil
	before := h.delivered(req)
	if want := []IPAddress{{"192.0.2.1"}, {"2001:db8:0:1::1"}}; !slices.Equal(before.IPAddresses, want) {
		t.Fatalf("delivered Talos server has addresses %v, want %v", before.IPAddresses, want)
	}
	h.patch(before.UUID, ReinstallServerRequest{
		Name: "talos-1",
		OS:   OSRequest{Slug: OSTalosOmni1123, KernelParams: []KernelParam{{Key: "talos.customparam", Value: "654321"}}},
	}).expect(t, http.StatusOK)
	h.clock.Advance(3 * testStep)
	got := h.get(before.UUID).expect(t, http.StatusOK).server(t)
	if got.Status != StatusDelivered || got.OS.Slug != OSTalosOmni1123 || !slices.Equal(got.IPAddresses, before.IPAddresses) {
		t.Fatalf("after the reinstall the server is %+v, want delivered with %s and the same addresses", got, OSTalosOmni1123)
	}
	if last, _ := h.sim.LastReinstall(before.UUID); len(last.OS.KernelParams) != 1 || last.OS.KernelParams[0].Key != "talos.customparam" {
		t.Fatalf("the reinstall stored %+v, want the new kernel parameters", last.OS)
	}
}

func TestReinstall_ImmediateWithZeroStep(t *testing.T) {
	h := newHarness(t, Config{StepDuration: -1})
	s := h.create(validRequest("instant"))
	got := h.patch(s.UUID, validReinstall("instant-2")).expect(t, http.StatusOK).server(t)
	if got.Status != StatusDelivered || got.DeliveredAt == nil || *got.DeliveredAt != testStart.Unix() {
		t.Fatalf("PATCH answered %q deliveredAt=%v, want delivered at once", got.Status, got.DeliveredAt)
	}
	if c := h.commands(s.UUID); c[0].State != CommandFinished {
		t.Fatalf("command %q, want finished at once", c[0].State)
	}
}

func TestReinstall_ValidatesLikeCreate(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.delivered(validRequest("keep-me"))
	key, _ := json.Marshal(ExamplePublicKeyEd25519)
	tests := []struct {
		name string
		body any
		// status is 422 with these properties, or 400 naming property when it is set.
		status     int
		properties []string
	}{
		{"unknown os", ReinstallServerRequest{Name: "x", OS: OSRequest{Slug: "plan9-os"}, SSHKey: []string{ExamplePublicKeyEd25519}}, 422, []string{"os.slug"}},
		{"os not for flexmetal", ReinstallServerRequest{Name: "x", OS: OSRequest{Slug: OSWindows2022}}, 422, []string{"os.slug"}},
		{"missing os", `{"name": "x", "sshKey": [` + string(key) + `]}`, 422, []string{"os"}},
		{"null os", `{"name": "x", "os": null, "sshKey": [` + string(key) + `]}`, 422, []string{"os"}},
		{"blank name", ReinstallServerRequest{Name: " ", OS: OSRequest{Slug: OSDebian12}, SSHKey: []string{ExamplePublicKeyEd25519}}, 422, []string{"name"}},
		{"empty name", `{"name": "", "os": {"slug": "debian-12"}, "sshKey": [` + string(key) + `]}`, 422, []string{"name"}},
		{"no key for linux", ReinstallServerRequest{Name: "x", OS: OSRequest{Slug: OSDebian12}}, 422, []string{"sshKey"}},
		{"bad key", ReinstallServerRequest{Name: "x", OS: OSRequest{Slug: OSDebian12}, SSHKey: []string{"nope"}}, 422, []string{"sshKey[0]"}},
		{"bad partition", ReinstallServerRequest{Name: "x", OS: OSRequest{Slug: OSDebian12, Partitions: []Partition{{Target: "/", Filesystem: "ntfs", Size: 1}}}, SSHKey: []string{ExamplePublicKeyEd25519}}, 422, []string{"os.partitions[0].filesystem"}},
		{"custom-ipxe needs url", ReinstallServerRequest{Name: "x", OS: OSRequest{Slug: OSCustomIPXE}, SSHKey: []string{ExamplePublicKeyEd25519}}, 422, []string{"os.ipxeScriptUrl"}},
		{"everything wrong", `{"name": "", "os": {}}`, 422, []string{"name", "os.slug", "sshKey"}},
		{"location cannot change", `{"name": "x", "location": "EU: Rotterdam", "os": {"slug": "debian-12"}, "sshKey": [` + string(key) + `]}`, 400, []string{"location"}},
		{"empty body", "", 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := h.patch(s.UUID, tt.body).expect(t, tt.status).apiError(t)
			if tt.status == http.StatusBadRequest {
				if e.ErrorCode != ErrCodeBadRequest || (tt.properties != nil && !slices.Equal(properties(e), tt.properties)) {
					t.Fatalf("got %+v, want bad request naming %v", e, tt.properties)
				}
				return
			}
			if e.ErrorCode != ErrCodeValidation || !slices.Equal(properties(e), tt.properties) {
				t.Fatalf("got %+v, want validation errors on %v", e, tt.properties)
			}
		})
	}
	if got := h.get(s.UUID).server(t); got.Name != "keep-me" || got.Status != StatusDelivered {
		t.Fatalf("rejected PATCHes changed the server: %+v", got)
	}
	if n := len(h.sim.Reinstalls(s.UUID)); n != 0 {
		t.Fatalf("%d reinstalls recorded from rejected PATCHes", n)
	}
	if n := h.sim.CountPatches(s.UUID); n != len(tests) {
		t.Fatalf("CountPatches = %d, want every PATCH counted (%d)", n, len(tests))
	}
}

func TestReinstall_WithoutNameKeepsTheName(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.delivered(validRequest("fail-reinstall-keep-by-name"))
	key, _ := json.Marshal(ExamplePublicKeyEd25519)
	for _, body := range []string{
		`{"os": {"slug": "debian-12"}, "sshKey": [` + string(key) + `]}`,
		`{"name": null, "os": {"slug": "debian-12"}, "sshKey": [` + string(key) + `]}`,
	} {
		got := h.patch(s.UUID, body).expect(t, http.StatusOK).server(t)
		if got.Name != s.Name || got.OS.Slug != OSDebian12 {
			t.Fatalf("PATCH %s answered %q/%q, want the name kept and the new os", body, got.Name, got.OS.Slug)
		}
		if last, _ := h.sim.LastReinstall(s.UUID); last.Name != s.Name {
			t.Fatalf("recorded name %q, want the kept %q", last.Name, s.Name)
		}
		// The failure rules read the name the server keeps.
		h.clock.Advance(3 * testStep)
		if got := h.get(s.UUID).server(t); got.Status != StatusDelivered || got.StatusMessage != ReinstallFailureMessage {
			t.Fatalf("after the reinstall: %q/%q, want delivered with the reinstall failure", got.Status, got.StatusMessage)
		}
	}
	snap, err := h.sim.ReinstallServer(s.UUID, ReinstallServerRequest{OS: OSRequest{Slug: OSWindows2025}})
	if err != nil || snap.Name != s.Name {
		t.Fatalf("ReinstallServer without a name: %+v, %v; want the name kept", snap, err)
	}
}

func TestReinstall_OnlyADeliveredServer(t *testing.T) {
	h := newHarness(t, Config{})
	failing := h.create(validRequest("fail-delivery"))
	reinstalling := h.create(validRequest("busy"))
	releasing := h.create(validRequest("leaving"))
	h.clock.Advance(9 * testStep)
	young := h.create(validRequest("newer"))
	h.patch(reinstalling.UUID, validReinstall("busy-2")).expect(t, http.StatusOK)
	h.do(http.MethodDelete, "/v3/flexMetal/servers/"+releasing.UUID, nil).expect(t, http.StatusOK)

	tests := []struct{ uuid, status string }{
		{young.UUID, StatusCreated},
		{failing.UUID, StatusFailed},
		{reinstalling.UUID, StatusProvisioning},
		{releasing.UUID, StatusReleasing},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			e := h.patch(tt.uuid, validReinstall("again")).expect(t, http.StatusUnprocessableEntity).apiError(t)
			want := "server is " + tt.status + "; only a delivered server can be reinstalled"
			if e.ErrorCode != ErrCodeInvalidState || e.ErrorMessage != want {
				t.Fatalf("got %+v, want invalid state %q", e, want)
			}
		})
	}
	e := h.patch("0192aaaa-0000-7000-8000-000000000000", validReinstall("x")).expect(t, http.StatusNotFound).apiError(t)
	if e.ErrorCode != ErrCodeNotFound {
		t.Fatalf("unknown server: %+v", e)
	}
	h.do(http.MethodGet, "/v3/flexMetal/servers/0192aaaa-0000-7000-8000-000000000000/commands", nil).expect(t, http.StatusNotFound)
}

func TestReinstall_FailureRules(t *testing.T) {
	tests := []struct {
		name        string
		at          time.Duration
		status      string
		message     string
		command     string
		keepsOldDel bool
	}{
		{"db-fail-reinstall", testStep, StatusProvisioning, StatusMessageOK, CommandRunning, true},
		{"db-fail-reinstall", 2 * testStep, StatusFailed, ReinstallFailureMessage, CommandFailed, true},
		{"db-fail-reinstall", 50 * testStep, StatusFailed, ReinstallFailureMessage, CommandFailed, true},
		{"db-fail-reinstall-keep", 2 * testStep, StatusDelivered, ReinstallFailureMessage, CommandFailed, true},
		{"db-fail-reinstall-keep", 50 * testStep, StatusDelivered, ReinstallFailureMessage, CommandFailed, true},
		{"stuck-reinstall", 1000 * testStep, StatusProvisioning, StatusMessageOK, CommandRunning, true},
		{"stuck-and-fail-reinstall", 1000 * testStep, StatusProvisioning, StatusMessageOK, CommandRunning, true},
		{"fail-delivery-is-for-creation", 3 * testStep, StatusDelivered, StatusMessageOK, CommandFinished, false},
	}
	for _, tt := range tests {
		t.Run(tt.name+"@"+tt.at.String(), func(t *testing.T) {
			h := newHarness(t, Config{})
			s := h.delivered(validRequest("db"))
			h.patch(s.UUID, validReinstall(tt.name)).expect(t, http.StatusOK)
			h.clock.Advance(tt.at)
			got := h.get(s.UUID).expect(t, http.StatusOK).server(t)
			if got.Status != tt.status || got.StatusMessage != tt.message {
				t.Fatalf("server %q/%q, want %q/%q", got.Status, got.StatusMessage, tt.status, tt.message)
			}
			if got.Name != tt.name {
				t.Fatalf("name %q, want the reinstall's %q whatever the outcome", got.Name, tt.name)
			}
			if keeps := got.DeliveredAt != nil && *got.DeliveredAt == *s.DeliveredAt; keeps != tt.keepsOldDel {
				t.Fatalf("deliveredAt %v (was %v), want kept=%v", got.DeliveredAt, *s.DeliveredAt, tt.keepsOldDel)
			}
			if c := h.commands(s.UUID)[0]; c.State != tt.command {
				t.Fatalf("command %q, want %q", c.State, tt.command)
			}
		})
	}
}

func TestReinstall_FailedServerFollowsRetention(t *testing.T) {
	h := newHarness(t, Config{Retention: time.Hour})
	s := h.delivered(validRequest("db"))
	h.patch(s.UUID, validReinstall("fail-reinstall")).expect(t, http.StatusOK)
	h.clock.Advance(2*testStep + time.Hour - time.Nanosecond)
	h.get(s.UUID).expect(t, http.StatusOK)
	h.clock.Advance(time.Nanosecond)
	h.get(s.UUID).expect(t, http.StatusNotFound)
	if last, ok := h.sim.LastReinstall(s.UUID); !ok || last.State != CommandFailed {
		t.Fatalf("LastReinstall after retention = %+v, %v; want the failed reinstall", last, ok)
	}
}

func TestReinstall_CustomFailurePatterns(t *testing.T) {
	h := newHarness(t, Config{ReinstallFailNamePattern: regexpMust(`^boom`), ReinstallFailKeepNamePattern: regexpMust(`^soft`)})
	a := h.delivered(validRequest("a"))
	b := h.create(validRequest("b"))
	c := h.create(validRequest("c"))
	h.clock.Advance(9 * testStep)
	h.patch(a.UUID, validReinstall("boom-1")).expect(t, http.StatusOK)
	h.patch(b.UUID, validReinstall("soft-1")).expect(t, http.StatusOK)
	h.patch(c.UUID, validReinstall("fail-reinstall")).expect(t, http.StatusOK)
	h.clock.Advance(3 * testStep)
	for uuid, want := range map[string]string{a.UUID: StatusFailed, b.UUID: StatusDelivered, c.UUID: StatusDelivered} {
		if got := h.get(uuid).server(t); got.Status != want {
			t.Fatalf("%s: %q, want %q", got.Name, got.Status, want)
		}
	}
	if got := h.commands(b.UUID)[0].State; got != CommandFailed {
		t.Fatalf("keep pattern: command %q, want failed", got)
	}
}

func TestReinstall_CommandsNewestFirstFilteredAndPaginated(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.delivered(validRequest("many"))
	h.patch(s.UUID, validReinstall("first")).expect(t, http.StatusOK)
	h.clock.Advance(3 * testStep)
	h.patch(s.UUID, validReinstall("second")).expect(t, http.StatusOK)

	cmds := h.commands(s.UUID)
	if len(cmds) != 2 || cmds[0].State != CommandQueued || cmds[1].State != CommandFinished {
		t.Fatalf("commands %+v, want the queued second one first, then the finished first one", cmds)
	}
	all := h.sim.Reinstalls(s.UUID)
	if len(all) != 2 || all[0].Name != "first" || all[1].Name != "second" || all[0].CommandUUID != cmds[1].UUID {
		t.Fatalf("Reinstalls = %+v, want oldest first, matching the commands", all)
	}
	if got := decode[[]CommandResponse](t, h.do(http.MethodGet, "/v3/flexMetal/servers/"+s.UUID+"/commands", nil)); len(got) != 2 {
		t.Fatalf("without type: %d commands, want 2", len(got))
	}
	if got := decode[[]CommandResponse](t, h.do(http.MethodGet, "/v3/flexMetal/servers/"+s.UUID+"/commands?type=reboot", nil)); len(got) != 0 {
		t.Fatalf("type=reboot: %d commands, want none", len(got))
	}
	if page := h.commands(s.UUID, withRange("start=1,results=1")); len(page) != 1 || page[0].UUID != cmds[1].UUID {
		t.Fatalf("second page %+v, want the older command", page)
	}
	h.do(http.MethodGet, "/v3/flexMetal/servers/"+s.UUID+"/commands", nil, withRange("bogus")).expect(t, http.StatusBadRequest)

	fresh := h.delivered(validRequest("none"))
	if got := string(h.do(http.MethodGet, "/v3/flexMetal/servers/"+fresh.UUID+"/commands", nil).expect(t, http.StatusOK).body); got != "[]\n" {
		t.Fatalf("no reinstall: body %q, want []", got)
	}
	if _, ok := h.sim.LastReinstall(fresh.UUID); ok {
		t.Fatal("LastReinstall found one for a server never reinstalled")
	}
	if got := h.sim.Reinstalls("missing"); got == nil || len(got) != 0 {
		t.Fatalf("Reinstalls(missing) = %#v, want empty", got)
	}
}

func TestReinstall_FaultsApplyToPatch(t *testing.T) {
	tests := []struct {
		name         string
		fault        Fault
		wantStatus   int // 0: the connection drops
		acted        bool
		patchesAfter int
	}{
		{"drop after handling", Fault{Kind: FaultDropAfterHandling}, 0, true, 1},
		{"drop before handling", Fault{Kind: FaultDropBeforeHandling}, 0, false, 1},
		{"503", Fault{Kind: FaultStatus, Status: 503}, 503, false, 1},
		{"malformed answer", Fault{Kind: FaultMalformedJSON}, 200, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			s := h.delivered(validRequest("web"))
			tt.fault.Method, tt.fault.PathPrefix, tt.fault.Times = http.MethodPatch, "/v3/flexMetal/servers/", 1
			h.sim.AddFault(tt.fault)
			r, err := h.try(http.MethodPatch, "/v3/flexMetal/servers/"+s.UUID, validReinstall("web-2"))
			switch {
			case tt.wantStatus == 0 && err == nil:
				t.Fatalf("PATCH answered %d; want a dropped connection", r.status)
			case tt.wantStatus != 0 && (err != nil || r.status != tt.wantStatus):
				t.Fatalf("PATCH: %v %d, want %d", err, r.status, tt.wantStatus)
			}
			if acted := len(h.commands(s.UUID)) == 1; acted != tt.acted {
				t.Fatalf("reinstall started=%v, want %v", acted, tt.acted)
			}
			if n := h.sim.CountPatches(s.UUID); n != tt.patchesAfter {
				t.Fatalf("CountPatches = %d, want %d", n, tt.patchesAfter)
			}
		})
	}
}

func TestReinstall_ReleaseOrForcedStatusFailsTheCommand(t *testing.T) {
	h := newHarness(t, Config{})
	released := h.delivered(validRequest("a"))
	forced := h.create(validRequest("b"))
	h.clock.Advance(9 * testStep)
	h.patch(released.UUID, validReinstall("a-2")).expect(t, http.StatusOK)
	h.patch(forced.UUID, validReinstall("stuck-b")).expect(t, http.StatusOK)
	h.clock.Advance(testStep)
	cut := h.clock.Now()

	h.do(http.MethodDelete, "/v3/flexMetal/servers/"+released.UUID, nil).expect(t, http.StatusOK)
	if err := h.sim.ForceStatus(forced.UUID, StatusDelivered, ""); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(10 * testStep)
	for _, uuid := range []string{released.UUID, forced.UUID} {
		c := h.commands(uuid)[0]
		if c.State != CommandFailed || c.UpdatedAt != cut.UTC().Format(commandTimeLayout) {
			t.Fatalf("command %+v, want failed at %s", c, cut)
		}
	}
	if got := h.get(released.UUID).server(t).Status; got != StatusReleased {
		t.Fatalf("released mid-reinstall: %q, want released", got)
	}

	// A forced delivered server can be reinstalled again, and the new reinstall takes over
	// from the pin.
	h.patch(forced.UUID, validReinstall("b-3")).expect(t, http.StatusOK)
	h.clock.Advance(3 * testStep)
	got := h.get(forced.UUID).server(t)
	if got.Status != StatusDelivered || *got.DeliveredAt != h.clock.Now().Unix() {
		t.Fatalf("after a reinstall of a pinned server: %q deliveredAt=%v", got.Status, got.DeliveredAt)
	}
	if cmds := h.commands(forced.UUID); len(cmds) != 2 || cmds[0].State != CommandFinished || cmds[1].State != CommandFailed {
		t.Fatalf("commands %+v, want finished then the interrupted one", cmds)
	}
	// Releasing after the reinstall finished leaves its command finished.
	if err := h.sim.ReleaseServer(forced.UUID); err != nil {
		t.Fatal(err)
	}
	if c := h.commands(forced.UUID)[0]; c.State != CommandFinished {
		t.Fatalf("release after a finished reinstall changed its command to %q", c.State)
	}
}

func TestReinstallServer_OutOfBand(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.delivered(validRequest("oob"))
	snap, err := h.sim.ReinstallServer(s.UUID, validReinstall("oob-2"))
	if err != nil {
		t.Fatal(err)
	}
	if snap.Name != "oob-2" || snap.Status != StatusProvisioning || snap.OSSlug != OSDebian12 {
		t.Fatalf("snapshot %+v", snap)
	}
	if n := h.sim.CountPatches(s.UUID); n != 0 {
		t.Fatalf("CountPatches = %d after an out-of-band reinstall, want 0", n)
	}
	if _, err := h.sim.ReinstallServer(s.UUID, validReinstall("again")); !errorsIs(err, ErrInvalidState) {
		t.Fatalf("reinstalling a reinstalling server: %v, want ErrInvalidState", err)
	}
	var apiErr *APIError
	if _, err := h.sim.ReinstallServer(s.UUID, ReinstallServerRequest{Name: "x"}); !errorsAs(err, &apiErr) || apiErr.Details[0].Property != "os" {
		t.Fatalf("zero OS: %v, want an error on os", err)
	}
	if _, err := h.sim.ReinstallServer("missing", validReinstall("x")); !errorsIs(err, ErrNotFound) {
		t.Fatalf("unknown server: %v, want ErrNotFound", err)
	}
}

func TestReinstall_SetReinstallFailPatternsAppliesToLaterReinstalls(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.delivered(validRequest("db"))
	h.sim.SetReinstallFailPatterns(regexpMust(`^never$`), regexpMust(`^flaky$`))
	h.patch(s.UUID, validReinstall("flaky")).expect(t, http.StatusOK)
	h.clock.Advance(3 * testStep)
	if got := h.commands(s.UUID)[0].State; got != CommandFailed {
		t.Fatalf("first reinstall: command %q, want failed by the keep pattern", got)
	}
	h.sim.SetReinstallFailPatterns(regexpMust(`^never$`), regexpMust(`^never$`))
	h.patch(s.UUID, validReinstall("flaky")).expect(t, http.StatusOK)
	h.clock.Advance(3 * testStep)
	if got := h.commands(s.UUID)[0].State; got != CommandFinished {
		t.Fatalf("after relaxing the pattern: command %q, want finished", got)
	}
	h.sim.SetReinstallFailPatterns(nil, nil)
	h.patch(s.UUID, validReinstall("x-fail-reinstall")).expect(t, http.StatusOK)
	h.clock.Advance(3 * testStep)
	if got := h.get(s.UUID).server(t); got.Status != StatusFailed {
		t.Fatalf("nil restores the defaults: server %q, want failed", got.Status)
	}
}

func TestReinstall_ReinstallStepDurationSetsItsPace(t *testing.T) {
	h := newHarness(t, Config{ReinstallStepDuration: 10 * testStep})
	s := h.delivered(validRequest("db"))
	h.patch(s.UUID, validReinstall("db")).expect(t, http.StatusOK)
	h.clock.Advance(29 * testStep)
	if got := h.commands(s.UUID)[0].State; got != CommandRunning {
		t.Fatalf("after 29 of 30 steps: command %q, want running", got)
	}
	h.clock.Advance(testStep)
	if got := h.commands(s.UUID)[0].State; got != CommandFinished {
		t.Fatalf("after 30 steps: command %q, want finished", got)
	}
}
