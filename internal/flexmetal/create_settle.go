package flexmetal

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

// settlement lets a server order outlive an interruption of its caller for a bounded time. A
// POST canceled in flight may still be acted on by the API, and the server it creates would be
// billed yet in no Terraform state. So the order is sent on a context the caller's cancellation
// does not end, and once the caller's context is done the client waits at most the settle
// window for the order's answer or, when that is lost, for the lookup by creation tag. An order
// still looking for a connection has sent nothing: the interruption cancels it at once.
type settlement struct {
	c      *Client
	caller context.Context
	// ctx keeps the caller's values (loggers) but not its cancellation: it ends one settle
	// window after the caller's context does.
	ctx       context.Context
	cancel    context.CancelCauseFunc
	stopWatch func() bool
	watchDone chan struct{}

	mu       sync.Mutex
	phase    settlePhase
	abort    context.CancelFunc // cancels the order in flight
	deadline time.Time          // when the window closes; zero while the caller is waiting
	timer    *time.Timer
	stopped  bool
}

// settlePhase is what an interruption of the caller would cut short.
type settlePhase int

const (
	// settleIdle: nothing is in flight, only a backoff that ends with the caller's context or
	// the decoding of an answer already read.
	settleIdle settlePhase = iota
	// settleDialing: the order is looking for a connection and has sent nothing.
	settleDialing
	// settleOrdering: the order may have reached the API.
	settleOrdering
	// settleLookingUp: a lost order is being looked up by its creation tag.
	settleLookingUp
)

// settle starts tracking one Servers.Create call; stop must be called when it returns.
func (c *Client) settle(caller context.Context) *settlement {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(caller))
	st := &settlement{c: c, caller: caller, ctx: ctx, cancel: cancel, watchDone: make(chan struct{})}
	st.stopWatch = context.AfterFunc(caller, st.callerDone)
	return st
}

// callerDone opens the settle window and cuts short only what has sent nothing yet.
func (st *settlement) callerDone() {
	defer close(st.watchDone)
	st.mu.Lock()
	if st.stopped {
		st.mu.Unlock()
		return
	}
	window := st.c.settleWindow
	st.deadline = st.c.now().Add(window)
	st.timer = time.AfterFunc(window, func() {
		st.cancel(fmt.Errorf("the %s allowed to settle an interrupted server order passed", window))
	})
	phase := st.phase
	if phase == settleDialing {
		st.abort()
	}
	st.mu.Unlock()
	st.report(phase)
}

// enter records the phase the call is in; entering one that waits after the caller was
// interrupted is reported, and dialing then is abandoned.
func (st *settlement) enter(phase settlePhase) {
	st.mu.Lock()
	st.phase = phase
	interrupted := !st.deadline.IsZero()
	if interrupted && phase == settleDialing {
		st.abort()
	}
	st.mu.Unlock()
	if interrupted {
		st.report(phase)
	}
}

// report tells the retry logger what an interrupted call still waits for.
func (st *settlement) report(phase settlePhase) {
	entry := RetryLog{Path: serversPath, Err: context.Cause(st.caller), Settling: true}
	switch phase {
	case settleOrdering:
		entry.Method = http.MethodPost
	case settleLookingUp:
		entry.Method = http.MethodGet
	default:
		return
	}
	st.mu.Lock()
	entry.Wait = max(st.deadline.Sub(st.c.now()), 0)
	st.mu.Unlock()
	st.c.retried(st.caller, entry)
}

// order prepares req to be sent on the settle context, tracking whether an attempt is in
// flight; done must be called once the order has its answer or error.
func (st *settlement) order(req request) (context.Context, request, func()) {
	ctx, abort := context.WithCancel(st.ctx)
	st.mu.Lock()
	st.abort = abort
	st.mu.Unlock()
	// A transport that reports no connection events leaves the phase idle: the order is then
	// neither abandoned nor reported, but still gets the settle window.
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) { st.enter(settleDialing) },
		GotConn: func(httptrace.GotConnInfo) { st.enter(settleOrdering) },
	})
	req.attempted = func() { st.enter(settleIdle) }
	return ctx, req, func() {
		st.enter(settleIdle)
		abort()
	}
}

// lookingUp returns the context for a lookup by creation tag; done must be called after it.
func (st *settlement) lookingUp() (ctx context.Context, done func()) {
	st.enter(settleLookingUp)
	return st.ctx, func() { st.enter(settleIdle) }
}

// windowClosed explains a failure caused by the settle window closing, nil otherwise.
func (st *settlement) windowClosed() error {
	if st.ctx.Err() == nil {
		return nil
	}
	return context.Cause(st.ctx)
}

// stop ends the tracking; no report is made after it returns.
func (st *settlement) stop() {
	st.mu.Lock()
	st.stopped = true
	if st.timer != nil {
		st.timer.Stop()
	}
	st.mu.Unlock()
	if !st.stopWatch() {
		<-st.watchDone
	}
	st.cancel(nil)
}
