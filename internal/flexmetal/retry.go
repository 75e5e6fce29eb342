package flexmetal

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DefaultUnreachableBudget is how long after a request's first attempt the default policy still
// retries failures that got no HTTP answer at all.
const DefaultUnreachableBudget = 15 * time.Second

// RetryPolicy bounds how often and how patiently a request is re-sent after a transient failure.
type RetryPolicy struct {
	// MaxRetries is how many times a request is re-sent after the first attempt.
	MaxRetries int
	// MinDelay is the first backoff; each retry doubles it, with jitter, up to MaxDelay.
	MinDelay time.Duration
	// MaxDelay caps one backoff. A longer Retry-After from the API is honored up to
	// MaxRetryAfter.
	MaxDelay time.Duration
	// MaxRetryAfter caps how long a Retry-After header may make the client wait.
	MaxRetryAfter time.Duration
	// UnreachableBudget bounds the retries after failures that got no HTTP answer (connection
	// refused or reset, timeouts): none starts later than this after the request's first
	// attempt. An endpoint nobody answers on is more often misconfigured than briefly down, so
	// the user hears about it within seconds, while answered failures (429, 5xx) keep the
	// patience above. Zero means DefaultUnreachableBudget; a negative budget turns these
	// retries off.
	UnreachableBudget time.Duration
}

// DefaultRetryPolicy retries up to 8 times with backoff from 500ms to 30s: about two minutes of
// patience, enough to ride out a rate limit or a short API outage. Failures with no HTTP answer
// get DefaultUnreachableBudget (4 or 5 retries), and those that cannot heal (an unknown host
// name, a TLS or protocol mismatch) none.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxRetries: 8, MinDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second, MaxRetryAfter: 2 * time.Minute,
		UnreachableBudget: DefaultUnreachableBudget,
	}
}

// decide says whether the failed attempt may be sent again and after how long; elapsed is the
// time since the request's first attempt began.
func (p RetryPolicy) decide(req request, err error, attempt int, elapsed time.Duration) (time.Duration, bool) {
	if attempt > p.MaxRetries || !retryable(req, err) {
		return 0, false
	}
	wait := p.backoff(attempt)
	var tErr *TransportError
	if errors.As(err, &tErr) && elapsed+wait > p.unreachableBudget() {
		return 0, false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		ra := time.Duration(apiErr.RetryAfter) * time.Second
		if p.MaxRetryAfter > 0 && ra > p.MaxRetryAfter {
			ra = p.MaxRetryAfter
		}
		if ra > wait {
			wait = ra
		}
	}
	return wait, true
}

func (p RetryPolicy) unreachableBudget() time.Duration {
	switch {
	case p.UnreachableBudget == 0:
		return DefaultUnreachableBudget
	case p.UnreachableBudget < 0:
		return -1
	}
	return p.UnreachableBudget
}

// backoff is exponential with "equal jitter": between half and all of the doubled delay, so
// many clients hitting one rate limit spread out without ever retrying immediately.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.MinDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(half+1)
}

// retryable decides from the failure whether re-sending is safe and can help. Creating a
// bare-metal server twice costs real money, so a non-idempotent request is re-sent only when
// the API certainly did not act: it said so (429, 503) or the request never left this machine.
func retryable(req request, err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch apiErr.StatusCode {
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			return true
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
			return req.idempotent
		}
		return false
	}
	var tErr *TransportError
	if errors.As(err, &tErr) {
		if tErr.fault().permanent {
			return false
		}
		return req.idempotent || neverSent(tErr)
	}
	var rErr *ResponseError
	if errors.As(err, &rErr) {
		return req.idempotent
	}
	return false
}

// neverSent reports whether a transport error proves the request did not leave this machine.
func neverSent(err *TransportError) bool {
	if err.Sent {
		return false
	}
	if err.unsent {
		return true
	}
	var opErr *net.OpError
	if errors.As(err.Err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err.Err, &dnsErr) || errors.Is(err.Err, syscall.ECONNREFUSED)
}

// transportFault says, in words a user can act on, why no HTTP answer came.
type transportFault struct {
	// reason is short and plain: "connection refused", "host name not found".
	reason string
	// permanent faults do not heal by trying again: the endpoint speaks another protocol, its
	// certificate is not trusted, its name does not exist.
	permanent bool
	// interrupted means the caller gave up: nothing is known about the endpoint.
	interrupted bool
}

// interruptedFault is the fault of a request whose context ended before an answer came.
var interruptedFault = transportFault{reason: "interrupted", interrupted: true}

// classifyTransport names the fault behind a failure to get an HTTP answer. Some causes are
// only recognizable by their text: net/http builds them with errors.New or fmt.Errorf.
func classifyTransport(err error) transportFault {
	if err == nil {
		return transportFault{reason: "the connection failed"}
	}
	var (
		dnsErr      *net.DNSError
		certErr     *tls.CertificateVerificationError
		unknownCA   x509.UnknownAuthorityError
		wrongHost   x509.HostnameError
		invalidCert x509.CertificateInvalidError
		notTLS      tls.RecordHeaderError
		alert       tls.AlertError
		tlsPort     *tlsPortError
		netErr      net.Error
	)
	text := err.Error()
	switch {
	case errors.Is(err, context.Canceled):
		return interruptedFault
	case errors.As(err, &tlsPort):
		return transportFault{reason: "the endpoint speaks HTTPS, not plain HTTP", permanent: true}
	case strings.Contains(text, "server gave HTTP response to HTTPS client"):
		return transportFault{reason: "the endpoint speaks plain HTTP, not HTTPS", permanent: true}
	case errors.As(err, &notTLS):
		return transportFault{reason: "the endpoint does not speak HTTPS", permanent: true}
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &wrongHost), errors.As(err, &invalidCert):
		return transportFault{reason: "TLS certificate not trusted", permanent: true}
	case errors.As(err, &alert):
		return transportFault{reason: "the TLS handshake failed", permanent: true}
	case strings.Contains(text, "malformed HTTP response"):
		return transportFault{reason: "the endpoint does not speak HTTP", permanent: true}
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return transportFault{reason: "host name not found", permanent: true}
	case errors.As(err, &dnsErr):
		// The resolver itself failed (timeout, unreachable, SERVFAIL): that can heal.
		return transportFault{reason: "host name could not be resolved"}
	case errors.Is(err, syscall.ECONNREFUSED):
		return transportFault{reason: "connection refused"}
	case errors.Is(err, syscall.ECONNRESET):
		return transportFault{reason: "connection reset"}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return transportFault{reason: "the connection closed early"}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return transportFault{reason: "timed out"}
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return transportFault{reason: "no route to the host"}
	}
	return transportFault{reason: "the connection failed"}
}

// tlsPortError is a plain-HTTP request refused by a TLS port: the endpoint answered 400 with a
// well-known text instead of serving the API, so the base URL's scheme is wrong.
type tlsPortError struct{ answer string }

func (e *tlsPortError) Error() string { return "it answered HTTP 400: " + e.answer }

// tlsPortAnswers are how common servers refuse plain HTTP on a TLS port (Go, nginx, Apache).
var tlsPortAnswers = []string{
	"client sent an http request to an https server",
	"the plain http request was sent to https port",
	"speaking plain http to an ssl-enabled server port",
}

// refusedPlainHTTP recognizes a TLS port's 400 answer to a plain-HTTP request.
func refusedPlainHTTP(body []byte) (*tlsPortError, bool) {
	text := strings.ToLower(string(body))
	for _, a := range tlsPortAnswers {
		if strings.Contains(text, a) {
			return &tlsPortError{answer: a}, true
		}
	}
	return nil, false
}

// parseRetryAfter understands both forms of the header: delay-seconds and an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now).Round(time.Second)
	}
	return 0
}
