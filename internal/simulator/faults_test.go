package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaults_StatusAnswersErrorWithoutActing(t *testing.T) {
	for _, status := range []int{0, 500, 502, 503, 504} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			h := newHarness(t, Config{})
			h.sim.AddFault(Fault{Method: http.MethodPost, PathPrefix: "/v3/flexMetal/servers", Kind: FaultStatus, Status: status, Times: 1})
			want := status
			if want == 0 {
				want = http.StatusInternalServerError
			}
			e := h.do(http.MethodPost, "/v3/flexMetal/servers", validRequest("x")).expect(t, want).apiError(t)
			if e.ErrorCode != ErrCodeInternal {
				t.Fatalf("errorCode %d, want %d", e.ErrorCode, ErrCodeInternal)
			}
			if n := len(h.sim.Servers()); n != 0 {
				t.Fatalf("status fault created %d servers", n)
			}
			h.do(http.MethodPost, "/v3/flexMetal/servers", validRequest("x")).expect(t, http.StatusOK)
		})
	}
}

func TestFaults_RateLimitSendsRetryAfter(t *testing.T) {
	tests := []struct {
		retryAfter time.Duration
		header     string
	}{
		{0, "0"},
		{2 * time.Second, "2"},
		{1500 * time.Millisecond, "2"},
		{-1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.retryAfter.String(), func(t *testing.T) {
			h := newHarness(t, Config{})
			h.sim.AddFault(Fault{Kind: FaultRateLimit, RetryAfter: tt.retryAfter, Times: 1})
			r := h.do(http.MethodGet, "/v3/flexMetal/servers", nil).expect(t, http.StatusTooManyRequests)
			if got := r.header.Get("Retry-After"); got != tt.header {
				t.Fatalf("Retry-After %q, want %q", got, tt.header)
			}
			if e := r.apiError(t); e.ErrorCode != ErrCodeRateLimited {
				t.Fatalf("errorCode %d", e.ErrorCode)
			}
		})
	}
}

func TestFaults_DropBeforeHandlingDoesNotAct(t *testing.T) {
	h := newHarness(t, Config{})
	h.sim.AddFault(Fault{Method: http.MethodPost, Kind: FaultDropBeforeHandling, Times: 1})
	if _, err := h.try(http.MethodPost, "/v3/flexMetal/servers", validRequest("x")); err == nil {
		t.Fatal("request succeeded; want a dropped connection")
	}
	if n := len(h.sim.Servers()); n != 0 {
		t.Fatalf("dropped-before request created %d servers", n)
	}
	if reqs := h.sim.Requests(); len(reqs) != 1 || reqs[0].Fault != "drop_before_handling" || reqs[0].Status != 0 {
		t.Fatalf("requests %+v", reqs)
	}
}

func TestFaults_DropAfterHandlingActsThenDrops(t *testing.T) {
	h := newHarness(t, Config{})
	h.sim.AddFault(Fault{Method: http.MethodPost, PathPrefix: "/v3/flexMetal/servers", Kind: FaultDropAfterHandling, Times: 2})
	for i := range 2 {
		if _, err := h.try(http.MethodPost, "/v3/flexMetal/servers", validRequest("dup")); err == nil {
			t.Fatalf("attempt %d succeeded; want a dropped connection", i)
		}
	}
	if n := len(h.sim.Servers()); n != 2 {
		t.Fatalf("%d servers exist after two dropped creates, want 2", n)
	}
	// Times counted down to zero: the rule is gone.
	h.do(http.MethodPost, "/v3/flexMetal/servers", validRequest("dup")).expect(t, http.StatusOK)
	if n := h.sim.CountRequests(http.MethodPost, "/v3/flexMetal/servers"); n != 3 {
		t.Fatalf("recorded %d POSTs, want 3", n)
	}
}

func TestFaults_StatusAfterHandlingActsThenAnswersError(t *testing.T) {
	h := newHarness(t, Config{})
	h.sim.AddFault(Fault{Method: http.MethodPost, PathPrefix: "/v3/flexMetal/servers", Kind: FaultStatusAfterHandling, Status: 502, Times: 1})
	h.do(http.MethodPost, "/v3/flexMetal/servers", validRequest("acted")).expect(t, 502)
	if n := len(h.sim.Servers()); n != 1 {
		t.Fatalf("%d servers after a 502 that came after acting, want 1", n)
	}
}

func TestFaults_MalformedJSONActsThenCorruptsBody(t *testing.T) {
	h := newHarness(t, Config{})
	h.sim.AddFault(Fault{Method: http.MethodPost, Kind: FaultMalformedJSON, Times: 1})
	r := h.do(http.MethodPost, "/v3/flexMetal/servers", validRequest("x")).expect(t, http.StatusOK)
	if string(r.body) != malformedBody || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("body %q content-type %q", r.body, r.header.Get("Content-Type"))
	}
	if n := len(h.sim.Servers()); n != 1 {
		t.Fatalf("%d servers, want the request to have been acted on", n)
	}
}

func TestFaults_LatencyDelaysThenHandles(t *testing.T) {
	h := newHarness(t, Config{})
	h.sim.AddFault(Fault{Kind: FaultLatency, Latency: 50 * time.Millisecond, Times: 1})
	began := time.Now()
	h.do(http.MethodGet, "/v3/flexMetal/location", nil).expect(t, http.StatusOK)
	if took := time.Since(began); took < 50*time.Millisecond {
		t.Fatalf("took %s, want at least the injected 50ms", took)
	}
}

func TestFaults_SlowAnswerActsEvenWhenTheClientGivesUp(t *testing.T) {
	sim := New(Config{})
	sleeping := make(chan struct{}, 1)
	recorded := make(chan Request, 1)
	sim.hooks.sleeping = func() { sleeping <- struct{}{} }
	sim.hooks.recorded = func(r Request) { recorded <- r }
	sim.AddFault(Fault{Method: http.MethodPost, PathPrefix: "/v3/flexMetal/servers", Kind: FaultSlowAnswer, Latency: time.Hour, Times: 1})
	url, stop := sim.Start()
	defer stop()

	order, err := json.Marshal(validRequest("slow"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v3/flexMetal/servers", bytes.NewReader(order))
		req.Header.Set("PRIVATE-TOKEN", DefaultAPIKey)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-sleeping
	if n := len(sim.Servers()); n != 1 {
		t.Fatalf("%d servers exist while the answer is pending, want 1 (the API acted first)", n)
	}
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("request finished despite an hour until the answer")
	}
	select {
	case r := <-recorded:
		if r.Fault != "slow_answer" {
			t.Errorf("recorded fault %q, want slow_answer", r.Fault)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler kept waiting after the client went away")
	}
	if n := len(sim.Servers()); n != 1 {
		t.Fatalf("%d servers after the client gave up, want the 1 the API created", n)
	}
}

func TestFaults_MatchingRulesOrderAndTimes(t *testing.T) {
	h := newHarness(t, Config{})
	h.sim.AddFault(Fault{Method: http.MethodGet, PathPrefix: "/v3/sshKey", Kind: FaultStatus, Status: 503, Times: 2})
	h.sim.AddFault(Fault{Method: "get", Kind: FaultStatus, Status: 502}) // forever, any GET path
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodPost, "/v3/sshKey", http.StatusUnprocessableEntity}, // method does not match any rule
		{http.MethodGet, "/v3/sshKey", 503},
		{http.MethodGet, "/v3/flexMetal/location", 502}, // first rule's prefix does not match
		{http.MethodGet, "/v3/sshKey", 503},
		{http.MethodGet, "/v3/sshKey", 502}, // first rule used up
		{http.MethodGet, "/v3/sshKey", 502},
	}
	for i, tt := range tests {
		if got := h.do(tt.method, tt.path, "{}").status; got != tt.want {
			t.Fatalf("request %d %s %s: status %d, want %d", i, tt.method, tt.path, got, tt.want)
		}
	}
	h.sim.ClearFaults()
	h.do(http.MethodGet, "/v3/sshKey", nil).expect(t, http.StatusOK)
}

func TestFaults_ApplyBeforeAuthentication(t *testing.T) {
	h := newHarness(t, Config{})
	h.sim.AddFault(Fault{Kind: FaultStatus, Status: 503, Times: 1})
	h.do(http.MethodGet, "/v3/flexMetal/servers", nil, withoutKey()).expect(t, http.StatusServiceUnavailable)
}

func TestLatency_ConfigAndSetLatency(t *testing.T) {
	h := newHarness(t, Config{Latency: 40 * time.Millisecond})
	began := time.Now()
	h.do(http.MethodGet, "/v3/flexMetal/location", nil).expect(t, http.StatusOK)
	if took := time.Since(began); took < 40*time.Millisecond {
		t.Fatalf("took %s, want at least 40ms", took)
	}
	h.sim.SetLatency(80 * time.Millisecond)
	began = time.Now()
	h.do(http.MethodGet, "/v3/flexMetal/location", nil).expect(t, http.StatusOK)
	if took := time.Since(began); took < 80*time.Millisecond {
		t.Fatalf("took %s after SetLatency(80ms)", took)
	}
}

func TestLatency_ClientCancellationSkipsHandling(t *testing.T) {
	sim := New(Config{Latency: time.Hour})
	sleeping := make(chan struct{}, 1)
	recorded := make(chan Request, 1)
	sim.hooks.sleeping = func() { sleeping <- struct{}{} }
	sim.hooks.recorded = func(r Request) { recorded <- r }
	url, stop := sim.Start()
	defer stop()

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v3/flexMetal/servers", strings.NewReader(`{}`))
		req.Header.Set("PRIVATE-TOKEN", DefaultAPIKey)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-sleeping
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("request finished despite an hour of latency")
	}
	select {
	case r := <-recorded:
		if r.Status != 0 {
			t.Fatalf("canceled request recorded with status %d, want 0", r.Status)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler kept sleeping after the client went away")
	}
}

func TestStart_StopDoesNotWaitForInjectedLatency(t *testing.T) {
	sim := New(Config{Latency: time.Hour})
	sleeping := make(chan struct{}, 1)
	sim.hooks.sleeping = func() { sleeping <- struct{}{} }
	url, stop := sim.Start()
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(url + "/v3/flexMetal/location")
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-sleeping
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("stop waited for the hour of latency")
	}
	<-done
}
