package shared

import (
	"context"
	"sync"
	"testing"
)

// TestRunReports_firstOncePerKey: of many concurrent instances meeting one cause, exactly one
// reports it.
func TestRunReports_firstOncePerKey(t *testing.T) {
	r := NewRunReports()
	var mu sync.Mutex
	firsts := map[string]int{}
	var wg sync.WaitGroup
	for i := range 20 {
		key := []string{"unreachable", "instance_type\x00bm99\x00EU: Rotterdam"}[i%2]
		wg.Go(func() {
			if r.First(key) {
				mu.Lock()
				firsts[key]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(firsts) != 2 || firsts["unreachable"] != 1 || firsts["instance_type\x00bm99\x00EU: Rotterdam"] != 1 {
		t.Errorf("First returned true %v times per key, want once each", firsts)
	}
}

// TestRunReports_untilAPIUnusableEndsWaitingChecks: checks still running when the API is found
// unusable end at once, and a second mark is harmless.
func TestRunReports_untilAPIUnusableEndsWaitingChecks(t *testing.T) {
	r := NewRunReports()
	ctx, cancel := r.UntilAPIUnusable(context.Background())
	defer cancel()
	if r.APIUnusable() || ctx.Err() != nil {
		t.Fatal("a fresh run is already unusable")
	}
	r.MarkAPIUnusable()
	r.MarkAPIUnusable()
	<-ctx.Done()
	if !r.APIUnusable() {
		t.Error("APIUnusable() = false after MarkAPIUnusable")
	}
}
