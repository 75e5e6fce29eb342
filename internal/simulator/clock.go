package simulator

import (
	"sync"
	"time"
)

// Clock is the simulator's source of time. Every lifecycle transition is computed from it, so
// replacing it with a ManualClock makes server progression fully deterministic.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
}

type realClock struct{}

// Now returns the wall-clock time.
func (realClock) Now() time.Time { return time.Now() }

// RealClock returns a Clock backed by time.Now.
func RealClock() Clock { return realClock{} }

// ManualClock is a Clock that only moves when told to. It is safe for concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock that reads start until advanced.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: start}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backward if d is negative).
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// RequestClock is a ManualClock that also moves forward by a fixed step each time the simulator
// receives a request, before handling it. The world then advances with the client's requests
// rather than with the wall clock: a client that polls sees each status for the same number of
// polls on a fast machine and on a loaded one, so a test can assert on progress it observed.
type RequestClock struct {
	ManualClock
	perRequest time.Duration
}

// NewRequestClock returns a RequestClock that reads start and advances by perRequest for each
// request the simulator receives (and whenever Advance or Set is called).
func NewRequestClock(start time.Time, perRequest time.Duration) *RequestClock {
	return &RequestClock{ManualClock: ManualClock{now: start}, perRequest: perRequest}
}

// SetPerRequest changes the step taken for each request from now on; zero stops the clock
// between calls of Advance, as a ManualClock.
func (c *RequestClock) SetPerRequest(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.perRequest = d
}

// tick is called by the simulator once per request it receives.
func (c *RequestClock) tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.perRequest)
}

// requestTicker is a Clock that moves with each request received.
type requestTicker interface{ tick() }
