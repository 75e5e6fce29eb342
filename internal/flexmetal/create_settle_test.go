package flexmetal_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// interruptions are the two ways a caller's context ends while an order is in flight.
func interruptions() map[string]func() (context.Context, func()) {
	return map[string]func() (context.Context, func()){
		"canceled": func() (context.Context, func()) { return context.WithCancel(context.Background()) },
		"deadline passed": func() (context.Context, func()) {
			ctx := newManualDeadline()
			return ctx, ctx.expire
		},
	}
}

// heldAnswers holds a fake's answers to orders: arrived receives once an order has been acted
// on, and its answer goes out on release, or when the client abandons the request.
type heldAnswers struct {
	arrived  chan struct{}
	released chan struct{}
	once     sync.Once
}

// holdAnswers starts fake as a test server whose order answers wait for the test.
func holdAnswers(t *testing.T, fake *creatingAPI) (*heldAnswers, string, *recorder) {
	t.Helper()
	h := &heldAnswers{arrived: make(chan struct{}, 1), released: make(chan struct{})}
	fake.hold = func(r *http.Request) {
		select {
		case h.arrived <- struct{}{}:
		default:
		}
		select {
		case <-h.released:
		case <-r.Context().Done():
		}
	}
	api, rec := newAPI(t, fake)
	t.Cleanup(h.release) // runs before the test server's Close, which waits for held handlers
	return h, api.URL, rec
}

func (h *heldAnswers) release() { h.once.Do(func() { close(h.released) }) }

// settleReports is a RetryLog hook that hands the test each settle report as it is made.
type settleReports chan flexmetal.RetryLog

func (ch settleReports) hook(_ context.Context, e flexmetal.RetryLog) {
	if e.Settling {
		ch <- e
	}
}

type createResult struct {
	server *flexmetal.Server
	err    error
}

// createAsync runs Create on its own goroutine so the test can interrupt it.
func createAsync(ctx context.Context, c *flexmetal.Client, in flexmetal.CreateServerRequest) <-chan createResult {
	done := make(chan createResult, 1)
	go func() {
		s, err := c.Servers.Create(ctx, in)
		done <- createResult{s, err}
	}()
	return done
}

// awaitSettling waits for the client to report that it settles a request with this method
// because of the caller's interruption, failing the test if Create returns first.
func awaitSettling(t *testing.T, reports settleReports, done <-chan createResult, method string, interruption error) {
	t.Helper()
	select {
	case r := <-reports:
		if r.Method != method || r.Path != serversPath || r.Attempt != 0 {
			t.Errorf("settle report = %+v, want %s %s", r, method, serversPath)
		}
		if r.Wait <= 0 || r.Wait > flexmetal.DefaultSettleTimeout {
			t.Errorf("settle report waits %s, want within (0, %s]", r.Wait, flexmetal.DefaultSettleTimeout)
		}
		if !errors.Is(r.Err, interruption) {
			t.Errorf("settle report Err = %v, want the caller's %v", r.Err, interruption)
		}
	case res := <-done:
		t.Fatalf("Create returned %+v, %v on the interrupt instead of settling the order", res.server, res.err)
	}
}

func TestServersCreate_interruptedWhileTheAPIActsStillReturnsTheServer(t *testing.T) {
	for name, interruptible := range interruptions() {
		t.Run(name, func(t *testing.T) {
			fake := &creatingAPI{t: t, answer: []reply{{status: http.StatusOK}}, store: []bool{true}}
			held, url, rec := holdAnswers(t, fake)
			reports := make(settleReports, 4)
			c := newClient(t, url, flexmetal.WithRetryLogger(reports.hook))
			ctx, interrupt := interruptible()

			done := createAsync(ctx, c, order("tf-create-7f3a"))
			<-held.arrived
			interrupt()
			awaitSettling(t, reports, done, http.MethodPost, ctx.Err())
			held.release()
			res := <-done

			if res.err != nil || res.server == nil || res.server.UUID != "srv-a" {
				t.Fatalf("Create = %+v, %v; want server srv-a the API created", res.server, res.err)
			}
			if p, l := countPOSTs(rec), countLists(rec); p != 1 || l != 0 {
				t.Errorf("server saw %d POSTs and %d lookups, want 1 and 0", p, l)
			}
		})
	}
}

func TestServersCreate_interruptedAndAnswerLostFindsTheServerByCreationTag(t *testing.T) {
	for name, interruptible := range interruptions() {
		t.Run(name, func(t *testing.T) {
			fake := &creatingAPI{t: t, answer: []reply{dropReply()}, store: []bool{true}}
			held, url, rec := holdAnswers(t, fake)
			reports := make(settleReports, 4)
			c := newClient(t, url, freshConnections(), flexmetal.WithRetryLogger(reports.hook))
			ctx, interrupt := interruptible()

			done := createAsync(ctx, c, order("tf-create-7f3a"))
			<-held.arrived
			interrupt()
			awaitSettling(t, reports, done, http.MethodPost, ctx.Err())
			held.release() // the API created the server, then the connection dropped
			awaitSettling(t, reports, done, http.MethodGet, ctx.Err())
			res := <-done

			if res.err != nil || res.server == nil || res.server.UUID != "srv-a" {
				t.Fatalf("Create = %+v, %v; want server srv-a, found by its creation tag", res.server, res.err)
			}
			if p, l := countPOSTs(rec), countLists(rec); p != 1 || l != 1 {
				t.Errorf("server saw %d POSTs and %d lookups, want 1 and 1", p, l)
			}
		})
	}
}

func TestServersCreate_settleWindowExceededIsAmbiguous(t *testing.T) {
	fake := &creatingAPI{t: t, answer: []reply{{status: http.StatusOK}}, store: []bool{true}}
	held, url, rec := holdAnswers(t, fake)
	c := newClient(t, url, flexmetal.WithSettleTimeout(10*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())

	done := createAsync(ctx, c, order("tf-create-7f3a"))
	<-held.arrived
	cancel()
	res := <-done // the answer is never released: the window closes first

	var amb *flexmetal.AmbiguousCreateError
	if !errors.As(res.err, &amb) {
		t.Fatalf("Create = %+v, %v; want an *AmbiguousCreateError", res.server, res.err)
	}
	if amb.CreationTag != "tf-create-7f3a" || !strings.Contains(amb.LookupErr.Error(), "10ms allowed to settle") {
		t.Errorf("AmbiguousCreateError = %v, want the tag and the closed settle window named", amb)
	}
	if p, l := countPOSTs(rec), countLists(rec); p != 1 || l != 0 {
		t.Errorf("server saw %d POSTs and %d lookups, want 1 and 0 (the window had closed)", p, l)
	}
}

func TestServersCreate_interruptedOrderIsNotSentAgain(t *testing.T) {
	fake := &creatingAPI{t: t, answer: []reply{statusReply(503), {status: http.StatusOK}}, store: []bool{false, true}}
	held, url, rec := holdAnswers(t, fake)
	reports := make(settleReports, 4)
	c := newClient(t, url, flexmetal.WithRetryLogger(reports.hook))
	ctx, cancel := context.WithCancel(context.Background())

	done := createAsync(ctx, c, order("tf-create-7f3a"))
	<-held.arrived
	cancel()
	awaitSettling(t, reports, done, http.MethodPost, ctx.Err())
	held.release() // a 503 would be retried, but not for a caller who has gone
	res := <-done

	if asAPIError(t, res.err).StatusCode != 503 {
		t.Errorf("err = %v, want the 503", res.err)
	}
	if p, l := countPOSTs(rec), countLists(rec); p != 1 || l != 0 {
		t.Errorf("server saw %d POSTs and %d lookups, want 1 and 0", p, l)
	}
}

func TestServersCreate_interruptedBeforeConnectingSendsNothingAndReturnsAtOnce(t *testing.T) {
	for name, interruptible := range interruptions() {
		t.Run(name, func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, okJSON(serverArray(t, "created"))))
			dialing := make(chan struct{}, 1)
			tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				dialing <- struct{}{}
				<-ctx.Done() // a host that never answers the connection
				return nil, ctx.Err()
			}}
			reports := make(settleReports, 4)
			// An hour of settle time: returning at all shows the order was not waited for.
			c := newClient(t, api.URL, flexmetal.WithHTTPClient(&http.Client{Transport: tr}),
				flexmetal.WithSettleTimeout(time.Hour), flexmetal.WithRetryLogger(reports.hook))
			ctx, interrupt := interruptible()

			done := createAsync(ctx, c, order("tf-create-7f3a"))
			<-dialing
			interrupt()
			res := <-done

			var amb *flexmetal.AmbiguousCreateError
			if res.err == nil || errors.As(res.err, &amb) || flexmetal.IsUnreachable(res.err) {
				t.Errorf("Create = %+v, %v; want the interruption, neither ambiguous nor unreachable", res.server, res.err)
			}
			if len(reports) != 0 {
				t.Errorf("settle reported %+v for an order that never left", <-reports)
			}
			if n := rec.total(); n != 0 {
				t.Errorf("server saw %d requests, want none", n)
			}
		})
	}
}

func TestWithSettleTimeout_rejectsNegativeDurations(t *testing.T) {
	if _, err := flexmetal.NewClient(flexmetal.WithSettleTimeout(-time.Second)); err == nil {
		t.Error("NewClient(WithSettleTimeout(-1s)) succeeded, want an error")
	}
	if _, err := flexmetal.NewClient(flexmetal.WithSettleTimeout(0)); err != nil {
		t.Errorf("WithSettleTimeout(0): %v", err)
	}
}
