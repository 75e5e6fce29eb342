package flexmetal

import (
	"context"
	"sync"
	"time"
)

// refreshTTL bounds how long one list snapshot may answer Refresh calls. Terraform refreshes a
// whole configuration within seconds; any write through the client discards the snapshot, and a
// new provider run starts with none, so nothing stale outlives one operation.
const refreshTTL = 30 * time.Second

// maxParallelGets bounds the GETs one round sends at once when a list would cost more.
const maxParallelGets = 8

// watcher coalesces the status checks of servers that are waited on or refreshed together:
// calls that arrive within a short gather window share one paged list request instead of one GET
// each. A lone call still costs a single GET.
type watcher struct {
	c        *Client
	coalesce bool
	gather   time.Duration
	epoch    time.Time

	mu        sync.Mutex
	round     map[bool]*round // keyed by "may fill the refresh snapshot"
	listPages int             // pages the last full list took: the cost of listing again
	snap      *snapshot
	writes    uint64 // bumped by invalidate: a list begun before a write must not become the snapshot
}

type round struct {
	calls map[string][]chan pollResult
	ctxs  []context.Context
}

type pollResult struct {
	server *Server
	err    error
}

// snapshot is one full server list taken for Refresh.
type snapshot struct {
	started time.Time
	servers map[string]*Server
}

func newWatcher(c *Client, coalesce bool) *watcher {
	gather := min(100*time.Millisecond, c.minPoll/5)
	return &watcher{c: c, coalesce: coalesce, gather: gather, epoch: time.Now(), round: map[bool]*round{}, listPages: 1}
}

// untilNextPoll returns how long a waiter that has waited elapsed sleeps before its next check.
// The interval is the largest power-of-two multiple of the minimum poll interval within a
// sixteenth of the time already waited, capped by the poll interval: with the gather window and
// the request's own latency on top, a change is still noticed within 10% of the time spent
// waiting. Wake-ups fall on a grid shared by all waiters, so servers created together are
// checked at the same instants and their checks coalesce.
func (w *watcher) untilNextPoll(elapsed time.Duration) time.Duration {
	interval := w.c.minPoll
	for interval*2 <= elapsed/16 && interval*2 <= w.c.pollInterval {
		interval *= 2
	}
	if elapsed/16 >= w.c.pollInterval {
		interval = w.c.pollInterval
	}
	now := time.Since(w.epoch)
	next := (now + interval/2 + interval - 1).Truncate(interval)
	return next - now
}

// invalidate drops the refresh snapshot after a write through this client.
func (w *watcher) invalidate() {
	w.mu.Lock()
	w.snap = nil
	w.writes++
	w.mu.Unlock()
}

// poll returns a fresh state of the server for a waiter: never from a snapshot.
func (w *watcher) poll(ctx context.Context, uuid string) (*Server, error) {
	if !w.coalesce {
		return w.c.Servers.Get(ctx, uuid)
	}
	return w.join(ctx, uuid, false)
}

// refresh returns the server's state for a Terraform read, answered from a list snapshot when
// many reads arrive together.
func (w *watcher) refresh(ctx context.Context, uuid string) (*Server, error) {
	if !w.coalesce {
		return w.c.Servers.Get(ctx, uuid)
	}
	w.mu.Lock()
	if s := w.snap; s != nil && time.Since(s.started) < refreshTTL {
		srv, ok := s.servers[uuid]
		w.mu.Unlock()
		if ok {
			return copyServer(srv), nil
		}
		// Missing from the list: confirm with a GET (a 404 or released server leaves state).
		return w.c.Servers.Get(ctx, uuid)
	}
	w.mu.Unlock()
	return w.join(ctx, uuid, true)
}

func (w *watcher) join(ctx context.Context, uuid string, forRefresh bool) (*Server, error) {
	ch := make(chan pollResult, 1)
	w.mu.Lock()
	r := w.round[forRefresh]
	if r == nil {
		r = &round{calls: map[string][]chan pollResult{}}
		w.round[forRefresh] = r
		time.AfterFunc(w.gather, func() { w.fire(forRefresh) })
	}
	r.calls[uuid] = append(r.calls[uuid], ch)
	r.ctxs = append(r.ctxs, ctx)
	w.mu.Unlock()

	select {
	case res := <-ch:
		return res.server, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (w *watcher) fire(forRefresh bool) {
	w.mu.Lock()
	r := w.round[forRefresh]
	delete(w.round, forRefresh)
	listPages := w.listPages
	writes := w.writes
	w.mu.Unlock()
	if r == nil {
		return
	}
	ctx, cancel := roundContext(r.ctxs)
	defer cancel()

	results := make(map[string]pollResult, len(r.calls))
	if len(r.calls) > 1 && len(r.calls) > listPages {
		started := time.Now()
		servers, err := w.c.Servers.List(ctx, ListServersOptions{})
		if err == nil {
			byID := make(map[string]*Server, len(servers))
			for _, s := range servers {
				byID[s.UUID] = s
			}
			w.mu.Lock()
			w.listPages = len(servers)/PageSize + 1
			if forRefresh && w.writes == writes {
				w.snap = &snapshot{started: started, servers: byID}
			}
			w.mu.Unlock()
			for uuid := range r.calls {
				if s, ok := byID[uuid]; ok {
					results[uuid] = pollResult{server: s}
				}
			}
		}
	}
	w.getMissing(ctx, r, results)
	for uuid, chans := range r.calls {
		res := results[uuid]
		for _, ch := range chans {
			if res.server != nil {
				res.server = copyServer(res.server)
			}
			ch <- res
		}
	}
}

// getMissing fetches, a few at a time, the servers the round's list did not answer for.
func (w *watcher) getMissing(ctx context.Context, r *round, results map[string]pollResult) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxParallelGets)
	// Decide what is missing before any GET starts: the GETs write results concurrently.
	var missing []string
	for uuid := range r.calls {
		if _, ok := results[uuid]; !ok {
			missing = append(missing, uuid)
		}
	}
	for _, uuid := range missing {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			s, err := w.c.Servers.Get(ctx, uuid)
			mu.Lock()
			results[uuid] = pollResult{server: s, err: err}
			mu.Unlock()
		}()
	}
	wg.Wait()
}

// roundContext keeps the callers' values (loggers) and ends when every caller has gone, so an
// interrupted wait does not leave requests running for nobody.
func roundContext(ctxs []context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctxs[0]))
	var mu sync.Mutex
	remaining := len(ctxs)
	stops := make([]func() bool, 0, len(ctxs))
	for _, c := range ctxs {
		stops = append(stops, context.AfterFunc(c, func() {
			mu.Lock()
			remaining--
			done := remaining == 0
			mu.Unlock()
			if done {
				cancel()
			}
		}))
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

func copyServer(s *Server) *Server {
	c := *s
	c.Tags = append([]string{}, s.Tags...)
	c.IPAddresses = append([]string{}, s.IPAddresses...)
	return &c
}
