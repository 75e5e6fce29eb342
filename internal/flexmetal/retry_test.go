package flexmetal_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// transientFailures are the answers after which an idempotent request is sent again.
func transientFailures() map[string]reply {
	return map[string]reply{
		"429":                {status: 429, body: `{"errorCode":429,"errorMessage":"Too many requests","errors":[]}`},
		"500":                statusReply(500),
		"502":                statusReply(502),
		"503":                statusReply(503),
		"504":                statusReply(504),
		"dropped connection": dropReply(),
	}
}

func TestGetRequests_retriedAfterTransientFailure(t *testing.T) {
	for name, failure := range transientFailures() {
		t.Run(name, func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, failure, okJSON(serverArray(t, "delivered"))))
			c := newClient(t, api.URL, freshConnections())
			s, err := c.Servers.Get(context.Background(), "u1")
			if err != nil {
				t.Fatalf("Get after one %s: %v", name, err)
			}
			if s.UUID != "u1" {
				t.Errorf("Get = %+v", s)
			}
			if n := rec.total(); n != 2 {
				t.Errorf("server saw %d GETs, want 2", n)
			}
		})
	}
}

func TestGetRequests_retriedAfterGarbledAnswer(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(`<html>maintenance`), okJSON(serverArray(t, "delivered"))))
	c := newClient(t, api.URL)
	if s, err := c.Servers.Get(context.Background(), "u1"); err != nil || s.UUID != "u1" {
		t.Fatalf("Get = %+v, %v; want u1 after one garbled answer", s, err)
	}
	if n := rec.total(); n != 2 {
		t.Errorf("server saw %d GETs, want 2", n)
	}
}

func TestDeleteRequests_retriedAfterTransientFailure(t *testing.T) {
	for name, failure := range transientFailures() {
		t.Run("Release after "+name, func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, failure, okJSON(serverArray(t, "releasing"))))
			c := newClient(t, api.URL, freshConnections())
			s, err := c.Servers.Release(context.Background(), "u1")
			if err != nil || s == nil || s.Status != "releasing" {
				t.Fatalf("Release = %+v, %v", s, err)
			}
			if n := rec.countMethod(http.MethodDelete, serversPath+"/u1"); n != 2 {
				t.Errorf("server saw %d DELETEs, want 2", n)
			}
		})
		t.Run("SSHKeys.Delete after "+name, func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, failure, reply{status: http.StatusNoContent}))
			c := newClient(t, api.URL, freshConnections())
			if err := c.SSHKeys.Delete(context.Background(), "k1"); err != nil {
				t.Fatal(err)
			}
			if n := rec.countMethod(http.MethodDelete, "/v3/sshKey/k1"); n != 2 {
				t.Errorf("server saw %d DELETEs, want 2", n)
			}
		})
	}
}

func TestGetRequests_notRetriedAfterClientErrors(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 422} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, statusReply(status), okJSON(serverArray(t, "delivered"))))
			c := newClient(t, api.URL)
			_, err := c.Servers.Get(context.Background(), "u1")
			if asAPIError(t, err).StatusCode != status {
				t.Errorf("err = %v, want HTTP %d", err, status)
			}
			if n := rec.total(); n != 1 {
				t.Errorf("server saw %d GETs, want 1", n)
			}
		})
	}
}

func TestRetries_boundedByMaxRetries(t *testing.T) {
	for _, maxRetries := range []int{0, 1, 4} {
		for name, failure := range map[string]reply{"503": statusReply(503), "500": statusReply(500), "dropped connection": dropReply()} {
			t.Run(fmt.Sprintf("%s with MaxRetries %d", name, maxRetries), func(t *testing.T) {
				api, rec := newAPI(t, scripted(t, failure))
				logs := &logCollector{}
				c := newClient(t, api.URL, freshConnections(), flexmetal.WithRetryPolicy(fastRetry(maxRetries)), flexmetal.WithRequestLogger(logs.hook))
				_, err := c.Servers.Get(context.Background(), "u1")
				if err == nil {
					t.Fatal("Get succeeded against a failing server")
				}
				if failure.drop {
					var tErr *flexmetal.TransportError
					if !errors.As(err, &tErr) {
						t.Errorf("err = %v (%T), want a *TransportError", err, err)
					}
				} else if asAPIError(t, err).StatusCode != failure.status {
					t.Errorf("err = %v, want the last HTTP %d", err, failure.status)
				}
				if n := rec.total(); n != maxRetries+1 {
					t.Errorf("server saw %d attempts, want %d", n, maxRetries+1)
				}
				if n := len(logs.all()); n != maxRetries+1 {
					t.Errorf("request log saw %d attempts, want %d", n, maxRetries+1)
				}
			})
		}
	}
}

func TestGetRetry_honoursRetryAfterSeconds(t *testing.T) {
	t.Parallel()
	api, rec := newAPI(t, scripted(t,
		reply{status: 429, header: map[string]string{"Retry-After": "1"}},
		okJSON(serverArray(t, "delivered"))))
	c := newClient(t, api.URL, flexmetal.WithRetryPolicy(flexmetal.RetryPolicy{
		MaxRetries: 2, MinDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 5 * time.Second,
	}))
	if _, err := c.Servers.Get(context.Background(), "u1"); err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	if len(reqs) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(reqs))
	}
	if gap := reqs[1].At.Sub(reqs[0].At); gap < time.Second {
		t.Errorf("retry came %s after the 429 with Retry-After: 1, want >= 1s", gap)
	}
}

func TestGetRetry_retryAfterIsCappedByMaxRetryAfter(t *testing.T) {
	api, rec := newAPI(t, scripted(t,
		reply{status: 503, header: map[string]string{"Retry-After": "3600"}},
		okJSON(serverArray(t, "delivered"))))
	c := newClient(t, api.URL) // MaxRetryAfter 20ms
	start := time.Now()
	if _, err := c.Servers.Get(context.Background(), "u1"); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("Get took %s; Retry-After should have been capped at 20ms", elapsed)
	}
	if rec.total() != 2 {
		t.Errorf("server saw %d requests, want 2", rec.total())
	}
}

func TestRetryBackoff_stopsPromptlyWhenContextCancelled(t *testing.T) {
	t.Parallel()
	api, rec := newAPI(t, scripted(t, statusReply(503)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel shortly after the first answer arrived, while the client sits in a 10s backoff.
	// (internal_test.go pins the cancel inside the backoff; here only promptness is checked.)
	logged := func(context.Context, flexmetal.RequestLog) { time.AfterFunc(20*time.Millisecond, cancel) }
	c := newClient(t, api.URL,
		flexmetal.WithRetryPolicy(flexmetal.RetryPolicy{MaxRetries: 5, MinDelay: 10 * time.Second, MaxDelay: 10 * time.Second}),
		flexmetal.WithRequestLogger(logged))
	start := time.Now()
	_, err := c.Servers.Get(ctx, "u1")
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Get returned %s after start, want promptly after the cancel", elapsed)
	}
	if asAPIError(t, err).StatusCode != 503 {
		t.Errorf("err = %v, want the 503 that was being retried", err)
	}
	if n := rec.total(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestRequests_contextAlreadyCancelledSendsNothingAgain(t *testing.T) {
	api, rec := newAPI(t, scripted(t, statusReply(503)))
	c := newClient(t, api.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Servers.Get(ctx, "u1")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n := rec.total(); n > 1 {
		t.Errorf("server saw %d requests on a canceled context", n)
	}
}

// endpoint is how an error message names a base URL: scheme and host.
func endpoint(t *testing.T, baseURL string) string {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Scheme + "://" + u.Host
}

// closedPort returns the address of a port nothing listens on any more.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// bannerServer speaks neither HTTP nor TLS: it answers whatever a connection first sends with an
// SSH daemon's banner. (Answering only after the request keeps the client's error deterministic:
// a banner arriving before the request was written makes net/http drop the connection instead.)
func bannerServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = l.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				if _, err := conn.Read(make([]byte, 1024)); err != nil {
					return
				}
				_, _ = io.WriteString(conn, "SSH-2.0-OpenSSH_9.6\r\n")
				_, _ = io.Copy(io.Discard, conn)
			})
		}
	})
	return l.Addr().String()
}

// resolvingClient is an HTTP client whose host names are resolved by r alone.
func resolvingClient(t *testing.T, r *net.Resolver) *http.Client {
	tr := &http.Transport{DialContext: (&net.Dialer{Resolver: r}).DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// nxdomainResolver answers every query with NXDOMAIN from memory, as a real resolver answers
// for the reserved .invalid domain, so the test needs no network and no resolver.
func nxdomainResolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go answerNXDOMAIN(server)
		return client, nil
	}}
}

// answerNXDOMAIN serves DNS over a stream (two length bytes, then the message), answering each
// query with its own question and the "name error" code.
func answerNXDOMAIN(conn net.Conn) {
	defer conn.Close()
	for {
		var size [2]byte
		if _, err := io.ReadFull(conn, size[:]); err != nil {
			return
		}
		query := make([]byte, binary.BigEndian.Uint16(size[:]))
		if _, err := io.ReadFull(conn, query); err != nil || len(query) < 12 {
			return
		}
		// The question is the name's labels up to a zero byte, then 2 bytes type, 2 bytes class.
		end := 12
		for end < len(query) && query[end] != 0 {
			end += int(query[end]) + 1
		}
		end += 5
		if end > len(query) {
			return
		}
		header := []byte{query[0], query[1], 0x80 | query[2]&0x79, 0x80 | 3, 0, 1, 0, 0, 0, 0, 0, 0}
		answer := append(header, query[12:end]...)
		msg := binary.BigEndian.AppendUint16(nil, uint16(len(answer)))
		if _, err := conn.Write(append(msg, answer...)); err != nil {
			return
		}
	}
}

// deadResolver fails like a resolver that cannot be reached, as on a machine without network.
func deadResolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("connect: network is unreachable")
	}}
}

func TestTransportFailures_retriedOnlyWhenTryingAgainCanHelp(t *testing.T) {
	plain, _ := newAPI(t, scripted(t, okJSON(serverArray(t, "delivered"))))
	secure := httptest.NewUnstartedServer(http.NotFoundHandler())
	secure.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake errors are the point
	secure.StartTLS()
	t.Cleanup(secure.Close)
	banner := bannerServer(t)
	dropping, _ := newAPI(t, scripted(t, dropReply()))
	forbidden, _ := newAPI(t, scripted(t, statusReply(403)))

	cases := []struct {
		name    string
		baseURL string
		client  *http.Client // nil: a fresh transport
		// attempts is 1 for a failure that cannot heal, 4 (fastRetry(3)) for one that can.
		attempts int
		reason   string // in the error message; empty for an API answer
		dns      func(*testing.T, *net.DNSError)
	}{
		{name: "https URL, plain HTTP endpoint", baseURL: "https://" + strings.TrimPrefix(plain.URL, "http://"),
			attempts: 1, reason: "the endpoint speaks plain HTTP, not HTTPS"},
		{name: "http URL, HTTPS endpoint", baseURL: "http://" + strings.TrimPrefix(secure.URL, "https://"),
			attempts: 1, reason: "the endpoint speaks HTTPS, not plain HTTP"},
		{name: "https URL, endpoint speaking neither", baseURL: "https://" + banner,
			attempts: 1, reason: "the endpoint does not speak HTTPS"},
		{name: "http URL, endpoint speaking neither", baseURL: "http://" + banner,
			attempts: 1, reason: "the endpoint does not speak HTTP"},
		{name: "untrusted certificate", baseURL: secure.URL,
			attempts: 1, reason: "TLS certificate not trusted"},
		{name: "unknown host name", baseURL: "http://nonexistent.invalid", client: resolvingClient(t, nxdomainResolver()),
			attempts: 1, reason: "host name not found", dns: func(t *testing.T, e *net.DNSError) {
				if !e.IsNotFound {
					t.Errorf("DNSError %v: IsNotFound = false", e)
				}
			}},
		{name: "resolver unreachable", baseURL: "http://nonexistent.invalid", client: resolvingClient(t, deadResolver()),
			attempts: 4, reason: "host name could not be resolved", dns: func(t *testing.T, e *net.DNSError) {
				if e.IsNotFound {
					t.Errorf("DNSError %v: IsNotFound = true for a resolver that never answered", e)
				}
			}},
		{name: "connection refused", baseURL: "http://" + closedPort(t), attempts: 4, reason: "connection refused"},
		{name: "connection dropped", baseURL: dropping.URL, client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
			attempts: 4, reason: "connection"}, // reset or closed early, as the race between the two ends decides
		{name: "403 (a wrong key)", baseURL: forbidden.URL, attempts: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logCollector{}
			opts := []flexmetal.Option{flexmetal.WithRequestLogger(logs.hook)}
			if tc.client != nil {
				opts = append(opts, flexmetal.WithHTTPClient(tc.client))
			}
			c := newClient(t, tc.baseURL, opts...)
			_, err := c.Servers.Get(context.Background(), "u1")
			if err == nil {
				t.Fatal("Get succeeded")
			}
			t.Log(err)
			if n := len(logs.all()); n != tc.attempts {
				t.Errorf("%d attempts, want %d (err: %v)", n, tc.attempts, err)
			}
			if tc.reason == "" {
				if flexmetal.IsUnreachable(err) {
					t.Errorf("IsUnreachable(%v) = true for an answer from the API", err)
				}
				return
			}
			if !flexmetal.IsUnreachable(err) {
				t.Errorf("IsUnreachable(%v) = false", err)
			}
			if flexmetal.IsValidation(err) || flexmetal.IsUnauthorized(err) {
				t.Errorf("%v passes for an API answer", err)
			}
			msg := err.Error()
			for _, part := range []string{"GET " + serversPath + "/u1", "no answer from " + endpoint(t, tc.baseURL), tc.reason} {
				if !strings.Contains(msg, part) {
					t.Errorf("Error() = %q, missing %q", msg, part)
				}
			}
			var dnsErr *net.DNSError
			if hasDNS := errors.As(err, &dnsErr); hasDNS != (tc.dns != nil) {
				t.Errorf("err = %v: a *net.DNSError in the chain is %v, want %v", err, hasDNS, tc.dns != nil)
			} else if tc.dns != nil {
				tc.dns(t, dnsErr)
			}
		})
	}
}

func TestUnreachableRetries_boundedByTheirBudgetWhileAnsweredFailuresAreNot(t *testing.T) {
	policy := flexmetal.RetryPolicy{MaxRetries: 5, MinDelay: time.Millisecond, MaxDelay: time.Millisecond, UnreachableBudget: -1}
	logs := &logCollector{}
	refused := newClient(t, "http://"+closedPort(t), flexmetal.WithRetryPolicy(policy), flexmetal.WithRequestLogger(logs.hook))
	unavailable, rec := newAPI(t, scripted(t, statusReply(503)))
	overloaded := newClient(t, unavailable.URL, flexmetal.WithRetryPolicy(policy))

	if _, err := refused.Servers.Get(context.Background(), "u1"); !flexmetal.IsUnreachable(err) {
		t.Errorf("err = %v, want unreachable", err)
	}
	if n := len(logs.all()); n != 1 {
		t.Errorf("a refused connection was tried %d times with no unreachable budget, want 1", n)
	}
	if _, err := overloaded.Servers.Get(context.Background(), "u1"); asAPIError(t, err).StatusCode != 503 {
		t.Errorf("err = %v, want the 503", err)
	}
	if n := rec.total(); n != 6 {
		t.Errorf("the 503 was sent %d times with MaxRetries 5 and no unreachable budget, want 6", n)
	}
}

func TestUnreachableRetries_stopOnceTheBudgetIsSpent(t *testing.T) {
	budget := 100 * time.Millisecond
	logs := &logCollector{}
	retries := &retryCollector{}
	c := newClient(t, "http://"+closedPort(t),
		flexmetal.WithRetryPolicy(flexmetal.RetryPolicy{MaxRetries: 1000, MinDelay: 20 * time.Millisecond, MaxDelay: 20 * time.Millisecond, UnreachableBudget: budget}),
		flexmetal.WithRequestLogger(logs.hook), flexmetal.WithRetryLogger(retries.hook))
	if _, err := c.Servers.Get(context.Background(), "u1"); !flexmetal.IsUnreachable(err) {
		t.Fatalf("err = %v, want unreachable", err)
	}
	var waited time.Duration
	for _, r := range retries.all() {
		waited += r.Wait
	}
	if waited > budget {
		t.Errorf("backoffs add up to %s, past the %s budget", waited, budget)
	}
	// Every backoff is 10-20ms, so no more than 10 fit in 100ms, and even a loaded machine fits one.
	if n := len(logs.all()); n < 2 || n > 11 {
		t.Errorf("%d attempts, want a handful within the budget", n)
	}
}

// retryCollector is a RetryLog hook that keeps every entry.
type retryCollector struct {
	mu      sync.Mutex
	entries []flexmetal.RetryLog
}

func (l *retryCollector) hook(_ context.Context, e flexmetal.RetryLog) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
}

func (l *retryCollector) all() []flexmetal.RetryLog {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.entries)
}

func TestRetryLog_calledBeforeEachRetryWaitWithWhatFailed(t *testing.T) {
	api, _ := newAPI(t, scripted(t, statusReply(503), statusReply(502), okJSON(serverArray(t, "delivered"))))
	retries := &retryCollector{}
	policy := fastRetry(3)
	c := newClient(t, api.URL, flexmetal.WithRetryPolicy(policy), flexmetal.WithRetryLogger(retries.hook))
	if _, err := c.Servers.Get(context.Background(), "u1"); err != nil {
		t.Fatal(err)
	}
	entries := retries.all()
	if len(entries) != 2 {
		t.Fatalf("got %d retry entries, want 2 (one per failed attempt before the success): %+v", len(entries), entries)
	}
	for i, e := range entries {
		status := []int{503, 502}[i]
		if e.Method != http.MethodGet || e.Path != serversPath+"/u1" || e.Attempt != i+1 || e.Settling {
			t.Errorf("entry %d = %+v, want GET %s/u1, attempt %d, not settling", i, e, serversPath, i+1)
		}
		if e.Wait <= 0 || e.Wait > policy.MaxDelay {
			t.Errorf("entry %d waits %s, want within (0, %s]", i, e.Wait, policy.MaxDelay)
		}
		if asAPIError(t, e.Err).StatusCode != status {
			t.Errorf("entry %d Err = %v, want the HTTP %d", i, e.Err, status)
		}
	}
}

func TestRetryLog_notCalledWhenNothingIsRetried(t *testing.T) {
	for name, answer := range map[string]reply{"success": okJSON(serverArray(t, "delivered")), "403": statusReply(403)} {
		t.Run(name, func(t *testing.T) {
			api, _ := newAPI(t, scripted(t, answer))
			retries := &retryCollector{}
			c := newClient(t, api.URL, flexmetal.WithRetryLogger(retries.hook))
			_, _ = c.Servers.Get(context.Background(), "u1")
			if entries := retries.all(); len(entries) != 0 {
				t.Errorf("retry log = %+v, want nothing", entries)
			}
		})
	}
}
