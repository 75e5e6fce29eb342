package shared

import (
	"context"
	"sync"
)

// RunReports remembers what one provider configuration (one Terraform command) has reported, so
// a cause that every resource instance meets, such as an unreachable API or a count of servers
// with the same unknown instance type, is reported once rather than once per instance. One error
// is enough: an error on any instance fails the whole plan, so nothing is applied.
type RunReports struct {
	mu       sync.Mutex
	reported map[string]bool
	unusable bool
	// unusableCh is closed by MarkAPIUnusable.
	unusableCh chan struct{}
}

// NewRunReports returns an empty record for one run.
func NewRunReports() *RunReports {
	return &RunReports{reported: map[string]bool{}, unusableCh: make(chan struct{})}
}

// First records key and reports whether this run had not recorded it before: the caller that
// gets true reports the cause, the others stay silent.
func (r *RunReports) First(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reported[key] {
		return false
	}
	r.reported[key] = true
	return true
}

// MarkAPIUnusable records that the API refused the credentials or could not be reached in this
// run: no apply can succeed, and the error saying so was reported.
func (r *RunReports) MarkAPIUnusable() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.unusable {
		r.unusable = true
		close(r.unusableCh)
	}
}

// UntilAPIUnusable returns a context that also ends when MarkAPIUnusable is called: checks
// already waiting on an API that failed the plan give up at once instead of each retrying it.
func (r *RunReports) UntilAPIUnusable(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-r.unusableCh:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// APIUnusable reports whether MarkAPIUnusable was called in this run, so later checks can skip
// asking an API that already failed the plan.
func (r *RunReports) APIUnusable() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unusable
}
