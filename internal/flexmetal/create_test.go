package flexmetal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

func order(creationTag string) flexmetal.CreateServerRequest {
	return flexmetal.CreateServerRequest{
		Name: "web-1", Location: "EU: Rotterdam", InstanceType: "bm7.std.8",
		OS: flexmetal.OSRequest{Slug: "ubuntu-2404-lts"}, SSHKeys: []string{"ssh-ed25519 AAAA"},
		Tags: []string{"team_a"}, CreationTag: creationTag,
	}
}

func countPOSTs(rec *recorder) int { return rec.countMethod(http.MethodPost, serversPath) }

func countLists(rec *recorder) int { return rec.count(recordedRequest.isList) }

func TestServersCreate_notRetriedWhenTheAPIMayHaveActed(t *testing.T) {
	cases := map[string]reply{
		"connection reset after sending": dropReply(),
		"500":                            statusReply(500),
		"502":                            statusReply(502),
		"504":                            statusReply(504),
	}
	for name, failure := range cases {
		t.Run(name, func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, failure, okJSON(serverArray(t, "created"))))
			c := newClient(t, api.URL, freshConnections())
			s, err := c.Servers.Create(context.Background(), order(""))
			if err == nil {
				t.Fatalf("Create = %+v, want the error (a retry could order a second server)", s)
			}
			if failure.drop {
				var tErr *flexmetal.TransportError
				if !errors.As(err, &tErr) {
					t.Errorf("err = %v (%T), want a *TransportError", err, err)
				}
			} else if asAPIError(t, err).StatusCode != failure.status {
				t.Errorf("err = %v, want HTTP %d", err, failure.status)
			}
			if n := rec.total(); n != 1 {
				t.Errorf("server saw %d requests (%v), want exactly one POST", n, describe(rec.all()))
			}
		})
	}
}

func TestServersCreate_retriedWhenTheAPISaidItDidNotAct(t *testing.T) {
	for name, failure := range map[string]reply{"429": statusReply(429), "503": statusReply(503)} {
		t.Run(name, func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, failure, okJSON(serverArray(t, "created"))))
			c := newClient(t, api.URL)
			s, err := c.Servers.Create(context.Background(), order(""))
			if err != nil || s.UUID != "u1" {
				t.Fatalf("Create = %+v, %v; want server u1", s, err)
			}
			if n := countPOSTs(rec); n != 2 {
				t.Errorf("server saw %d POSTs, want 2", n)
			}
			reqs := rec.all()
			if !bytes.Equal(reqs[0].Body, reqs[1].Body) {
				t.Errorf("retried body differs:\n%s\n%s", reqs[0].Body, reqs[1].Body)
			}
		})
	}
}

func TestServersCreate_notRetriedAfterValidationError(t *testing.T) {
	api, rec := newAPI(t, scripted(t, statusReply(422)))
	c := newClient(t, api.URL)
	_, err := c.Servers.Create(context.Background(), order("tf-create-1"))
	if !flexmetal.IsValidation(err) {
		t.Errorf("err = %v, want a validation error", err)
	}
	if n := rec.total(); n != 1 {
		t.Errorf("server saw %d requests, want one POST and no lookup", n)
	}
}

func TestServersCreate_retriedWhenConnectionWasRefused(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(serverArray(t, "created"))))
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	c := newClient(t, api.URL, flexmetal.WithHTTPClient(&http.Client{Transport: tr}))
	s, err := c.Servers.Create(context.Background(), order(""))
	if err != nil || s.UUID != "u1" {
		t.Fatalf("Create = %+v, %v; want server u1 after a refused connection", s, err)
	}
	if n := dials.Load(); n != 2 {
		t.Errorf("dialed %d times, want 2", n)
	}
	if n := countPOSTs(rec); n != 1 {
		t.Errorf("server saw %d POSTs, want 1", n)
	}
}

func TestSSHKeysCreate_notRetriedAfterConnectionReset(t *testing.T) {
	api, rec := newAPI(t, scripted(t, dropReply(), okJSON(`[{"uuid":"k1","name":"n","publicKey":"p"}]`)))
	c := newClient(t, api.URL, freshConnections())
	if _, err := c.SSHKeys.Create(context.Background(), "n", "p"); err == nil {
		t.Fatal("Create succeeded, want the transport error")
	}
	if n := rec.total(); n != 1 {
		t.Errorf("server saw %d POSTs, want 1", n)
	}
}

// creatingAPI is a fake that stores the server a POST orders before answering with reply, and
// answers tag lookups from what it stored.
type creatingAPI struct {
	t      *testing.T
	answer []reply // one per POST, last repeated
	store  []bool  // whether each POST really creates the server, last repeated
	list   reply   // when set, the list always answers this instead
	// hold, if set, runs after a POST was acted on and before it is answered.
	hold func(*http.Request)

	mu      sync.Mutex
	posts   int
	created []map[string]any
}

func (a *creatingAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == serversPath:
		var body struct {
			Name string   `json:"name"`
			Tags []string `json:"tags"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			a.t.Errorf("create body: %v", err)
		}
		a.mu.Lock()
		i := a.posts
		a.posts++
		srv := serverObj("srv-"+string(rune('a'+i)), "created", body.Tags...)
		if a.store[min(i, len(a.store)-1)] {
			a.created = append(a.created, srv)
		}
		rp := a.answer[min(i, len(a.answer)-1)]
		a.mu.Unlock()
		if a.hold != nil {
			a.hold(r)
		}
		if rp.status == http.StatusOK && rp.body == "" {
			rp.body = mustJSON(a.t, []any{srv})
		}
		rp.serve(a.t, w)
	case r.Method == http.MethodGet && r.URL.Path == serversPath:
		if a.list.status != 0 || a.list.drop {
			a.list.serve(a.t, w)
			return
		}
		want := r.URL.Query()["tag"]
		a.mu.Lock()
		matches := []any{}
		for _, s := range a.created {
			if tags, ok := s["tags"].([]string); ok && containsAll(tags, want) {
				matches = append(matches, s)
			}
		}
		a.mu.Unlock()
		okJSON(mustJSON(a.t, matches)).serve(a.t, w)
	default:
		a.t.Errorf("unexpected request %s %s", r.Method, r.RequestURI)
		w.WriteHeader(599)
	}
}

func TestServersCreateWithCreationTag_lostAnswerResolvedByTagLookupWithoutSecondPOST(t *testing.T) {
	cases := map[string]reply{
		"connection reset after sending": dropReply(),
		"500":                            statusReply(500),
		"502":                            statusReply(502),
		"504":                            statusReply(504),
		"unreadable 200":                 okJSON(`[{"uuid":`),
	}
	for name, failure := range cases {
		t.Run(name, func(t *testing.T) {
			fake := &creatingAPI{t: t, answer: []reply{failure}, store: []bool{true}}
			api, rec := newAPI(t, fake)
			c := newClient(t, api.URL, freshConnections())
			s, err := c.Servers.Create(context.Background(), order("tf-create-7f3a"))
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if s.UUID != "srv-a" || !slices.Contains(s.Tags, "tf-create-7f3a") {
				t.Errorf("Create = %+v, want the server the lost POST created", s)
			}
			if n := countPOSTs(rec); n != 1 {
				t.Errorf("server saw %d POSTs, want 1", n)
			}
			lists := slices.DeleteFunc(rec.all(), func(r recordedRequest) bool { return !r.isList() })
			if len(lists) != 1 || !slices.Equal(lists[0].Query["tag"], []string{"tf-create-7f3a"}) {
				t.Errorf("lookups = %v, want one list with tag=tf-create-7f3a", describe(lists))
			}
		})
	}
}

func TestServersCreateWithCreationTag_resentOnceWhenLookupFindsNothing(t *testing.T) {
	fake := &creatingAPI{t: t, answer: []reply{dropReply(), {status: http.StatusOK}}, store: []bool{false, true}}
	api, rec := newAPI(t, fake)
	c := newClient(t, api.URL, freshConnections())
	s, err := c.Servers.Create(context.Background(), order("tf-create-7f3a"))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if s.UUID != "srv-b" {
		t.Errorf("Create = %+v, want the server of the second POST", s)
	}
	if n := countPOSTs(rec); n != 2 {
		t.Errorf("server saw %d POSTs, want 2", n)
	}
	// Nothing found twice (once right after the lost answer, once after a backoff, in case the
	// list lags behind the create) before the order is sent again.
	if n := countLists(rec); n != 2 {
		t.Errorf("server saw %d lookups, want 2", n)
	}
	posts := slices.DeleteFunc(rec.all(), func(r recordedRequest) bool { return r.Method != http.MethodPost })
	if !bytes.Equal(posts[0].Body, posts[1].Body) {
		t.Errorf("the re-sent order differs from the first:\n%s\n%s", posts[0].Body, posts[1].Body)
	}
}

func TestServersCreateWithCreationTag_givesUpAfterMaxRetriesWhenNothingIsEverFound(t *testing.T) {
	fake := &creatingAPI{t: t, answer: []reply{dropReply()}, store: []bool{false}}
	api, rec := newAPI(t, fake)
	c := newClient(t, api.URL, freshConnections(), flexmetal.WithRetryPolicy(fastRetry(1)))
	_, err := c.Servers.Create(context.Background(), order("tf-create-7f3a"))
	var tErr *flexmetal.TransportError
	if !errors.As(err, &tErr) {
		t.Errorf("err = %v (%T), want the last *TransportError", err, err)
	}
	var amb *flexmetal.AmbiguousCreateError
	if errors.As(err, &amb) {
		t.Errorf("err = %v is ambiguous, but every lookup proved no server carries the tag", err)
	}
	// Lost, looked up twice, re-sent once, lost again, looked up, and given up.
	if p, l := countPOSTs(rec), countLists(rec); p != 2 || l != 3 {
		t.Errorf("server saw %d POSTs and %d lookups, want 2 and 3", p, l)
	}
}

func TestServersCreateWithCreationTag_ambiguousWhenLookupKeepsFailing(t *testing.T) {
	fake := &creatingAPI{t: t, answer: []reply{dropReply()}, store: []bool{true}, list: statusReply(500)}
	api, rec := newAPI(t, fake)
	c := newClient(t, api.URL, freshConnections(), flexmetal.WithRetryPolicy(fastRetry(2)))
	s, err := c.Servers.Create(context.Background(), order("tf-create-7f3a"))
	if s != nil {
		t.Errorf("Create returned server %+v alongside an error", s)
	}
	var amb *flexmetal.AmbiguousCreateError
	if !errors.As(err, &amb) {
		t.Fatalf("err = %v (%T), want an *AmbiguousCreateError", err, err)
	}
	if amb.CreationTag != "tf-create-7f3a" {
		t.Errorf("CreationTag = %q", amb.CreationTag)
	}
	var tErr *flexmetal.TransportError
	if !errors.As(err, &tErr) {
		t.Errorf("the create's own transport error is not in the chain of %v", err)
	}
	if asAPIError(t, amb.LookupErr).StatusCode != 500 {
		t.Errorf("LookupErr = %v, want the lookup's HTTP 500", amb.LookupErr)
	}
	if !strings.Contains(err.Error(), "tf-create-7f3a") {
		t.Errorf("Error() = %q does not name the creation tag", err.Error())
	}
	if n := countPOSTs(rec); n != 1 {
		t.Errorf("server saw %d POSTs, want 1", n)
	}
	if n := countLists(rec); n != 3 {
		t.Errorf("server saw %d lookup attempts, want 3 (MaxRetries 2)", n)
	}
}

func TestServersCreateWithCreationTag_503IsRetriedWithoutLookup(t *testing.T) {
	fake := &creatingAPI{t: t, answer: []reply{statusReply(503), {status: http.StatusOK}}, store: []bool{false, true}}
	api, rec := newAPI(t, fake)
	c := newClient(t, api.URL)
	s, err := c.Servers.Create(context.Background(), order("tf-create-7f3a"))
	if err != nil || s.UUID != "srv-b" {
		t.Fatalf("Create = %+v, %v", s, err)
	}
	if p, l := countPOSTs(rec), countLists(rec); p != 2 || l != 0 {
		t.Errorf("server saw %d POSTs and %d lookups, want 2 and 0", p, l)
	}
}

// TestServersCreate_redirectIsNotFollowed: Go's client would follow a 301/302 by turning the
// order into a GET and "succeed" on whatever list it finds there; the client reports the
// redirect instead, and sends nothing more.
func TestServersCreate_redirectIsNotFollowed(t *testing.T) {
	api, rec := newAPI(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(serverArray(t, "delivered")))
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusMovedPermanently)
	}))
	c := newClient(t, api.URL)
	s, err := c.Servers.Create(context.Background(), order(""))
	if err == nil || s != nil {
		t.Fatalf("Create = %+v, %v; want an error for the redirect", s, err)
	}
	if apiErr := asAPIError(t, err); apiErr.StatusCode != http.StatusMovedPermanently {
		t.Errorf("status %d, want 301", apiErr.StatusCode)
	}
	if n := len(rec.all()); n != 1 {
		t.Errorf("%d requests, want only the order: %v", n, describe(rec.all()))
	}
}
