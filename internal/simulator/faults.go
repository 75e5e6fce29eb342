package simulator

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind selects what an injected fault does to a matching request.
type FaultKind int

const (
	// FaultStatus answers Fault.Status (default 500) with an error body carrying
	// ErrCodeInternal, without acting on the request.
	FaultStatus FaultKind = iota
	// FaultRateLimit answers 429 with a Retry-After header and an ErrCodeRateLimited body,
	// without acting on the request.
	FaultRateLimit
	// FaultDropBeforeHandling closes the connection without acting on the request or
	// answering.
	FaultDropBeforeHandling
	// FaultDropAfterHandling acts on the request (a create does create the server) and then
	// closes the connection without answering: the case that makes clients create duplicates.
	FaultDropAfterHandling
	// FaultMalformedJSON acts on the request and then answers 200 with a truncated JSON body.
	FaultMalformedJSON
	// FaultLatency sleeps Fault.Latency, then handles the request normally.
	FaultLatency
	// FaultSlowAnswer acts on the request at once, then answers only after Fault.Latency. A
	// client that gives up meanwhile gets no answer, but the API has acted, as a real API that
	// is slow to answer does: the case that orphans a server ordered by an interrupted client.
	FaultSlowAnswer
	// FaultStatusAfterHandling acts on the request, then answers like a FaultStatus: a gateway
	// that times out on an API that finished the work.
	FaultStatusAfterHandling
)

// String returns the kind's name as recorded in Request.Fault.
func (k FaultKind) String() string {
	switch k {
	case FaultStatus:
		return "status"
	case FaultRateLimit:
		return "rate_limit"
	case FaultDropBeforeHandling:
		return "drop_before_handling"
	case FaultDropAfterHandling:
		return "drop_after_handling"
	case FaultMalformedJSON:
		return "malformed_json"
	case FaultLatency:
		return "latency"
	case FaultSlowAnswer:
		return "slow_answer"
	case FaultStatusAfterHandling:
		return "status_after_handling"
	default:
		return "fault(" + strconv.Itoa(int(k)) + ")"
	}
}

// Fault is a rule for injecting a failure. Rules are checked in the order they were added and
// only the first match fires. Faults apply before authentication, as a load balancer or rate
// limiter in front of the API would.
type Fault struct {
	// Method restricts the rule to one HTTP method (case-insensitive); "" matches any.
	Method string
	// PathPrefix restricts the rule to request paths (URL.Path) with this prefix; "" matches
	// any.
	PathPrefix string
	// Kind is what the fault does.
	Kind FaultKind
	// Status is the HTTP status of a FaultStatus or FaultStatusAfterHandling; 0 means 500.
	Status int
	// RetryAfter is sent, rounded up to whole seconds, in the Retry-After header of a
	// FaultRateLimit. 0 sends "0"; a negative value omits the header.
	RetryAfter time.Duration
	// Latency is the delay of a FaultLatency or a FaultSlowAnswer.
	Latency time.Duration
	// Times is how many requests the rule fires for before it is removed; 0 or less means
	// forever.
	Times int
}

type faultRule struct {
	Fault
	remaining int
}

// malformedBody is what FaultMalformedJSON answers: the start of a plausible server list, cut
// off as if the connection had been interrupted mid-body.
const malformedBody = `[{"uuid": "abc",`

// AddFault appends a fault rule.
func (s *Simulator) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultRule{Fault: f, remaining: f.Times})
}

// ClearFaults removes all fault rules.
func (s *Simulator) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault picks the first matching rule and counts the firing in the same critical section,
// so concurrent requests cannot fire a Times: 1 rule twice.
func (s *Simulator) takeFault(method, path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, rule := range s.faults {
		if rule.Method != "" && !strings.EqualFold(rule.Method, method) {
			continue
		}
		if !strings.HasPrefix(path, rule.PathPrefix) {
			continue
		}
		f := rule.Fault
		if rule.Times > 0 {
			rule.remaining--
			if rule.remaining <= 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return &f
	}
	return nil
}

func (f *Fault) response() response {
	switch f.Kind {
	case FaultRateLimit:
		resp := errorResponse(&APIError{Status: http.StatusTooManyRequests, Code: ErrCodeRateLimited, Message: "Too many requests"})
		if f.RetryAfter >= 0 {
			secs := int64(math.Ceil(f.RetryAfter.Seconds()))
			resp.header = http.Header{"Retry-After": {strconv.FormatInt(secs, 10)}}
		}
		return resp
	default:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		msg := http.StatusText(status)
		if msg == "" {
			msg = "Injected fault"
		}
		return errorResponse(&APIError{Status: status, Code: ErrCodeInternal, Message: msg})
	}
}

// dropConnection closes the client's connection without a response. Where hijacking is not
// possible (HTTP/2, or a ResponseRecorder) it falls back to aborting the handler, which
// net/http turns into a reset stream or closed connection.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}
