package flexmetal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrorDetail is one per-property validation message returned by the API.
type ErrorDetail struct {
	Property string `json:"property"`
	Message  string `json:"message"`
}

// APIError is returned for every non-2xx response. Code and Message come from the API's
// error body when it had one; StatusCode is always set.
type APIError struct {
	StatusCode int
	Code       int
	Message    string
	Details    []ErrorDetail
	Method     string
	Path       string
	// RetryAfter is the server's requested delay on a 429/503, zero when absent.
	RetryAfter int64
}

// Error renders the status, the API's code and message, and every per-property detail, so a
// diagnostic built from it tells the user exactly which field the API rejected.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if e.Code != 0 {
		fmt.Fprintf(&b, " (error code %d)", e.Code)
	}
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	for _, d := range e.Details {
		b.WriteString("; ")
		if d.Property != "" {
			b.WriteString(d.Property)
			b.WriteString(": ")
		}
		b.WriteString(d.Message)
	}
	return b.String()
}

// IsNotFound reports whether err is an API 404.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsRateLimited reports whether err is an API 429.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

// IsUnauthorized reports whether the API refused the credentials (401 or 403).
func IsUnauthorized(err error) bool {
	return hasStatus(err, http.StatusUnauthorized) || hasStatus(err, http.StatusForbidden)
}

// IsValidation reports whether the API rejected the request's content (400 or 422).
func IsValidation(err error) bool {
	return hasStatus(err, http.StatusBadRequest) || hasStatus(err, http.StatusUnprocessableEntity)
}

// IsUnreachable reports whether the API could not be reached: no HTTP answer came at all
// (connection refused or reset, a timeout, an unknown host name, a TLS or protocol mismatch) or
// the answer was cut off, as opposed to the API answering with an error. The base URL or the
// network is the thing to check. A request the caller interrupted is not unreachable.
func IsUnreachable(err error) bool {
	var tErr *TransportError
	return errors.As(err, &tErr) && !tErr.fault().interrupted
}

func hasStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}

// ResponseError means the API answered 2xx but the body could not be understood. For a create
// this is ambiguous: the server may exist.
type ResponseError struct {
	Method string
	Path   string
	Err    error
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("%s %s: unreadable response from the API: %v", e.Method, e.Path, e.Err)
}

func (e *ResponseError) Unwrap() error { return e.Err }
