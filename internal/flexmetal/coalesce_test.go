package flexmetal_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// deliveryScript is what every fake server goes through: four observations to delivery.
var deliveryScript = []string{"created", "provisioning", "provisioned", "delivered"}

// coalescingClient polls on a 50ms grid: the gather window (a fifth of that) is wide enough for
// waiters woken by the same timer tick to meet even on a loaded machine.
func coalescingClient(t *testing.T, url string, opts ...flexmetal.Option) *flexmetal.Client {
	return newClient(t, url, append([]flexmetal.Option{
		flexmetal.WithMinPollInterval(50 * time.Millisecond),
		flexmetal.WithPollInterval(100 * time.Millisecond),
	}, opts...)...)
}

// waitAll runs WaitForDelivery on every server at once and checks each ends delivered.
func waitAll(t *testing.T, c *flexmetal.Client, ids []string) {
	t.Helper()
	ctx := testContext(t, 20*time.Second)
	errs := make([]error, len(ids))
	got := make([]*flexmetal.Server, len(ids))
	startTogether(len(ids), func(i int) { got[i], errs[i] = c.Servers.WaitForDelivery(ctx, ids[i], nil) })
	for i, id := range ids {
		if errs[i] != nil {
			t.Errorf("WaitForDelivery(%s): %v", id, errs[i])
		} else if got[i].UUID != id || got[i].Status != "delivered" {
			t.Errorf("WaitForDelivery(%s) = %+v", id, got[i])
		}
	}
}

func fleetOf(t *testing.T, n int) (*fleet, []string) {
	f := newFleet(t)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("srv-%02d", i)
		f.add(ids[i], deliveryScript...)
	}
	return f, ids
}

func TestWaitForDelivery_concurrentWaitsShareListRequests(t *testing.T) {
	for _, n := range []int{2, 10} {
		t.Run(fmt.Sprintf("%d servers", n), func(t *testing.T) {
			f, ids := fleetOf(t, n)
			api, rec := newAPI(t, f)
			c := coalescingClient(t, api.URL)
			waitAll(t, c, ids)

			lists, gets := rec.count(recordedRequest.isList), rec.count(recordedRequest.isServerGet)
			// Without sharing, every server costs one GET per poll: len(deliveryScript) each.
			perServer := n * len(deliveryScript)
			t.Logf("%d servers: %d list requests + %d GETs (one GET per server per poll would be %d)", n, lists, gets, perServer)
			if lists == 0 {
				t.Errorf("no list request was used: %v", describe(rec.all()))
			}
			if total := lists + gets; total > perServer*3/4 {
				t.Errorf("%d requests for %d concurrent waits, want well below %d", total, n, perServer)
			}
			if rec.total() != lists+gets {
				t.Errorf("unexpected requests: %v", describe(rec.all()))
			}
		})
	}
}

func TestWaitForDelivery_loneWaitUsesOnlyPerServerGets(t *testing.T) {
	t.Parallel()
	f, ids := fleetOf(t, 1)
	api, rec := newAPI(t, f)
	c := newClient(t, api.URL, flexmetal.WithMinPollInterval(5*time.Millisecond), flexmetal.WithPollInterval(10*time.Millisecond))
	waitAll(t, c, ids)
	if n := rec.countMethod("GET", serversPath+"/"+ids[0]); n != len(deliveryScript) || rec.total() != n {
		t.Errorf("requests = %v, want %d GETs of %s and nothing else", describe(rec.all()), len(deliveryScript), ids[0])
	}
}

func TestWaitForDelivery_coalescingOffUsesOnlyPerServerGets(t *testing.T) {
	t.Parallel()
	f, ids := fleetOf(t, 4)
	api, rec := newAPI(t, f)
	c := newClient(t, api.URL, flexmetal.WithCoalescing(false), flexmetal.WithMinPollInterval(5*time.Millisecond), flexmetal.WithPollInterval(10*time.Millisecond))
	waitAll(t, c, ids)
	if n := rec.count(recordedRequest.isList); n != 0 {
		t.Errorf("%d list requests with coalescing off, want 0", n)
	}
	for _, id := range ids {
		if n := rec.countMethod("GET", serversPath+"/"+id); n != len(deliveryScript) {
			t.Errorf("%d GETs of %s, want %d", n, id, len(deliveryScript))
		}
	}
}

// refreshClient has a 250ms minimum poll: its 50ms gather window (a fifth) lets goroutines
// released together by one gate meet in one round even on a loaded machine.
func refreshClient(t *testing.T, url string, opts ...flexmetal.Option) *flexmetal.Client {
	return newClient(t, url, append([]flexmetal.Option{
		flexmetal.WithMinPollInterval(250 * time.Millisecond),
		flexmetal.WithPollInterval(10 * time.Second),
	}, opts...)...)
}

// refreshAll refreshes every id concurrently.
func refreshAll(c *flexmetal.Client, ids []string) ([]*flexmetal.Server, []error) {
	got := make([]*flexmetal.Server, len(ids))
	errs := make([]error, len(ids))
	startTogether(len(ids), func(i int) { got[i], errs[i] = c.Servers.Refresh(context.Background(), ids[i]) })
	return got, errs
}

func TestServersRefresh_concurrentRefreshesShareListRequests(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	ids := make([]string, 30)
	for i := range ids {
		ids[i] = fmt.Sprintf("srv-%02d", i)
		f.add(ids[i], "delivered")
	}
	api, rec := newAPI(t, f)
	c := refreshClient(t, api.URL)
	got, errs := refreshAll(c, ids)
	for i, id := range ids {
		if errs[i] != nil || got[i] == nil || got[i].UUID != id || got[i].Status != "delivered" {
			t.Errorf("Refresh(%s) = %+v, %v", id, got[i], errs[i])
		}
	}
	lists, gets := rec.count(recordedRequest.isList), rec.count(recordedRequest.isServerGet)
	if lists > 2 || gets != 0 || lists == 0 {
		t.Errorf("30 refreshes cost %d list requests and %d GETs, want 1-2 lists and no GET", lists, gets)
	}

	// A second wave within the snapshot's lifetime is answered without any request.
	before := rec.total()
	got, errs = refreshAll(c, ids)
	for i, id := range ids {
		if errs[i] != nil || got[i].UUID != id {
			t.Errorf("second Refresh(%s) = %+v, %v", id, got[i], errs[i])
		}
	}
	if n := rec.total() - before; n != 0 {
		t.Errorf("second wave of refreshes cost %d requests, want 0 (served from the snapshot)", n)
	}
}

func TestServersRefresh_returnsCopiesCallersCanModify(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	f.add("a", "delivered")
	f.add("b", "delivered")
	f.servers["a"].tags = []string{"env:dev"}
	api, _ := newAPI(t, f)
	c := refreshClient(t, api.URL)
	got, _ := refreshAll(c, []string{"a", "b"})
	got[0].Tags[0] = "mutated"
	got[0].Status = "mutated"
	again, err := c.Servers.Refresh(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if again.Status != "delivered" || !slices.Equal(again.Tags, []string{"env:dev"}) {
		t.Errorf("Refresh after the caller modified an earlier result = %+v; the snapshot was shared", again)
	}
}

func TestServersRefresh_serverMissingFromListIsConfirmedWithGet(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	f.add("a", "delivered")
	f.add("b", "delivered")
	api, rec := newAPI(t, f)
	c := refreshClient(t, api.URL)
	got, errs := refreshAll(c, []string{"a", "b", "ghost"})
	if errs[0] != nil || errs[1] != nil || got[0].UUID != "a" || got[1].UUID != "b" {
		t.Errorf("Refresh(a), Refresh(b) = %+v %v, %+v %v", got[0], errs[0], got[1], errs[1])
	}
	if !flexmetal.IsNotFound(errs[2]) || got[2] != nil {
		t.Errorf("Refresh(ghost) = %+v, %v; want a not-found error", got[2], errs[2])
	}
	if n := rec.countMethod("GET", serversPath+"/ghost"); n != 1 {
		t.Errorf("%d GETs confirmed the missing server, want 1", n)
	}
	if n := rec.count(recordedRequest.isList); n != 1 {
		t.Errorf("%d list requests, want 1", n)
	}

	// Missing from the current snapshot as well: confirmed with a GET again.
	_, err := c.Servers.Refresh(context.Background(), "ghost")
	if !flexmetal.IsNotFound(err) {
		t.Errorf("second Refresh(ghost): IsNotFound(%v) = false", err)
	}
	if n := rec.countMethod("GET", serversPath+"/ghost"); n != 2 {
		t.Errorf("%d GETs of ghost after two refreshes, want 2", n)
	}
}

func TestServersRefresh_failedListFallsBackToOneGetPerServer(t *testing.T) {
	t.Parallel()
	f, ids := fleetOf(t, 12)
	broken := statusReply(500)
	f.listFails = &broken
	api, rec := newAPI(t, f)
	c := refreshClient(t, api.URL, flexmetal.WithRetryPolicy(fastRetry(0)))
	got, errs := refreshAll(c, ids)
	for i, id := range ids {
		if errs[i] != nil || got[i] == nil || got[i].UUID != id {
			t.Errorf("Refresh(%s) = %+v, %v; want the server from its GET", id, got[i], errs[i])
		}
	}
	if lists := rec.count(recordedRequest.isList); lists == 0 {
		t.Errorf("no list was tried: %v", describe(rec.all()))
	}
	for _, id := range ids {
		if n := rec.countMethod("GET", serversPath+"/"+id); n != 1 {
			t.Errorf("%d GETs of %s, want 1", n, id)
		}
	}
}

func TestServersRefresh_loneRefreshCostsOneGet(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	f.add("a", "delivered")
	f.add("b", "delivered")
	api, rec := newAPI(t, f)
	c := refreshClient(t, api.URL)
	s, err := c.Servers.Refresh(context.Background(), "a")
	if err != nil || s.UUID != "a" {
		t.Fatalf("Refresh = %+v, %v", s, err)
	}
	if req := rec.only(t); !req.isServerGet() || req.Path != serversPath+"/a" {
		t.Errorf("lone refresh sent %s %s, want GET %s/a", req.Method, req.RequestURI, serversPath)
	}
}

func TestServersRefresh_coalescingOffUsesOneGetPerServer(t *testing.T) {
	t.Parallel()
	f, ids := fleetOf(t, 5)
	api, rec := newAPI(t, f)
	c := refreshClient(t, api.URL, flexmetal.WithCoalescing(false))
	_, errs := refreshAll(c, ids)
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if lists, gets := rec.count(recordedRequest.isList), rec.count(recordedRequest.isServerGet); lists != 0 || gets != len(ids) {
		t.Errorf("%d lists and %d GETs, want 0 and %d", lists, gets, len(ids))
	}
}

func TestServersRefresh_writeThroughClientDiscardsSnapshot(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	f.add("a", "delivered")
	f.add("b", "delivered")
	api, rec := newAPI(t, f)
	c := refreshClient(t, api.URL)
	if _, errs := refreshAll(c, []string{"a", "b"}); errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	before := rec.total()
	if _, err := c.Servers.Refresh(context.Background(), "b"); err != nil {
		t.Fatal(err)
	}
	if rec.total() != before {
		t.Fatalf("refresh right after the shared list was not served from the snapshot: %v", describe(rec.all()))
	}

	if _, err := c.Servers.AddTag(context.Background(), "a", "env:dev"); err != nil {
		t.Fatal(err)
	}
	s, err := c.Servers.Refresh(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(s.Tags, "env:dev") {
		t.Errorf("Refresh after AddTag = tags %q, want env:dev (the snapshot predates the write)", s.Tags)
	}
}

func TestServersRefresh_listStartedBeforeWriteDoesNotBecomeSnapshot(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	f.add("a", "delivered")
	f.add("b", "delivered")
	listing := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	f.beforeListReply = func() {
		once.Do(func() {
			close(listing)
			<-release
		})
	}
	api, _ := newAPI(t, f)
	c := refreshClient(t, api.URL)

	done := make(chan struct{})
	go func() {
		defer close(done)
		refreshAll(c, []string{"a", "b"}) // their list is built before the write below
	}()
	select {
	case <-listing:
	case <-time.After(10 * time.Second):
		t.Fatal("the concurrent refreshes never listed")
	}
	if _, err := c.Servers.AddTag(context.Background(), "a", "env:dev"); err != nil {
		t.Fatal(err)
	}
	close(release)
	<-done

	s, err := c.Servers.Refresh(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(s.Tags, "env:dev") {
		t.Errorf("Refresh after AddTag = tags %q: a list taken before the write answered it", s.Tags)
	}
}

func TestServersRefresh_waitsAndRefreshesDoNotShareSnapshot(t *testing.T) {
	t.Parallel()
	// Waits must see fresh state: a snapshot from refreshes must not answer a wait's poll.
	f := newFleet(t)
	f.add("a", "created", "delivered")
	f.add("b", "created", "delivered")
	api, _ := newAPI(t, f)
	c := newClient(t, api.URL) // 1ms polls
	if _, errs := refreshAll(c, []string{"a", "b"}); errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	s, err := c.Servers.WaitForDelivery(testContext(t, 10*time.Second), "a", nil)
	if err != nil || s.Status != "delivered" {
		t.Errorf("WaitForDelivery = %+v, %v", s, err)
	}
}
