package simulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

var testStart = time.Date(2024, 10, 4, 13, 0, 0, 0, time.UTC)

const (
	testStep    = time.Minute
	testRelease = 30 * time.Second
)

// harness is one simulator on loopback with a manual clock.
type harness struct {
	t      *testing.T
	sim    *Simulator
	clock  *ManualClock
	url    string
	client *http.Client
}

// newHarness starts a simulator; cfg fields left zero get the test clock and durations.
func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	clock := NewManualClock(testStart)
	if cfg.Clock == nil {
		cfg.Clock = clock
	}
	if cfg.StepDuration == 0 {
		cfg.StepDuration = testStep
	}
	if cfg.ReleaseDuration == 0 {
		cfg.ReleaseDuration = testRelease
	}
	sim := New(cfg)
	url, stop := sim.Start()
	t.Cleanup(stop)
	// No keep-alive: a dropped connection must surface as an error rather than be retried
	// transparently by the transport on a fresh connection.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	return &harness{t: t, sim: sim, clock: clock, url: url, client: client}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// opt adjusts an outgoing request.
type opt func(*http.Request)

func withKey(key string) opt { return func(r *http.Request) { r.Header.Set("PRIVATE-TOKEN", key) } }
func withoutKey() opt        { return func(r *http.Request) { r.Header.Del("PRIVATE-TOKEN") } }
func withRange(v string) opt { return func(r *http.Request) { r.Header.Set(RangedDataHeader, v) } }

// do sends a request with the right key; body may be nil, a string (sent raw) or a value to
// marshal.
func (h *harness) do(method, path string, body any, opts ...opt) reply {
	h.t.Helper()
	r, err := h.try(method, path, body, opts...)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (h *harness) try(method, path string, body any, opts ...opt) (reply, error) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("PRIVATE-TOKEN", DefaultAPIKey)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// expect fails unless the reply has this status.
func (r reply) expect(t *testing.T, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	return r
}

func decode[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
	return v
}

// server decodes a one-element array response.
func (r reply) server(t *testing.T) ServerResponse {
	t.Helper()
	list := decode[[]ServerResponse](t, r)
	if len(list) != 1 {
		t.Fatalf("want one server, got %d: %s", len(list), r.body)
	}
	return list[0]
}

func (r reply) apiError(t *testing.T) ErrorResponse {
	t.Helper()
	e := decode[ErrorResponse](t, r)
	if e.Errors == nil {
		t.Fatalf("errors must be an array, got %s", r.body)
	}
	return e
}

// validRequest is a create request that passes every rule; tests break one property at a time.
func validRequest(name string) CreateServerRequest {
	return CreateServerRequest{
		Name:         name,
		Location:     LocationRotterdam,
		InstanceType: InstanceTypeBM7Std8,
		OS:           OSRequest{Slug: OSUbuntu2404},
		SSHKey:       []string{ExamplePublicKeyEd25519},
	}
}

func (h *harness) create(req CreateServerRequest) ServerResponse {
	h.t.Helper()
	return h.do(http.MethodPost, "/v3/flexMetal/servers", req).expect(h.t, http.StatusOK).server(h.t)
}

func (h *harness) get(uuid string) reply {
	h.t.Helper()
	return h.do(http.MethodGet, "/v3/flexMetal/servers/"+uuid, nil)
}

func (h *harness) seed(req CreateServerRequest) ServerSnapshot {
	h.t.Helper()
	snap, err := h.sim.AddServer(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return snap
}

// validReinstall is a reinstall request that passes every rule.
func validReinstall(name string) ReinstallServerRequest {
	return ReinstallServerRequest{
		Name:   name,
		OS:     OSRequest{Slug: OSDebian12},
		SSHKey: []string{ExamplePublicKeyECDSA},
	}
}

func (h *harness) patch(uuid string, body any) reply {
	h.t.Helper()
	return h.do(http.MethodPatch, "/v3/flexMetal/servers/"+uuid, body)
}

// delivered creates a server and moves the clock until it is delivered.
func (h *harness) delivered(req CreateServerRequest) ServerResponse {
	h.t.Helper()
	s := h.create(req)
	h.clock.Advance(9 * testStep)
	got := h.get(s.UUID).expect(h.t, http.StatusOK).server(h.t)
	if got.Status != StatusDelivered {
		h.t.Fatalf("precondition: server is %q, want delivered", got.Status)
	}
	return got
}

func (h *harness) commands(uuid string, opts ...opt) []CommandResponse {
	h.t.Helper()
	return decode[[]CommandResponse](h.t, h.do(http.MethodGet, "/v3/flexMetal/servers/"+uuid+"/commands?type="+CommandTypeUpdateServer, nil, opts...).expect(h.t, http.StatusOK))
}
