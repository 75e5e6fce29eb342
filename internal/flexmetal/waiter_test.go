package flexmetal_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// statusReplies answers GET /servers/u1 with each status in turn.
func statusReplies(t *testing.T, statuses ...string) []reply {
	out := make([]reply, len(statuses))
	for i, s := range statuses {
		out[i] = okJSON(serverArray(t, s))
	}
	return out
}

func withStatusMessage(t *testing.T, status, msg string) reply {
	s := serverObj("u1", status)
	s["statusMessage"] = msg
	return okJSON(mustJSON(t, []any{s}))
}

func testContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestWaitForDelivery_walksStatusesAndReportsEachChangeOnce(t *testing.T) {
	api, rec := newAPI(t, scripted(t, statusReplies(t,
		"created", "created", "discovering", "discovered", "allocating", "allocated", "allocated",
		"configuring_network", "network_configured", "provisioning", "provisioning", "provisioned", "delivered")...))
	c := newClient(t, api.URL)
	var seen []string
	s, err := c.Servers.WaitForDelivery(testContext(t, 10*time.Second), "u1", func(s *flexmetal.Server) { seen = append(seen, s.Status) })
	if err != nil {
		t.Fatal(err)
	}
	if s == nil || s.Status != flexmetal.StatusDelivered || s.UUID != "u1" {
		t.Errorf("WaitForDelivery = %+v, want the delivered server", s)
	}
	want := []string{"created", "discovering", "discovered", "allocating", "allocated", "configuring_network", "network_configured", "provisioning", "provisioned", "delivered"}
	if !slices.Equal(seen, want) {
		t.Errorf("onChange saw %q, want %q", seen, want)
	}
	if n := rec.total(); n != 13 {
		t.Errorf("server saw %d polls, want 13 (one per scripted status)", n)
	}
	if n := rec.count(recordedRequest.isServerGet); n != rec.total() {
		t.Errorf("a lone wait made %d requests other than GET /servers/{uuid}: %v", rec.total()-n, describe(rec.all()))
	}
}

func TestWaitForDelivery_nilOnChangeIsAllowed(t *testing.T) {
	api, _ := newAPI(t, scripted(t, statusReplies(t, "provisioning", "delivered")...))
	c := newClient(t, api.URL)
	if _, err := c.Servers.WaitForDelivery(testContext(t, 10*time.Second), "u1", nil); err != nil {
		t.Fatal(err)
	}
}

func TestWaitForDelivery_failedStatusIsServerFailedErrorWithMessage(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(serverArray(t, "provisioning")),
		withStatusMessage(t, "failed", "no capacity for bm7.std.8"), okJSON(serverArray(t, "delivered"))))
	c := newClient(t, api.URL)
	s, err := c.Servers.WaitForDelivery(testContext(t, 10*time.Second), "u1", nil)
	var failed *flexmetal.ServerFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("err = %v (%T), want a *ServerFailedError", err, err)
	}
	if failed.Server.StatusMessage != "no capacity for bm7.std.8" || failed.Server.Status != "failed" {
		t.Errorf("ServerFailedError.Server = %+v", failed.Server)
	}
	if !strings.Contains(err.Error(), "no capacity for bm7.std.8") || !strings.Contains(err.Error(), "u1") {
		t.Errorf("Error() = %q, want the server and its status message", err.Error())
	}
	if s == nil || s.Status != "failed" {
		t.Errorf("returned server = %+v, want the failed server", s)
	}
	if n := rec.total(); n != 2 {
		t.Errorf("server saw %d polls, want 2 (failed is terminal)", n)
	}
}

func TestWaitForDelivery_releasingServerEndsWaitWithWaitError(t *testing.T) {
	api, _ := newAPI(t, scripted(t, statusReplies(t, "provisioning", "releasing")...))
	c := newClient(t, api.URL)
	_, err := c.Servers.WaitForDelivery(testContext(t, 10*time.Second), "u1", nil)
	var we *flexmetal.WaitError
	if !errors.As(err, &we) || we.LastStatus() != "releasing" {
		t.Errorf("err = %v, want a *WaitError with last status releasing", err)
	}
}

func TestWaitForDelivery_deadlineGivesWaitErrorNamingLastStatus(t *testing.T) {
	t.Parallel()
	ctx := newManualDeadline()
	// The deadline passes once the third status (the second "provisioning") was served.
	api, _ := newAPI(t, expireAfter(t, ctx, 3, okJSON(serverArray(t, "created")), withStatusMessage(t, "provisioning", "installing OS")))
	c := newClient(t, api.URL)
	s, err := c.Servers.WaitForDelivery(ctx, "u1", nil)
	var we *flexmetal.WaitError
	if !errors.As(err, &we) {
		t.Fatalf("err = %v (%T), want a *WaitError", err, err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(err, context.DeadlineExceeded) = false for %v", err)
	}
	if we.LastStatus() != "provisioning" || we.UUID != "u1" || we.Want != flexmetal.StatusDelivered || we.Polled < 2 {
		t.Errorf("WaitError = %+v, want last status provisioning for u1 after at least 2 polls", we)
	}
	for _, part := range []string{"u1", `"provisioning"`, "installing OS", "delivered"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("Error() = %q, missing %q", err.Error(), part)
		}
	}
	if s == nil || s.Status != "provisioning" {
		t.Errorf("returned server = %+v, want the last state seen", s)
	}
}

// TestWaitForDelivery_deadlineAfterFailedPollsSaysSinceWhen: when the API stops answering and
// the deadline passes, the WaitError says since when and how often the checks failed, so the
// timeout is not blamed on a slow delivery.
func TestWaitForDelivery_deadlineAfterFailedPollsSaysSinceWhen(t *testing.T) {
	t.Parallel()
	ctx := newManualDeadline()
	// One answer, then dropped connections: polls of 2 attempts each (fastRetry(1)); two fail,
	// and the deadline passes during the third. (expireAfter flushes, which a dropped connection cannot.)
	var mu sync.Mutex
	seen := 0
	api, _ := newAPI(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen++
		n := seen
		mu.Unlock()
		if n == 1 {
			okJSON(serverArray(t, "provisioning")).serve(t, w)
			return
		}
		dropReply().serve(t, w)
		if n == 7 {
			ctx.expire()
		}
	}))
	c := newClient(t, api.URL, flexmetal.WithRetryPolicy(fastRetry(1)), freshConnections())
	before := time.Now()
	_, err := c.Servers.WaitForDelivery(ctx, "u1", nil)
	var we *flexmetal.WaitError
	if !errors.As(err, &we) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v (%T), want a *WaitError wrapping context.DeadlineExceeded", err, err)
	}
	f := we.Failing
	if f == nil {
		t.Fatalf("WaitError.Failing = nil after failed polls: %+v", we)
	}
	if !f.Unreachable() || f.Count != 2 || f.Since.Before(before) || f.Since.After(time.Now()) {
		t.Errorf("Failing = %+v, want 2 unreachable polls since the wait began", f)
	}
	if we.LastStatus() != "provisioning" {
		t.Errorf("LastStatus() = %q, want provisioning", we.LastStatus())
	}
}

// TestWaitForDelivery_answeredPollClearsFailures: failures the API recovered from are not
// reported when the wait ends later for another reason.
func TestWaitForDelivery_answeredPollClearsFailures(t *testing.T) {
	t.Parallel()
	ctx := newManualDeadline()
	api, _ := newAPI(t, expireAfter(t, ctx, 4, statusReply(503), statusReply(503), okJSON(serverArray(t, "provisioning"))))
	c := newClient(t, api.URL, flexmetal.WithRetryPolicy(fastRetry(0)))
	_, err := c.Servers.WaitForDelivery(ctx, "u1", nil)
	var we *flexmetal.WaitError
	if !errors.As(err, &we) || we.Failing != nil {
		t.Errorf("err = %v, want a *WaitError without failing polls", err)
	}
}

func TestWaitForDelivery_realTimeoutEndsWaitPromptly(t *testing.T) {
	t.Parallel()
	api, _ := newAPI(t, scripted(t, statusReplies(t, "provisioning")...))
	c := newClient(t, api.URL)
	start := time.Now()
	_, err := c.Servers.WaitForDelivery(testContext(t, 100*time.Millisecond), "u1", nil)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("wait returned %s after start, want soon after the 100ms timeout", elapsed)
	}
	var we *flexmetal.WaitError
	if !errors.As(err, &we) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a *WaitError wrapping context.DeadlineExceeded", err)
	}
}

func TestWaitForDelivery_cancelBeforeAnyPollNamesNoStatus(t *testing.T) {
	t.Parallel()
	api, rec := newAPI(t, scripted(t, statusReplies(t, "created")...))
	c := newClient(t, api.URL, flexmetal.WithMinPollInterval(time.Hour), flexmetal.WithPollInterval(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	s, err := c.Servers.WaitForDelivery(ctx, "u1", nil)
	var we *flexmetal.WaitError
	if !errors.As(err, &we) || !errors.Is(err, context.Canceled) || we.Last != nil || s != nil {
		t.Errorf("WaitForDelivery = %+v, %v; want a *WaitError wrapping context.Canceled with no state", s, err)
	}
	if we != nil && we.LastStatus() != "unknown" {
		t.Errorf("LastStatus() = %q, want unknown", we.LastStatus())
	}
	if rec.total() != 0 {
		t.Errorf("server saw %d polls, want none before the first interval", rec.total())
	}
}

func TestWaitForDelivery_transientAPIErrorsDoNotEndTheWait(t *testing.T) {
	for _, retries := range []int{0, 2} {
		t.Run(map[int]string{0: "without client retries", 2: "with client retries"}[retries], func(t *testing.T) {
			api, rec := newAPI(t, scripted(t,
				okJSON(serverArray(t, "provisioning")),
				statusReply(503), statusReply(503), statusReply(500),
				okJSON(serverArray(t, "delivered"))))
			c := newClient(t, api.URL, flexmetal.WithRetryPolicy(fastRetry(retries)))
			s, err := c.Servers.WaitForDelivery(testContext(t, 10*time.Second), "u1", nil)
			if err != nil || s.Status != "delivered" {
				t.Fatalf("WaitForDelivery = %+v, %v; want delivered despite 503s", s, err)
			}
			if n := rec.total(); n != 5 {
				t.Errorf("server saw %d requests, want 5", n)
			}
		})
	}
}

func TestWaitForDelivery_errorsThatCannotImproveEndTheWait(t *testing.T) {
	cases := map[string]struct {
		answer reply
		is     func(error) bool
	}{
		"404": {reply{status: 404, body: notFoundBody}, flexmetal.IsNotFound},
		"401": {statusReply(401), flexmetal.IsUnauthorized},
		"403": {statusReply(403), flexmetal.IsUnauthorized},
		"422": {statusReply(422), flexmetal.IsValidation},
		"400": {statusReply(400), flexmetal.IsValidation},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, okJSON(serverArray(t, "provisioning")), tc.answer, okJSON(serverArray(t, "delivered"))))
			c := newClient(t, api.URL)
			s, err := c.Servers.WaitForDelivery(testContext(t, 10*time.Second), "u1", nil)
			var we *flexmetal.WaitError
			if !errors.As(err, &we) || !tc.is(err) {
				t.Fatalf("err = %v (%T), want a *WaitError wrapping the %s", err, err, name)
			}
			if we.LastStatus() != "provisioning" {
				t.Errorf("LastStatus() = %q, want provisioning", we.LastStatus())
			}
			if s == nil || s.Status != "provisioning" {
				t.Errorf("returned server = %+v, want the last state seen", s)
			}
			if n := rec.total(); n != 2 {
				t.Errorf("server saw %d polls, want 2 (the wait must stop at the %s)", n, name)
			}
		})
	}
}

func TestWaitForRelease_releasingThenReleasedReturnsReleasedServer(t *testing.T) {
	api, _ := newAPI(t, scripted(t, statusReplies(t, "releasing", "releasing", "released")...))
	c := newClient(t, api.URL)
	var seen []string
	s, err := c.Servers.WaitForRelease(testContext(t, 10*time.Second), "u1", func(s *flexmetal.Server) { seen = append(seen, s.Status) })
	if err != nil || s == nil || s.Status != flexmetal.StatusReleased {
		t.Fatalf("WaitForRelease = %+v, %v; want the released server", s, err)
	}
	if !slices.Equal(seen, []string{"releasing", "released"}) {
		t.Errorf("onChange saw %q", seen)
	}
}

func TestWaitForRelease_notFoundCountsAsReleased(t *testing.T) {
	for name, script := range map[string][]reply{
		"immediately":     {{status: 404, body: notFoundBody}},
		"after releasing": {okJSON(serverArray(t, "releasing")), {status: 404, body: notFoundBody}},
	} {
		t.Run(name, func(t *testing.T) {
			api, _ := newAPI(t, scripted(t, script...))
			c := newClient(t, api.URL)
			s, err := c.Servers.WaitForRelease(testContext(t, 10*time.Second), "u1", nil)
			if s != nil || err != nil {
				t.Errorf("WaitForRelease = %+v, %v; want nil, nil for a vanished server", s, err)
			}
		})
	}
}

func TestWaitForRelease_deadlineGivesWaitError(t *testing.T) {
	t.Parallel()
	ctx := newManualDeadline()
	api, _ := newAPI(t, expireAfter(t, ctx, 2, statusReplies(t, "releasing")...))
	c := newClient(t, api.URL)
	_, err := c.Servers.WaitForRelease(ctx, "u1", nil)
	var we *flexmetal.WaitError
	if !errors.As(err, &we) || !errors.Is(err, context.DeadlineExceeded) || we.Want != flexmetal.StatusReleased || we.LastStatus() != "releasing" {
		t.Errorf("err = %v, want a *WaitError for released, last status releasing, wrapping DeadlineExceeded", err)
	}
}

func TestWaitForDelivery_withoutCoalescingUsesOnlyGets(t *testing.T) {
	api, rec := newAPI(t, scripted(t, statusReplies(t, "created", "provisioning", "delivered")...))
	c := newClient(t, api.URL, flexmetal.WithCoalescing(false))
	if _, err := c.Servers.WaitForDelivery(testContext(t, 10*time.Second), "u1", nil); err != nil {
		t.Fatal(err)
	}
	if n := rec.countMethod(http.MethodGet, serversPath+"/u1"); n != 3 || rec.total() != 3 {
		t.Errorf("requests = %v, want 3 GETs of u1", describe(rec.all()))
	}
}

// refusedWhileDiscovering is the 422 some APIs answer to a release of a server still being
// delivered.
var refusedWhileDiscovering = reply{status: http.StatusUnprocessableEntity, body: `{"errorCode":20002,"errorMessage":"Server cannot be released while discovering","errors":[]}`}

// TestReleaseWhenAllowed_waitsOutARefusalWhileDelivering: refused while discovering, the release
// is asked again once the status moves on, and accepted.
func TestReleaseWhenAllowed_waitsOutARefusalWhileDelivering(t *testing.T) {
	var releases []string
	gets := scripted(t, okJSON(serverArray(t, "discovering")), okJSON(serverArray(t, "discovering")), okJSON(serverArray(t, "allocating")))
	deletes := 0
	api, rec := newAPI(t, routes(t, map[string]http.Handler{
		"GET " + serversPath + "/u1": gets,
		"DELETE " + serversPath + "/u1": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			deletes++
			if deletes == 1 {
				refusedWhileDiscovering.serve(t, w)
				return
			}
			okJSON(serverArray(t, "releasing")).serve(t, w)
		}),
	}))
	c := newClient(t, api.URL, flexmetal.WithCoalescing(false))
	srv, err := c.Servers.ReleaseWhenAllowed(testContext(t, 10*time.Second), "u1", func(s *flexmetal.Server, refusal error) {
		releases = append(releases, s.Status+": "+refusal.Error())
	}, nil)
	if err != nil || srv == nil || srv.Status != flexmetal.StatusReleasing {
		t.Fatalf("ReleaseWhenAllowed = %+v, %v; want the releasing server", srv, err)
	}
	if len(releases) != 1 || !strings.Contains(releases[0], "discovering: ") || !strings.Contains(releases[0], "cannot be released while discovering") {
		t.Errorf("onRefused saw %q, want the one refusal while discovering", releases)
	}
	if n := rec.countMethod(http.MethodDelete, serversPath+"/u1"); n != 2 {
		t.Errorf("%d release requests, want 2: %v", n, describe(rec.all()))
	}
}

// TestReleaseWhenAllowed_otherRefusalsAreReturned: a refusal of a server that is not being
// delivered (here failed) is not waited out.
func TestReleaseWhenAllowed_otherRefusalsAreReturned(t *testing.T) {
	api, rec := newAPI(t, routes(t, map[string]http.Handler{
		"GET " + serversPath + "/u1":    scripted(t, okJSON(serverArray(t, "failed"))),
		"DELETE " + serversPath + "/u1": scripted(t, refusedWhileDiscovering),
	}))
	c := newClient(t, api.URL)
	_, err := c.Servers.ReleaseWhenAllowed(testContext(t, 10*time.Second), "u1", nil, nil)
	if !flexmetal.IsValidation(err) {
		t.Errorf("err = %v, want the API's refusal", err)
	}
	if n := rec.countMethod(http.MethodDelete, serversPath+"/u1"); n != 1 {
		t.Errorf("%d release requests, want 1", n)
	}
}

// TestReleaseWhenAllowed_deadlineWhileRefusedIsTyped: when the status never moves on, ctx ends
// the wait with a *ReleaseRefusedError that names the status and the refusal.
func TestReleaseWhenAllowed_deadlineWhileRefusedIsTyped(t *testing.T) {
	ctx := newManualDeadline()
	api, _ := newAPI(t, routes(t, map[string]http.Handler{
		"GET " + serversPath + "/u1":    expireAfter(t, ctx, 3, okJSON(serverArray(t, "discovering"))),
		"DELETE " + serversPath + "/u1": scripted(t, refusedWhileDiscovering),
	}))
	c := newClient(t, api.URL, flexmetal.WithCoalescing(false))
	_, err := c.Servers.ReleaseWhenAllowed(ctx, "u1", nil, nil)
	var refused *flexmetal.ReleaseRefusedError
	if !errors.As(err, &refused) || refused.Server.Status != "discovering" || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "cannot be released while discovering") {
		t.Errorf("err = %v, want a *ReleaseRefusedError while discovering wrapping DeadlineExceeded", err)
	}
}
