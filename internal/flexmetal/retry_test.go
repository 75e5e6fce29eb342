package flexmetal_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
