package simulator

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBareObjects_SingleObjectResponsesAreNotWrapped(t *testing.T) {
	h := newHarness(t, Config{BareObjects: true})
	s := decode[ServerResponse](t, h.do(http.MethodPost, "/v3/flexMetal/servers", validRequest("bare")).expect(t, http.StatusOK))
	tests := []struct {
		name, method, path string
		body               any
	}{
		{"get server", http.MethodGet, "/v3/flexMetal/servers/" + s.UUID, nil},
		{"add tag", http.MethodPost, "/v3/flexMetal/servers/" + s.UUID + "/tag/x", nil},
		{"remove tag", http.MethodDelete, "/v3/flexMetal/servers/" + s.UUID + "/tag/x", nil},
		{"release", http.MethodDelete, "/v3/flexMetal/servers/" + s.UUID, nil},
		{"create ssh key", http.MethodPost, "/v3/sshKey", CreateSSHKeyRequest{Name: "k", PublicKey: ExamplePublicKeyEd25519}},
		{"create tag", http.MethodPost, "/v3/flexMetal/tags", TagRequest{Tag: "bare"}},
		{"get tag", http.MethodGet, "/v3/flexMetal/tags/bare", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do(tt.method, tt.path, tt.body).expect(t, http.StatusOK)
			if !strings.HasPrefix(string(r.body), "{") {
				t.Fatalf("body %s, want a bare object", r.body)
			}
		})
	}
	for _, path := range []string{"/v3/flexMetal/servers", "/v3/sshKey", "/v3/flexMetal/location"} {
		if r := h.do(http.MethodGet, path, nil); !strings.HasPrefix(string(r.body), "[") {
			t.Fatalf("%s: lists stay arrays, got %s", path, r.body)
		}
	}
}

func TestSingleObjectResponsesAreArraysByDefault(t *testing.T) {
	h := newHarness(t, Config{})
	r := h.do(http.MethodPost, "/v3/flexMetal/servers", validRequest("wrapped")).expect(t, http.StatusOK)
	var raw []json.RawMessage
	if err := json.Unmarshal(r.body, &raw); err != nil || len(raw) != 1 {
		t.Fatalf("create answered %s, want a one-element array", r.body)
	}
}

func TestRequests_RecordEveryRequest(t *testing.T) {
	h := newHarness(t, Config{})
	h.do(http.MethodGet, "/v3/flexMetal/servers?status=delivered&tag=a", nil, withRange("start=0,results=5"))
	h.clock.Advance(time.Minute)
	h.do(http.MethodGet, "/v3/flexMetal/location", nil, withoutKey())
	h.sim.AddFault(Fault{Kind: FaultStatus, Status: 503, Times: 1})
	h.do(http.MethodPost, "/v3/sshKey", "{}")

	want := []Request{
		{Method: "GET", Path: "/v3/flexMetal/servers", RawQuery: "status=delivered&tag=a", RangedData: "start=0,results=5", Status: 200, At: testStart},
		{Method: "GET", Path: "/v3/flexMetal/location", Status: 403, At: testStart.Add(time.Minute)},
		{Method: "POST", Path: "/v3/sshKey", Status: 503, At: testStart.Add(time.Minute), Fault: "status"},
	}
	got := h.sim.Requests()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("requests\n got %+v\nwant %+v", got, want)
	}
	counts := []struct {
		method, prefix string
		want           int
	}{
		{"", "", 3},
		{"get", "", 2},
		{"", "/v3/flexMetal", 2},
		{http.MethodPost, "/v3/flexMetal", 0},
	}
	for _, c := range counts {
		if n := h.sim.CountRequests(c.method, c.prefix); n != c.want {
			t.Fatalf("CountRequests(%q, %q) = %d, want %d", c.method, c.prefix, n, c.want)
		}
	}
	h.sim.ResetRequests()
	if n := len(h.sim.Requests()); n != 0 {
		t.Fatalf("%d requests after reset", n)
	}
}

func TestOutOfBand_ReleaseRemoveAndInspect(t *testing.T) {
	h := newHarness(t, Config{})
	a := h.seed(validRequest("a"))
	b := h.seed(validRequest("b"))
	if a.Status != StatusCreated || len(a.IPAddresses) != 0 {
		t.Fatalf("seeded server %+v", a)
	}

	if err := h.sim.ReleaseServer(a.UUID); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.ReleaseServer(a.UUID); err != nil {
		t.Fatalf("releasing a releasing server: %v, want nil", err)
	}
	h.clock.Advance(testRelease)
	if err := h.sim.ReleaseServer(a.UUID); !errorsIs(err, ErrInvalidState) {
		t.Fatalf("releasing a released server: %v, want ErrInvalidState", err)
	}
	snap, _ := h.sim.Server(a.UUID)
	if snap.Status != StatusReleased || snap.ReleasedAt == nil || !snap.ReleasedAt.Equal(testStart.Add(testRelease)) {
		t.Fatalf("released snapshot %+v", snap)
	}

	if err := h.sim.RemoveServer(b.UUID); err != nil {
		t.Fatal(err)
	}
	h.get(b.UUID).expect(t, http.StatusNotFound)
	if err := h.sim.RemoveServer(b.UUID); !errorsIs(err, ErrNotFound) {
		t.Fatalf("second remove: %v, want ErrNotFound", err)
	}
	if all := h.sim.Servers(); len(all) != 1 || all[0].UUID != a.UUID {
		t.Fatalf("Servers() = %+v, want only the released one", all)
	}
	if err := h.sim.ReleaseServer(b.UUID); !errorsIs(err, ErrNotFound) {
		t.Fatalf("release of removed server: %v", err)
	}
}

func TestSeeding500ServersIsFast(t *testing.T) {
	h := newHarness(t, Config{})
	began := time.Now()
	for i := range 500 {
		h.seed(validRequest(fmt.Sprintf("bench-%03d", i)))
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("seeding took %s", took)
	}
	if n := len(h.sim.Servers()); n != 500 {
		t.Fatalf("%d servers", n)
	}
}

func TestConcurrentUseIsRaceFree(t *testing.T) {
	h := newHarness(t, Config{})
	var wg sync.WaitGroup
	uuids := make(chan string, 40)
	for i := range 20 {
		wg.Go(func() {
			r, err := h.try(http.MethodPost, "/v3/flexMetal/servers", validRequest(fmt.Sprintf("c-%d", i)))
			if err != nil || r.status != http.StatusOK {
				t.Errorf("create %d: %v %d", i, err, r.status)
				return
			}
			var list []ServerResponse
			_ = json.Unmarshal(r.body, &list)
			uuids <- list[0].UUID
		})
		wg.Go(func() {
			h.clock.Advance(time.Second)
			_, _ = h.try(http.MethodGet, "/v3/flexMetal/servers", nil)
			_ = h.sim.Servers()
			h.sim.AddFault(Fault{Kind: FaultLatency, Latency: time.Millisecond, Times: 1})
			_ = h.sim.Requests()
		})
	}
	wg.Wait()
	close(uuids)
	for u := range uuids {
		if err := h.sim.ForceStatus(u, StatusDelivered, ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(h.sim.Servers()); n != 20 {
		t.Fatalf("%d servers, want 20", n)
	}
}

func TestManualClock(t *testing.T) {
	c := NewManualClock(testStart)
	c.Advance(time.Hour)
	if !c.Now().Equal(testStart.Add(time.Hour)) {
		t.Fatalf("Advance: %s", c.Now())
	}
	later := testStart.Add(48 * time.Hour)
	c.Set(later)
	if !c.Now().Equal(later) {
		t.Fatalf("Set: %s", c.Now())
	}
}

func TestServeHTTPWorksWithoutAServer(t *testing.T) {
	sim := New(Config{Clock: NewManualClock(testStart)})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/v3/operatingsystem", nil)
	req.Header.Set("PRIVATE-TOKEN", DefaultAPIKey)
	sim.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d content-type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestServerUUIDsAreVersion7AndIncreasing(t *testing.T) {
	h := newHarness(t, Config{})
	prev := ""
	for i := range 10 {
		s := h.seed(validRequest(fmt.Sprint(i)))
		if !uuidPattern.MatchString(s.UUID) || s.UUID[14] != '7' {
			t.Fatalf("uuid %s is not version 7", s.UUID)
		}
		if s.UUID <= prev {
			t.Fatalf("uuid %s not after %s", s.UUID, prev)
		}
		prev = s.UUID
	}
}

func TestLogger_OneLinePerRequest(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	h := newHarness(t, Config{Logger: log.New(lockedWriter{&mu, &buf}, "", 0)})
	h.sim.AddFault(Fault{Kind: FaultStatus, Status: 502, Times: 1})
	h.do(http.MethodGet, "/v3/flexMetal/servers?status=delivered", nil)
	h.do(http.MethodGet, "/v3/flexMetal/servers", nil)
	mu.Lock()
	defer mu.Unlock()
	want := "GET /v3/flexMetal/servers?status=delivered -> 502 in"
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], want) || !strings.HasSuffix(lines[0], "fault=status") {
		t.Fatalf("log %q, want two lines, the first starting %q and naming the fault", buf.String(), want)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *strings.Builder
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestAPIError_MessageListsDetails(t *testing.T) {
	_, err := New(Config{}).AddServer(CreateServerRequest{})
	msg := err.Error()
	for _, want := range []string{"Validation failed", "code 20001", "name: name is required", "sshKey:"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("error %q lacks %q", msg, want)
		}
	}
}

// TestRequestClock_deliveryAdvancesWithRequestsNotWallTime: with a RequestClock a poller sees
// every status of a delivery, each for the same number of GETs, however long it waits between
// them; Advance still moves it between requests.
func TestRequestClock_deliveryAdvancesWithRequestsNotWallTime(t *testing.T) {
	clock := NewRequestClock(testStart, time.Second)
	h := newHarness(t, Config{Clock: clock, StepDuration: 2 * time.Second})
	srv := h.create(validRequest("polled"))
	var seen []string
	for range 2 * len(progression) {
		seen = append(seen, h.get(srv.UUID).expect(t, http.StatusOK).server(t).Status)
	}
	// The POST moved the clock once before the server existed, so each GET is one more second
	// into the delivery: two GETs per two-second step, the first one second into "created".
	var want []string
	for _, st := range progression {
		want = append(want, st, st)
	}
	want = append(want[1:], StatusDelivered)
	if !slices.Equal(seen, want) {
		t.Fatalf("statuses seen by consecutive GETs:\n got %v\nwant %v", seen, want)
	}
	before := clock.Now()
	clock.Advance(time.Hour)
	if got := clock.Now().Sub(before); got != time.Hour {
		t.Fatalf("Advance moved the clock by %s", got)
	}
}
