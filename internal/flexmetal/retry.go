package flexmetal

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

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
}

// DefaultRetryPolicy retries up to 8 times with backoff from 500ms to 30s: about two minutes of
// patience, enough to ride out a rate limit or a short API outage.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 8, MinDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second, MaxRetryAfter: 2 * time.Minute}
}

// decide says whether the failed attempt may be sent again and after how long.
func (p RetryPolicy) decide(req request, err error, attempt int) (time.Duration, bool) {
	if attempt > p.MaxRetries || !retryable(req, err) {
		return 0, false
	}
	wait := p.backoff(attempt)
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

// retryable decides from the failure whether re-sending is safe. Creating a bare-metal server
// twice costs real money, so a non-idempotent request is re-sent only when the API certainly
// did not act: it said so (429, 503) or the connection was never established.
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
	var opErr *net.OpError
	if errors.As(err.Err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err.Err, &dnsErr) || errors.Is(err.Err, syscall.ECONNREFUSED)
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
