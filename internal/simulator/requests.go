package simulator

import (
	"net/http"
	"strings"
	"time"
)

// Request is the record of one request the simulator received.
type Request struct {
	// Method and Path are the request's method and decoded URL path.
	Method, Path string
	// RawQuery is the undecoded query string.
	RawQuery string
	// RangedData is the RANGED-DATA header, "" when absent.
	RangedData string
	// Status is the HTTP status answered, or 0 when no response was sent (dropped connection,
	// or the client gave up during injected latency).
	Status int
	// At is the simulator clock's time when the request arrived.
	At time.Time
	// Fault is the name of the injected fault kind that fired, "" if none.
	Fault string
}

// Requests returns the recorded requests in completion order. Only the most recent 50,000 to
// 100,000 are kept, so a long-running simulator's memory stays bounded.
func (s *Simulator) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets all recorded requests.
func (s *Simulator) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// CountRequests counts recorded requests with this method (case-insensitive) and path prefix;
// "" matches any.
func (s *Simulator) CountRequests(method, pathPrefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if (method == "" || strings.EqualFold(method, r.Method)) && strings.HasPrefix(r.Path, pathPrefix) {
			n++
		}
	}
	return n
}

// CountPatches counts the PATCH requests received for one server, whatever became of them:
// rejected, failed by an injected fault or dropped, so a test can assert that a client sent
// exactly one reinstall.
func (s *Simulator) CountPatches(uuid string) int {
	path := "/v3/flexMetal/servers/" + uuid
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Method == http.MethodPatch && strings.TrimSuffix(r.Path, "/") == path {
			n++
		}
	}
	return n
}
