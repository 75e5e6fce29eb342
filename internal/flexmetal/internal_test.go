package flexmetal

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseRetryAfter_secondsHTTPDatesAndGarbage(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"1", time.Second},
		{"120", 2 * time.Minute},
		{"  7 ", 7 * time.Second},
		{"-5", 0},
		{"1.5", 0},
		{"soon", 0},
		{"10s", 0},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(90 * time.Second).Format(time.RFC850), 90 * time.Second},
		{now.Add(45 * time.Second).Format(time.ANSIC), 45 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{now.Format(http.TimeFormat), 0},
		{"Sat, 01 Mar 2025 25:00:00 GMT", 0},
	}
	for _, tc := range cases {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestRetryPolicyBackoff_doublesWithJitterUpToMaxDelay(t *testing.T) {
	p := RetryPolicy{MaxRetries: 10, MinDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt, full := range map[int]time.Duration{
		1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond,
		4: 800 * time.Millisecond, 5: time.Second, 9: time.Second,
	} {
		for range 50 {
			if d := p.backoff(attempt); d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", attempt, d, full/2, full)
			}
		}
	}
	if d := (RetryPolicy{}).backoff(3); d != 0 {
		t.Errorf("zero policy backoff = %s, want 0", d)
	}
}

func TestRetryPolicyDecide_whatIsRetriedAndHowLong(t *testing.T) {
	p := RetryPolicy{MaxRetries: 2, MinDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond, MaxRetryAfter: 10 * time.Second}
	get := request{method: http.MethodGet, idempotent: true}
	post := request{method: http.MethodPost}
	api := func(status int, retryAfter int64) error { return &APIError{StatusCode: status, RetryAfter: retryAfter} }
	refused := &TransportError{Err: &net.OpError{Op: "dial", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}}
	reset := &TransportError{Err: &net.OpError{Op: "read", Err: syscall.ECONNRESET}}
	lostBody := &TransportError{Err: errors.New("unexpected EOF"), Sent: true}
	dns := &TransportError{Err: &net.DNSError{Err: "server misbehaving", Name: "api.example", IsTemporary: true}}
	noSuchHost := &TransportError{Err: &net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}}
	plainHTTP := &TransportError{Err: errors.New("http: server gave HTTP response to HTTPS client")}
	untrusted := &TransportError{Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}

	cases := []struct {
		name  string
		req   request
		err   error
		retry bool
	}{
		{"GET 429", get, api(429, 0), true},
		{"GET 500", get, api(500, 0), true},
		{"GET 502", get, api(502, 0), true},
		{"GET 503", get, api(503, 0), true},
		{"GET 504", get, api(504, 0), true},
		{"GET 400", get, api(400, 0), false},
		{"GET 404", get, api(404, 0), false},
		{"GET reset", get, reset, true},
		{"GET lost body", get, lostBody, true},
		{"POST 429", post, api(429, 0), true},
		{"POST 503", post, api(503, 0), true},
		{"POST 500", post, api(500, 0), false},
		{"POST 502", post, api(502, 0), false},
		{"POST 504", post, api(504, 0), false},
		{"POST refused", post, refused, true},
		{"POST DNS failure", post, dns, true},
		{"POST reset", post, reset, false},
		{"POST lost body", post, lostBody, false},
		{"POST undecodable answer", post, &ResponseError{Err: errors.New("x")}, false},
		{"GET undecodable answer", get, &ResponseError{Err: errors.New("x")}, true},
		{"GET plain error", get, errors.New("x"), false},
		{"GET host name not found", get, noSuchHost, false},
		{"POST host name not found", post, noSuchHost, false},
		{"GET HTTPS to plain HTTP", get, plainHTTP, false},
		{"GET untrusted certificate", get, untrusted, false},
	}
	for _, tc := range cases {
		if _, retry := p.decide(tc.req, tc.err, 1, 0); retry != tc.retry {
			t.Errorf("%s: retry = %v, want %v", tc.name, retry, tc.retry)
		}
	}

	if _, retry := p.decide(get, api(503, 0), 3, 0); retry {
		t.Error("attempt 3 with MaxRetries 2 was retried")
	}
	if _, retry := p.decide(get, api(503, 0), 2, 0); !retry {
		t.Error("attempt 2 with MaxRetries 2 was not retried")
	}
	if wait, _ := p.decide(get, api(429, 3), 1, 0); wait != 3*time.Second {
		t.Errorf("Retry-After 3 gave a wait of %s, want 3s", wait)
	}
	if wait, _ := p.decide(get, api(429, 3600), 1, 0); wait != 10*time.Second {
		t.Errorf("Retry-After 3600 gave a wait of %s, want MaxRetryAfter (10s)", wait)
	}
	if wait, _ := p.decide(get, api(503, 0), 1, 0); wait > 4*time.Millisecond {
		t.Errorf("no Retry-After gave a wait of %s, want the backoff", wait)
	}
	if _, retry := p.decide(get, reset, 1, DefaultUnreachableBudget); retry {
		t.Error("a reset was retried after the unreachable budget was spent")
	}
	if _, retry := p.decide(get, api(503, 0), 1, time.Hour); !retry {
		t.Error("a 503 was not retried after an hour: answered failures have no time budget")
	}
	if _, retry := (RetryPolicy{MaxRetries: 2, UnreachableBudget: -1}).decide(get, reset, 1, 0); retry {
		t.Error("a reset was retried with a negative unreachable budget")
	}
}

// fakeClock is a clock for the client that only moves when the client sleeps.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
	return ctx.Err()
}

// retryBudget sends one GET to baseURL with the default retry policy on a fake clock and
// reports the attempts made and the time waited between them.
func retryBudget(t *testing.T, baseURL string) (attempts int, waited time.Duration, err error) {
	t.Helper()
	c, err := NewClient(WithBaseURL(baseURL), WithRequestLogger(func(context.Context, RequestLog) { attempts++ }))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: start}
	c.now, c.sleep = clock.Now, clock.Sleep
	_, err = c.Servers.Get(context.Background(), "u1")
	return attempts, clock.Now().Sub(start), err
}

func TestDefaultRetryPolicy_reportsAnUnreachableAPIWithinSecondsAndWaitsOutAnOutage(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	// The backoff is jittered: try it often enough to meet both ends.
	for range 20 {
		attempts, waited, err := retryBudget(t, closed.URL)
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("err = %v, want connection refused", err)
		}
		// Backoffs of 0.25-0.5s doubling: four always fit in 15s, a fifth may, a sixth never.
		if attempts < 5 || attempts > 6 || waited > DefaultUnreachableBudget {
			t.Errorf("refused: %d attempts over %s, want 5 or 6 within %s", attempts, waited, DefaultUnreachableBudget)
		}
	}

	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer api.Close()
	attempts, waited, err := retryBudget(t, api.URL)
	if !hasStatus(err, http.StatusServiceUnavailable) {
		t.Fatalf("err = %v, want the 503", err)
	}
	if attempts != 9 || waited < 45*time.Second {
		t.Errorf("503: %d attempts over %s, want 9 over at least 45s", attempts, waited)
	}
}

func TestAmbiguous_classifiesCreateFailures(t *testing.T) {
	cases := map[string]struct {
		err  error
		want bool
	}{
		"connection reset":   {&TransportError{Err: &net.OpError{Op: "read", Err: syscall.ECONNRESET}}, true},
		"connection refused": {&TransportError{Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, false},
		"500":                {&APIError{StatusCode: 500}, true},
		"502":                {&APIError{StatusCode: 502}, true},
		"503":                {&APIError{StatusCode: 503}, false},
		"429":                {&APIError{StatusCode: 429}, false},
		"422":                {&APIError{StatusCode: 422}, false},
		"unreadable answer":  {&ResponseError{Err: errors.New("x")}, true},
		"wrapped reset":      {fmt.Errorf("ctx: %w", &TransportError{Err: errors.New("EOF")}), true},
		"other":              {errors.New("x"), false},
	}
	for name, tc := range cases {
		if got := ambiguous(tc.err); got != tc.want {
			t.Errorf("ambiguous(%s) = %v, want %v", name, got, tc.want)
		}
	}
}

func TestNewClient_minPollIsCappedByPollInterval(t *testing.T) {
	c, err := NewClient(WithPollInterval(2*time.Second), WithMinPollInterval(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if c.minPoll != 2*time.Second {
		t.Errorf("minPoll = %s, want it capped to the 2s poll interval", c.minPoll)
	}
}

func TestUntilNextPoll_startsAtMinimumAndNeverExceedsPollInterval(t *testing.T) {
	c, err := NewClient(WithMinPollInterval(time.Second), WithPollInterval(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, elapsed := range []time.Duration{0, time.Second, time.Minute, time.Hour} {
		d := c.watch.untilNextPoll(elapsed)
		if d <= 0 || d > 2*c.pollInterval {
			t.Errorf("untilNextPoll(%s) = %s, want within (0, %s]", elapsed, d, 2*c.pollInterval)
		}
	}
	if d := c.watch.untilNextPoll(0); d < 500*time.Millisecond || d > 1500*time.Millisecond {
		t.Errorf("untilNextPoll(0) = %s, want about the 1s minimum", d)
	}
}

func TestRedactKey_replacesKeyAndKeepsOtherErrorsIntact(t *testing.T) {
	inner := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	if got := redactKey(inner, "secret"); got != error(inner) {
		t.Errorf("an error without the key was replaced: %v", got)
	}
	if got := redactKey(inner, ""); got != error(inner) {
		t.Errorf("an empty key replaced the error: %v", got)
	}
	got := redactKey(errors.New("header PRIVATE-TOKEN: secret rejected"), "secret")
	if strings.Contains(got.Error(), "secret") || !strings.Contains(got.Error(), "***") {
		t.Errorf("redactKey = %q", got)
	}
}

func TestParseAPIError_cutsLongBodiesOnRuneBoundary(t *testing.T) {
	resp := &http.Response{StatusCode: 502, Header: http.Header{}}
	body := strings.Repeat("x", 199) + strings.Repeat("ü", 100)
	apiErr := parseAPIError(request{method: "GET", path: "/p"}, resp, []byte(body))
	if !utf8.ValidString(apiErr.Message) {
		t.Errorf("message %q is not valid UTF-8", apiErr.Message)
	}
	if !strings.HasPrefix(apiErr.Message, strings.Repeat("x", 199)+"ü") || !strings.HasSuffix(apiErr.Message, "…") {
		t.Errorf("message %q, want 200 runes and an ellipsis", apiErr.Message)
	}
}

func TestIntBool_marshalsAsZeroOrOne(t *testing.T) {
	for b, want := range map[intBool]string{true: "1", false: "0"} {
		got, err := b.MarshalJSON()
		if err != nil || string(got) != want {
			t.Errorf("intBool(%v).MarshalJSON() = %s, %v; want %s", b, got, err, want)
		}
	}
}

func TestDo_cancelDuringBackoffStopsAndKeepsBothErrors(t *testing.T) {
	var requests atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer api.Close()
	c, err := NewClient(WithBaseURL(api.URL), WithRetryPolicy(RetryPolicy{MaxRetries: 5, MinDelay: time.Hour, MaxDelay: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var slept time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		slept = d
		cancel() // the caller gives up while the client is backing off
		return sleepContext(ctx, d)
	}
	start := time.Now()
	_, err = c.do(ctx, request{method: http.MethodGet, path: "/v3/flexMetal/servers/u1", idempotent: true})
	if time.Since(start) > 5*time.Second {
		t.Errorf("do kept waiting after the cancel")
	}
	if slept < 30*time.Minute {
		t.Errorf("backoff was %s, want about an hour", slept)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Errorf("err = %v, want the 503 being retried", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled) = false: callers cannot tell an interrupt from an outage", err)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}
