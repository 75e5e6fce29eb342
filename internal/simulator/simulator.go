package simulator

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"time"
)

// maxBodyBytes bounds request bodies; real requests are a few KB even with a post-install
// script.
const maxBodyBytes = 1 << 20

// maxRecordedRequests bounds the request record; see Requests.
const maxRecordedRequests = 100_000

// Simulator is an in-memory FlexMetal API. Create it with New; it is an http.Handler and is
// safe for concurrent use.
type Simulator struct {
	cfg     Config
	catalog *catalog
	// hooks let tests observe the moments they cannot see through HTTP. Set before serving.
	hooks struct {
		sleeping func()
		recorded func(Request)
	}

	// mu guards everything below. It is never held while sleeping, so injected latency on one
	// request does not stall others.
	mu       sync.Mutex
	latency  time.Duration
	failRE   *regexp.Regexp
	stuckRE  *regexp.Regexp
	servers  map[string]*server
	keys     map[string]*sshKey
	faults   []*faultRule
	requests []Request
	ipSeq    int
	uuids    uuidV7Source
	keySeq   int
	// accountTags is the account's tag list (GET /v3/flexMetal/tags).
	accountTags map[string]struct{}
	// availability overrides DefaultAvailability per location and instance type (see
	// Config.Availability).
	availability map[QuotaKey]string
	// bandwidth is what the usage report gives per server uuid (SetUsageBandwidth).
	bandwidth map[string]usageBandwidth
}

// New returns a simulator with the seeded catalog and no servers or SSH keys.
func New(cfg Config) *Simulator {
	cfg = cfg.withDefaults()
	return &Simulator{
		cfg:          cfg,
		catalog:      defaultCatalog,
		latency:      cfg.Latency,
		failRE:       cfg.FailNamePattern,
		stuckRE:      cfg.StuckNamePattern,
		servers:      map[string]*server{},
		keys:         map[string]*sshKey{},
		accountTags:  map[string]struct{}{},
		availability: maps.Collect(maps.All(cfg.Availability)),
	}
}

// SetLatency changes the delay added to every request from now on.
func (s *Simulator) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = max(d, 0)
}

// SetFailNamePattern replaces Config.FailNamePattern for servers created from now on; nil
// restores the default. Existing servers keep the outcome decided when they were created, so
// a failed server does not come back to life when a test relaxes the pattern.
func (s *Simulator) SetFailNamePattern(re *regexp.Regexp) {
	re = patternOrDefault(re, DefaultFailNamePattern)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRE = re
}

// SetStuckNamePattern replaces Config.StuckNamePattern for servers created from now on; nil
// restores the default. A server already stuck stays stuck.
func (s *Simulator) SetStuckNamePattern(re *regexp.Regexp) {
	re = patternOrDefault(re, DefaultStuckNamePattern)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stuckRE = re
}

// SetReinstallFailPatterns replaces Config.ReinstallFailNamePattern and
// Config.ReinstallFailKeepNamePattern for reinstalls accepted from now on; nil restores a
// default. A reinstall already accepted keeps its outcome.
func (s *Simulator) SetReinstallFailPatterns(fail, keep *regexp.Regexp) {
	fail = patternOrDefault(fail, DefaultReinstallFailNamePattern)
	keep = patternOrDefault(keep, DefaultReinstallFailKeepNamePattern)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.ReinstallFailNamePattern, s.cfg.ReinstallFailKeepNamePattern = fail, keep
}

func (s *Simulator) now() time.Time { return s.cfg.Clock.Now() }

// Start serves the simulator on a fresh 127.0.0.1 port. stop cuts short requests sleeping in
// injected latency, so a test's cleanup does not wait for them, then closes the server.
func (s *Simulator) Start() (baseURL string, stop func()) {
	stopCtx, cancelAll := context.WithCancel(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		unregister := context.AfterFunc(stopCtx, cancel)
		defer unregister()
		s.ServeHTTP(w, r.WithContext(ctx))
	}))
	var once sync.Once
	return srv.URL, func() {
		once.Do(func() {
			cancelAll()
			srv.CloseClientConnections()
			srv.Close()
		})
	}
}

// response is a handler's outcome, kept apart from the ResponseWriter so faults can act on a
// request and then discard or corrupt what it would have answered.
type response struct {
	status int
	// body is marshaled as JSON unless nil.
	body any
	// single, when set, is the bare object written instead of body under Config.BareObjects.
	single any
	header http.Header
}

func list[T any](items []T) response {
	if items == nil {
		items = []T{}
	}
	return response{status: http.StatusOK, body: items}
}

// one wraps a single object in the one-element array the real API answers with.
func one[T any](v T) response {
	return response{status: http.StatusOK, body: []T{v}, single: v}
}

func noContent() response { return response{status: http.StatusNoContent} }

func errorResponse(err error) response {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		apiErr = &APIError{Status: http.StatusInternalServerError, Code: ErrCodeInternal, Message: err.Error()}
	}
	return response{status: apiErr.Status, body: apiErr.body()}
}

// ServeHTTP handles one API request: latency, then fault injection, then authentication and
// the endpoint itself.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	if t, ok := s.cfg.Clock.(requestTicker); ok {
		t.tick()
	}
	rec := Request{
		Method:     r.Method,
		Path:       r.URL.Path,
		RawQuery:   r.URL.RawQuery,
		RangedData: r.Header.Get(RangedDataHeader),
		At:         s.now(),
	}
	// Reading the body before any delay lets net/http watch the connection, so a client that
	// gives up during injected latency cancels the request context instead of being acted on.
	body, bodyErr := readBody(r)
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if !s.sleep(r.Context(), latency) {
		s.abandon(w, rec, began)
		return
	}

	fault := s.takeFault(r.Method, r.URL.Path)
	if fault != nil {
		rec.Fault = fault.Kind.String()
	}
	var resp response
	switch {
	case fault == nil:
		resp = s.handle(r, body, bodyErr)
	case fault.Kind == FaultDropBeforeHandling:
		// Record before dropping: the client sees the connection close at once and a test may
		// inspect the record immediately.
		s.finish(rec, began)
		dropConnection(w)
		return
	case fault.Kind == FaultLatency:
		if !s.sleep(r.Context(), fault.Latency) {
			s.abandon(w, rec, began)
			return
		}
		resp = s.handle(r, body, bodyErr)
	case fault.Kind == FaultStatusAfterHandling:
		s.handle(r, body, bodyErr)
		resp = fault.response()
	case fault.Kind == FaultSlowAnswer:
		resp = s.handle(r, body, bodyErr)
		if !s.sleep(r.Context(), fault.Latency) {
			s.abandon(w, rec, began)
			return
		}
	case fault.Kind == FaultDropAfterHandling:
		s.handle(r, body, bodyErr)
		s.finish(rec, began)
		dropConnection(w)
		return
	case fault.Kind == FaultMalformedJSON:
		s.handle(r, body, bodyErr)
		resp = response{status: http.StatusOK, body: json.RawMessage(malformedBody)}
	default:
		resp = fault.response()
	}

	rec.Status = resp.status
	s.finish(rec, began)
	s.write(w, resp)
}

// abandon ends a request whose context ended during injected latency. Returning normally
// would make net/http send an empty 200, which a client still listening (the server is
// shutting down) would take for success.
func (s *Simulator) abandon(w http.ResponseWriter, rec Request, began time.Time) {
	s.finish(rec, began)
	dropConnection(w)
}

// finish records the request before anything reaches the client, so a test that reacts to the
// response always finds it in Requests.
func (s *Simulator) finish(rec Request, began time.Time) {
	s.mu.Lock()
	if len(s.requests) >= maxRecordedRequests {
		// A standalone simulator polled for days must not grow without bound; tests never
		// come near the limit.
		s.requests = append([]Request(nil), s.requests[len(s.requests)/2:]...)
	}
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	if s.hooks.recorded != nil {
		s.hooks.recorded(rec)
	}
	if s.cfg.Logger != nil {
		fault := ""
		if rec.Fault != "" {
			fault = " fault=" + rec.Fault
		}
		path := rec.Path
		if rec.RawQuery != "" {
			path += "?" + rec.RawQuery
		}
		s.cfg.Logger.Printf("%s %s -> %d in %s%s", rec.Method, path, rec.Status, time.Since(began).Round(time.Microsecond), fault)
	}
}

func (s *Simulator) write(w http.ResponseWriter, resp response) {
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	if resp.body == nil {
		w.WriteHeader(resp.status)
		return
	}
	body := resp.body
	if s.cfg.BareObjects && resp.single != nil {
		body = resp.single
	}
	var buf []byte
	if raw, ok := body.(json.RawMessage); ok {
		buf = raw
	} else {
		var b bytes.Buffer
		if err := json.NewEncoder(&b).Encode(body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		buf = b.Bytes()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.status)
	_, _ = w.Write(buf)
}

// handle authenticates and dispatches. The body was read before taking the lock so a slow
// client cannot hold it.
func (s *Simulator) handle(r *http.Request, body []byte, bodyErr error) response {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("PRIVATE-TOKEN")), []byte(s.cfg.APIKey)) != 1 {
		return errorResponse(&APIError{Status: http.StatusForbidden, Code: ErrCodeInvalidCredentials, Message: "Invalid credentials"})
	}
	h, params, err := s.route(r)
	if mna, ok := err.(*methodNotAllowed); ok {
		return mna.response()
	}
	if err != nil {
		return errorResponse(err)
	}
	if bodyErr != nil {
		return errorResponse(bodyErr)
	}
	c := &call{r: r, params: params, body: body}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.now = s.now()
	return h(s, c)
}

// call is what a handler needs from a request.
type call struct {
	r      *http.Request
	params map[string]string
	body   []byte
	now    time.Time
}

func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, badRequest("Could not read request body")
	}
	if len(body) > maxBodyBytes {
		return nil, badRequest("Request body too large")
	}
	return body, nil
}

// sleep waits d unless ctx ends first, reporting whether the request should go on.
func (s *Simulator) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	if s.hooks.sleeping != nil {
		s.hooks.sleeping()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
