package flexmetal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// testAPIKey is distinctive so a leak into any error or log line is easy to detect.
const testAPIKey = "fm-test-key-7Q2xZ9wVb41"

const (
	serversPath = "/v3/flexMetal/servers"
	testUA      = "flexmetal-client-test/1.2.3"
)

// recordedRequest is what a test server saw of one request.
type recordedRequest struct {
	Method     string
	Path       string // decoded path
	RequestURI string // path and query exactly as sent on the wire
	Query      url.Values
	Header     http.Header
	Body       []byte
	At         time.Time
}

// isList reports whether the request lists servers (as opposed to getting one).
func (r recordedRequest) isList() bool { return r.Method == http.MethodGet && r.Path == serversPath }

// isServerGet reports whether the request gets one server by UUID.
func (r recordedRequest) isServerGet() bool {
	rest, ok := strings.CutPrefix(r.Path, serversPath+"/")
	return r.Method == http.MethodGet && ok && rest != "" && !strings.Contains(rest, "/")
}

// recorder keeps every request a test server received.
type recorder struct {
	mu   sync.Mutex
	reqs []recordedRequest
}

func (rec *recorder) add(r recordedRequest) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.reqs = append(rec.reqs, r)
}

func (rec *recorder) all() []recordedRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.reqs)
}

func (rec *recorder) count(match func(recordedRequest) bool) int {
	n := 0
	for _, r := range rec.all() {
		if match(r) {
			n++
		}
	}
	return n
}

func (rec *recorder) total() int { return len(rec.all()) }

// countMethod counts requests with this method and exact decoded path.
func (rec *recorder) countMethod(method, path string) int {
	return rec.count(func(r recordedRequest) bool { return r.Method == method && r.Path == path })
}

func (rec *recorder) only(t *testing.T) recordedRequest {
	t.Helper()
	all := rec.all()
	if len(all) != 1 {
		t.Fatalf("server saw %d requests, want exactly 1: %v", len(all), describe(all))
	}
	return all[0]
}

func describe(reqs []recordedRequest) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Method + " " + r.RequestURI
	}
	return out
}

// newAPI starts a test server that records each request (body included) and then hands it to
// h, with the body still readable.
func newAPI(t *testing.T, h http.Handler) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading request body: %v", err)
		}
		rec.add(recordedRequest{
			Method: r.Method, Path: r.URL.Path, RequestURI: r.RequestURI, Query: r.URL.Query(),
			Header: r.Header.Clone(), Body: body, At: time.Now(),
		})
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

// reply is one scripted answer.
type reply struct {
	status int
	body   string
	header map[string]string
	// drop hijacks the connection and closes it (with a reset) without answering, after the
	// request and its body were read: the API may have acted, the client cannot know.
	drop bool
}

func okJSON(body string) reply { return reply{status: http.StatusOK, body: body} }

func statusReply(code int) reply {
	return reply{status: code, body: fmt.Sprintf(`{"errorCode":%d,"errorMessage":%q,"errors":[]}`, 10000+code, http.StatusText(code))}
}

func dropReply() reply { return reply{drop: true} }

func (rp reply) serve(t *testing.T, w http.ResponseWriter) {
	if rp.drop {
		dropConnection(t, w)
		return
	}
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	if rp.body != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(rp.status)
	_, _ = io.WriteString(w, rp.body)
}

// dropConnection closes the client's connection abruptly, as a crashing proxy would.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // a reset rather than an orderly close
	}
	_ = conn.Close()
}

// scripted serves the replies in order, one per request, repeating the last one.
func scripted(t *testing.T, replies ...reply) http.Handler {
	var mu sync.Mutex
	next := 0
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		rp := replies[min(next, len(replies)-1)]
		next++
		mu.Unlock()
		rp.serve(t, w)
	})
}

// routes dispatches on "METHOD /decoded/path"; anything else is a test failure and a 599.
func routes(t *testing.T, m map[string]http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := m[r.Method+" "+r.URL.Path]; ok {
			h.ServeHTTP(w, r)
			return
		}
		t.Errorf("unexpected request %s %s", r.Method, r.RequestURI)
		w.WriteHeader(599)
	})
}

// fastRetry retries n times with millisecond backoff and a Retry-After honored up to 20ms.
func fastRetry(n int) flexmetal.RetryPolicy {
	return flexmetal.RetryPolicy{MaxRetries: n, MinDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 20 * time.Millisecond}
}

// newClient builds a client for baseURL with a private transport, quick retries and quick
// polling; later options override these defaults.
func newClient(t *testing.T, baseURL string, opts ...flexmetal.Option) *flexmetal.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	all := append([]flexmetal.Option{
		flexmetal.WithBaseURL(baseURL),
		flexmetal.WithAPIKey(testAPIKey),
		flexmetal.WithUserAgent(testUA),
		flexmetal.WithHTTPClient(&http.Client{Transport: tr}),
		flexmetal.WithRetryPolicy(fastRetry(3)),
		flexmetal.WithPollInterval(5 * time.Millisecond),
		flexmetal.WithMinPollInterval(time.Millisecond),
	}, opts...)
	c, err := flexmetal.NewClient(all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// freshConnections gives the client a transport without keep-alives. A dropped connection is
// then always a fresh one, which net/http never replays on its own, so the server's request
// count equals the client's attempt count.
func freshConnections() flexmetal.Option {
	return flexmetal.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})
}

// serverObj is a FlexMetal server in the API's wire shape.
func serverObj(uuid, status string, tags ...string) map[string]any {
	if tags == nil {
		tags = []string{}
	}
	return map[string]any{
		"uuid":          uuid,
		"name":          "host-" + uuid,
		"status":        status,
		"statusMessage": "OK",
		"location":      map[string]any{"id": 18, "name": "EU: Rotterdam"},
		"instanceType":  map[string]any{"id": 129, "name": "bm7.std.8"},
		"os":            map[string]any{"slug": "ubuntu-2404-lts"},
		"ipAddresses":   []any{},
		"tags":          tags,
		"createdAt":     1730000000,
		"deliveredAt":   nil,
		"releasedAt":    nil,
		"contractId":    nil,
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

// serverArray is the API's usual answer for one server "u1": an array holding it.
func serverArray(t *testing.T, status string, tags ...string) string {
	return mustJSON(t, []any{serverObj("u1", status, tags...)})
}

// notFoundBody is the API's error body for a missing entity.
const notFoundBody = `{"errorCode":20404,"errorMessage":"no such server","errors":[]}`

// fleet is a small stateful fake of the servers API: list (RANGED-DATA paging, status and tag
// filters), get, and tag add/remove. Each server walks its status script one step each time it
// is shown, whether in a list or a GET, so waits progress however they poll.
type fleet struct {
	t *testing.T

	mu      sync.Mutex
	order   []string
	servers map[string]*fakeServer
	// ignoreRange makes the list ignore RANGED-DATA and return every match at once.
	ignoreRange bool
	// beforeListReply, if set, runs after a list answer was built and before it is written.
	beforeListReply func()
	// listFails, if set, answers every list request instead (GETs still work).
	listFails *reply
}

type fakeServer struct {
	uuid   string
	script []string
	shown  int
	tags   []string
}

func newFleet(t *testing.T) *fleet { return &fleet{t: t, servers: map[string]*fakeServer{}} }

func (f *fleet) add(uuid string, script ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.order = append(f.order, uuid)
	f.servers[uuid] = &fakeServer{uuid: uuid, script: script, tags: []string{}}
}

// show renders a server and advances its script; f.mu must be held.
func (f *fleet) show(s *fakeServer) map[string]any {
	status := s.script[min(s.shown, len(s.script)-1)]
	s.shown++
	return serverObj(s.uuid, status, s.tags...)
}

func (f *fleet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	rest, _ := strings.CutPrefix(r.URL.Path, serversPath)
	parts := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	switch {
	case r.Method == http.MethodGet && rest == "":
		f.serveList(w, r)
	case r.Method == http.MethodGet && len(parts) == 1:
		f.mu.Lock()
		s, ok := f.servers[parts[0]]
		var body string
		if ok {
			body = mustJSON(f.t, []any{f.show(s)})
		}
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, notFoundBody)
			return
		}
		_, _ = io.WriteString(w, body)
	case (r.Method == http.MethodPost || r.Method == http.MethodDelete) && len(parts) == 3 && parts[1] == "tag":
		f.mu.Lock()
		s, ok := f.servers[parts[0]]
		var body string
		if ok {
			s.tags = slices.DeleteFunc(s.tags, func(t string) bool { return t == parts[2] })
			if r.Method == http.MethodPost {
				s.tags = append(s.tags, parts[2])
			}
			status := s.script[min(max(s.shown-1, 0), len(s.script)-1)]
			body = mustJSON(f.t, []any{serverObj(s.uuid, status, s.tags...)})
		}
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, notFoundBody)
			return
		}
		_, _ = io.WriteString(w, body)
	default:
		f.t.Errorf("fleet: unexpected request %s %s", r.Method, r.RequestURI)
		w.WriteHeader(599)
	}
}

func (f *fleet) serveList(w http.ResponseWriter, r *http.Request) {
	if f.listFails != nil {
		f.listFails.serve(f.t, w)
		return
	}
	start, results := 0, 15 // the API's default page
	if rd := r.Header.Get("RANGED-DATA"); rd != "" && !f.ignoreRange {
		var err error
		start, results, err = parseRangedData(rd)
		if err != nil {
			f.t.Errorf("fleet: %v", err)
		}
	}
	wantTags := r.URL.Query()["tag"]
	wantStatus := r.URL.Query().Get("status")

	f.mu.Lock()
	var matches []*fakeServer
	for _, id := range f.order {
		s := f.servers[id]
		if !containsAll(s.tags, wantTags) {
			continue
		}
		if wantStatus != "" && s.script[min(s.shown, len(s.script)-1)] != wantStatus {
			continue
		}
		matches = append(matches, s)
	}
	if !f.ignoreRange {
		matches = matches[min(start, len(matches)):min(start+results, len(matches))]
	}
	page := make([]any, 0, len(matches))
	for _, s := range matches {
		page = append(page, f.show(s))
	}
	body := mustJSON(f.t, page)
	hook := f.beforeListReply
	f.mu.Unlock()

	if hook != nil {
		hook()
	}
	_, _ = io.WriteString(w, body)
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// parseRangedData reads "start=S,results=N".
func parseRangedData(v string) (start, results int, err error) {
	for _, part := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, convErr := strconv.Atoi(val)
		if !ok || convErr != nil {
			return 0, 0, fmt.Errorf("malformed RANGED-DATA %q", v)
		}
		switch k {
		case "start":
			start = n
		case "results":
			results = n
		default:
			return 0, 0, fmt.Errorf("malformed RANGED-DATA %q", v)
		}
	}
	return start, results, nil
}

// errorChainTexts returns the text of err and of every error it wraps.
func errorChainTexts(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		out = append(out, e.Error())
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				walk(inner)
			}
		}
	}
	walk(err)
	return out
}

// assertNoKey fails if the API key appears anywhere in err's chain.
func assertNoKey(t *testing.T, err error) {
	t.Helper()
	for _, text := range errorChainTexts(err) {
		if strings.Contains(text, testAPIKey) {
			t.Errorf("the API key leaked into an error: %q", text)
		}
	}
}

// logCollector is a RequestLog hook that keeps every entry.
type logCollector struct {
	mu      sync.Mutex
	entries []flexmetal.RequestLog
}

func (l *logCollector) hook(_ context.Context, e flexmetal.RequestLog) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
}

func (l *logCollector) all() []flexmetal.RequestLog {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.entries)
}

// startTogether runs fn(i) for i in [0,n) on n goroutines released at once, and waits.
func startTogether(n int, fn func(i int)) {
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			fn(i)
		}()
	}
	ready.Wait()
	close(gate)
	done.Wait()
}

// asAPIError extracts the *APIError from err or fails the test.
func asAPIError(t *testing.T, err error) *flexmetal.APIError {
	t.Helper()
	var apiErr *flexmetal.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return apiErr
}

// manualDeadline is a context whose deadline passes when expire is called, so a test can end a
// wait right after the fake API has shown a given state, whatever the machine's load.
type manualDeadline struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newManualDeadline() *manualDeadline {
	return &manualDeadline{Context: context.Background(), done: make(chan struct{})}
}

func (c *manualDeadline) Done() <-chan struct{} { return c.done }

func (c *manualDeadline) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func (c *manualDeadline) expire() { c.once.Do(func() { close(c.done) }) }

// expireAfter serves replies like scripted and expires ctx once the n-th request has been
// answered: from then on the client's in-flight and later requests see the deadline.
func expireAfter(t *testing.T, ctx *manualDeadline, n int, replies ...reply) http.Handler {
	inner := scripted(t, replies...)
	var mu sync.Mutex
	seen := 0
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r)
		mu.Lock()
		seen++
		expire := seen >= n
		mu.Unlock()
		if expire {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			ctx.expire()
		}
	})
}
