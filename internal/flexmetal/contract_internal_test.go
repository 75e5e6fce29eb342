package flexmetal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// The contract check must never change the account: its client refuses every method but GET
// before anything is sent, whichever code path asks.
func TestReadOnlyClient_refusesAllButGet(t *testing.T) {
	var seen atomic.Int32
	var lastMethod atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		lastMethod.Store(r.Method)
		_, _ = w.Write([]byte(`[]`))
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(WithBaseURL(srv.URL), WithRetryPolicy(RetryPolicy{MaxRetries: 0, UnreachableBudget: -1}))
	if err != nil {
		t.Fatal(err)
	}
	ro := c.readOnly()
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead} {
		_, err := ro.do(context.Background(), request{method: method, path: serversPath, body: map[string]string{"name": "x"}, idempotent: true})
		if err == nil || !strings.Contains(err.Error(), "sends only GET requests") {
			t.Errorf("%s: got error %v, want a refusal", method, err)
		}
	}
	if n := seen.Load(); n != 0 {
		t.Fatalf("the API received %d requests, want none", n)
	}
	if _, err := ro.do(context.Background(), request{method: http.MethodGet, path: serversPath, idempotent: true}); err != nil {
		t.Fatalf("GET: %v", err)
	}
	if seen.Load() != 1 || lastMethod.Load() != http.MethodGet {
		t.Errorf("want exactly the GET to reach the API, saw %d requests, last %v", seen.Load(), lastMethod.Load())
	}
	// The original client is untouched: the guard is on the copy only.
	if _, ok := c.httpClient.Transport.(readOnlyTransport); ok {
		t.Error("readOnly changed the original client's transport")
	}
}
