package simulator

import (
	"fmt"
	"net/http"
)

// Error codes sent in the errorCode field of error bodies. The real API documents only 10001
// (entity not found); the others are the simulator's own, kept stable so tests can assert on
// them.
const (
	// ErrCodeNotFound: the addressed server, SSH key, location or tag does not exist, or a
	// root password is not available (404).
	ErrCodeNotFound = 10001
	// ErrCodeInvalidCredentials: PRIVATE-TOKEN missing or wrong (403).
	ErrCodeInvalidCredentials = 10002
	// ErrCodeRouteNotFound: no endpoint at this path (404).
	ErrCodeRouteNotFound = 10003
	// ErrCodeMethodNotAllowed: the endpoint exists but not for this method (405).
	ErrCodeMethodNotAllowed = 10004
	// ErrCodeValidation: the request is well-formed but some properties are invalid (422).
	ErrCodeValidation = 20001
	// ErrCodeInvalidState: the server's status does not allow the operation (422).
	ErrCodeInvalidState = 20002
	// ErrCodeBadRequest: malformed JSON body or RANGED-DATA header (400).
	ErrCodeBadRequest = 20003
	// ErrCodeConflict: the entity to create, or the new name of one, already exists (409).
	ErrCodeConflict = 20004
	// ErrCodeQuotaExceeded: the order does not fit the on-demand quota or the committed
	// capacity (422).
	ErrCodeQuotaExceeded = 20005
	// ErrCodeRateLimited: an injected rate limit (429).
	ErrCodeRateLimited = 42900
	// ErrCodeInternal: an injected status fault, whatever its HTTP status.
	ErrCodeInternal = 90001
)

// ErrorResponse is the API's error body.
type ErrorResponse struct {
	ErrorCode    int           `json:"errorCode"`
	ErrorMessage string        `json:"errorMessage"`
	Errors       []ErrorDetail `json:"errors"`
}

// ErrorDetail names one invalid property of a request.
type ErrorDetail struct {
	Property string `json:"property"`
	Message  string `json:"message"`
}

// APIError is returned by the Go inspection methods for the same conditions the HTTP API
// reports, so seeding code and HTTP tests share one vocabulary. errors.Is matches on Code,
// e.g. errors.Is(err, ErrNotFound).
type APIError struct {
	// Status is the HTTP status the API would answer with.
	Status int
	// Code is one of the ErrCode constants.
	Code int
	// Message is the errorMessage text.
	Message string
	// Details lists invalid properties for validation errors.
	Details []ErrorDetail
}

// Sentinels for errors.Is against errors returned by Simulator methods.
var (
	ErrNotFound     = &APIError{Status: http.StatusNotFound, Code: ErrCodeNotFound, Message: "Entity not found"}
	ErrValidation   = &APIError{Status: http.StatusUnprocessableEntity, Code: ErrCodeValidation, Message: "Validation failed"}
	ErrInvalidState = &APIError{Status: http.StatusUnprocessableEntity, Code: ErrCodeInvalidState, Message: "Invalid state"}
	ErrConflict     = &APIError{Status: http.StatusConflict, Code: ErrCodeConflict, Message: "Conflict"}
	ErrQuota        = &APIError{Status: http.StatusUnprocessableEntity, Code: ErrCodeQuotaExceeded, Message: "Quota exceeded"}
)

// Error formats the message with its property details, so a failed seed in a test explains
// itself.
func (e *APIError) Error() string {
	msg := fmt.Sprintf("flexmetal simulator: %s (code %d)", e.Message, e.Code)
	for _, d := range e.Details {
		msg += fmt.Sprintf("; %s: %s", d.Property, d.Message)
	}
	return msg
}

// Is reports whether target is an *APIError with the same Code.
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	return ok && t.Code == e.Code
}

func (e *APIError) body() ErrorResponse {
	details := e.Details
	if details == nil {
		details = []ErrorDetail{}
	}
	return ErrorResponse{ErrorCode: e.Code, ErrorMessage: e.Message, Errors: details}
}

func notFound(what string) *APIError {
	return &APIError{Status: http.StatusNotFound, Code: ErrCodeNotFound, Message: what + " not found"}
}

func invalidState(msg string) *APIError {
	return &APIError{Status: http.StatusUnprocessableEntity, Code: ErrCodeInvalidState, Message: msg}
}

func badRequest(msg string, details ...ErrorDetail) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: ErrCodeBadRequest, Message: msg, Details: details}
}

// validationErrors accumulates per-property problems so one response reports all of them, as
// a client fixing a request should not need one round trip per mistake.
type validationErrors []ErrorDetail

func (v *validationErrors) add(property, format string, args ...any) {
	*v = append(*v, ErrorDetail{Property: property, Message: fmt.Sprintf(format, args...)})
}

func (v validationErrors) err() error {
	if len(v) == 0 {
		return nil
	}
	return &APIError{Status: http.StatusUnprocessableEntity, Code: ErrCodeValidation, Message: "Validation failed", Details: v}
}
