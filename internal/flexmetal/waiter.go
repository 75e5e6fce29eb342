package flexmetal

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ServerFailedError means a server reached the terminal "failed" status while being delivered.
type ServerFailedError struct {
	Server *Server
}

func (e *ServerFailedError) Error() string {
	msg := e.Server.StatusMessage
	if msg == "" {
		msg = "no status message"
	}
	return fmt.Sprintf("server %s (%s) failed: %s", e.Server.UUID, e.Server.Name, msg)
}

// WaitError means waiting stopped (timeout, interrupt, or the server vanished) before the
// server reached the wanted status. Last is the last state seen, nil if none was. Command is,
// for a reinstall wait, the last reinstall command seen (nil for other waits or if none was).
type WaitError struct {
	UUID    string
	Want    string
	Last    *Server
	Command *Command
	Err     error
	Polled  int
	// Failing describes the polls that failed in a row up to the end of the wait, so a timeout
	// can say that the API was unreachable rather than the server slow; nil when the last poll
	// got an answer.
	Failing *PollFailures
}

// PollFailures is a run of consecutive status checks that got no usable answer.
type PollFailures struct {
	// Since is when the first of them failed.
	Since time.Time
	// Count is how many failed.
	Count int
	// Last is the last one's error.
	Last error
}

// Unreachable reports whether the last failed check got no answer from the API at all, as
// opposed to an error answer.
func (f *PollFailures) Unreachable() bool { return f != nil && IsUnreachable(f.Last) }

func (e *WaitError) Error() string {
	last := "no status seen yet"
	if e.Last != nil {
		last = fmt.Sprintf("last status %q", e.Last.Status)
		if e.Last.StatusMessage != "" {
			last += fmt.Sprintf(" (%s)", e.Last.StatusMessage)
		}
	}
	if e.Command != nil {
		last += fmt.Sprintf(", reinstall command %s %q", e.Command.UUID, e.Command.State)
	}
	return fmt.Sprintf("waiting for server %s to be %s: %s: %v", e.UUID, e.Want, last, e.Err)
}

func (e *WaitError) Unwrap() error { return e.Err }

// LastStatus returns the last status seen, or "unknown".
func (e *WaitError) LastStatus() string {
	if e.Last == nil {
		return "unknown"
	}
	return e.Last.Status
}

// WaitForDelivery polls a server until it is delivered. It returns a *ServerFailedError when the
// delivery fails, and a *WaitError when ctx ends first, the server disappears or is being
// released, or the API refuses the status check itself. onChange, if not nil, sees every status
// change (for progress logging).
func (s *ServersService) WaitForDelivery(ctx context.Context, uuid string, onChange func(*Server)) (*Server, error) {
	return s.waitFor(ctx, uuid, StatusDelivered, onChange, func(srv *Server, err error) (bool, error) {
		switch {
		case err != nil:
			return false, err
		case srv.Status == StatusDelivered:
			return true, nil
		case srv.Status == StatusFailed:
			return true, &ServerFailedError{Server: srv}
		case srv.Status == StatusReleasing || srv.Status == StatusReleased:
			return true, &WaitError{UUID: uuid, Want: StatusDelivered, Last: srv, Err: errors.New("the server is being released")}
		}
		return false, nil
	})
}

// WaitForRelease polls a server until it is released. A server that is no longer found counts
// as released, and the returned server is then nil.
func (s *ServersService) WaitForRelease(ctx context.Context, uuid string, onChange func(*Server)) (*Server, error) {
	return s.waitFor(ctx, uuid, StatusReleased, onChange, func(srv *Server, err error) (bool, error) {
		switch {
		case IsNotFound(err):
			return true, nil
		case err != nil:
			return false, err
		}
		return srv.Status == StatusReleased, nil
	})
}

// waitFor polls the server's status until check says done.
func (s *ServersService) waitFor(ctx context.Context, uuid, want string, onChange func(*Server), check func(*Server, error) (bool, error)) (*Server, error) {
	return s.waitUntil(ctx, uuid, want, onChange, func(ctx context.Context) (*Server, error) {
		return s.client.watch.poll(ctx, uuid)
	}, check)
}

// waitUntil calls probe on the shared adaptive cadence until check says done. Transient API
// errors (5xx, rate limits, lost connections) do not end the wait: the API being briefly
// unreachable must not abandon a server being delivered. The context ends it, and so does an
// answer that cannot get better: refused credentials, a missing server, a refused request. probe
// returns the server's state and may read more (a reinstall's command) for check to use.
func (s *ServersService) waitUntil(ctx context.Context, uuid, want string, onChange func(*Server), probe func(context.Context) (*Server, error), check func(*Server, error) (bool, error)) (*Server, error) {
	started := time.Now()
	var last *Server
	var failing *PollFailures
	polled := 0
	for {
		if err := s.client.sleep(ctx, s.client.watch.untilNextPoll(time.Since(started))); err != nil {
			if failing != nil {
				err = fmt.Errorf("%w (last API error: %v)", err, failing.Last)
			}
			return last, &WaitError{UUID: uuid, Want: want, Last: last, Err: err, Polled: polled, Failing: failing}
		}
		polledAt := s.client.now()
		srv, err := probe(ctx)
		polled++
		if ctx.Err() != nil {
			continue
		}
		if err == nil {
			failing = nil
		}
		if err == nil && onChange != nil && (last == nil || last.Status != srv.Status) {
			onChange(srv)
		}
		if err == nil {
			last = srv
		}
		done, result := check(srv, err)
		if done {
			if result != nil {
				return last, result
			}
			if IsNotFound(err) {
				return nil, nil
			}
			return srv, nil
		}
		if result != nil {
			// Only transient failures are waited out; the API refusing the request itself
			// (credentials, a missing server, a malformed request) will not get better.
			if IsUnauthorized(result) || IsNotFound(result) || IsValidation(result) {
				return last, &WaitError{UUID: uuid, Want: want, Last: last, Err: result, Polled: polled}
			}
			if failing == nil {
				failing = &PollFailures{Since: polledAt}
			}
			failing.Count++
			failing.Last = result
		}
	}
}

// Delivering reports whether a status is on the way to delivered: ordered and neither delivered,
// failed nor being released.
func Delivering(status string) bool {
	switch status {
	case StatusCreated, StatusDiscovering, StatusDiscovered, StatusAllocating, StatusAllocated,
		StatusConfiguringNetwork, StatusNetworkConfigured, StatusProvisioning, StatusProvisioned:
		return true
	}
	return false
}

// ReleaseRefusedError means the API kept refusing to release a server while it was being
// delivered, until ctx ended.
type ReleaseRefusedError struct {
	// Server is the server as last seen.
	Server *Server
	// Refusal is the API's last answer to the release.
	Refusal error
	// Err is why waiting stopped (the context's error).
	Err error
}

func (e *ReleaseRefusedError) Error() string {
	return fmt.Sprintf("the API refused to release server %s while it is %q (%v), and waiting for a status it can be released in stopped: %v",
		e.Server.UUID, e.Server.Status, e.Refusal, e.Err)
}

func (e *ReleaseRefusedError) Unwrap() error { return e.Err }

// ReleaseWhenAllowed releases a server, as Release does. Where the API refuses because the
// server is still being delivered (some APIs will not release a server while its hardware is
// being discovered or allocated), it waits for the next status, on the wait's usual cadence, and
// asks again, until the release is accepted or ctx ends (a *ReleaseRefusedError). Any other
// refusal is returned as it is. onRefused, if not nil, is told of each refusal it waits out.
func (s *ServersService) ReleaseWhenAllowed(ctx context.Context, uuid string, onRefused func(srv *Server, refusal error), onChange func(*Server)) (*Server, error) {
	for {
		released, err := s.Release(ctx, uuid)
		if err == nil || !IsValidation(err) {
			return released, err
		}
		srv, getErr := s.Get(ctx, uuid)
		if getErr != nil || !Delivering(srv.Status) {
			return nil, err
		}
		if onRefused != nil {
			onRefused(srv, err)
		}
		refused := srv.Status
		last, waitErr := s.waitFor(ctx, uuid, "a status other than "+refused, onChange, func(cur *Server, err error) (bool, error) {
			if err != nil {
				return false, err
			}
			return cur.Status != refused, nil
		})
		if waitErr != nil {
			if last == nil {
				last = srv
			}
			var wait *WaitError
			if errors.As(waitErr, &wait) && ctx.Err() != nil {
				return nil, &ReleaseRefusedError{Server: last, Refusal: err, Err: ctx.Err()}
			}
			return nil, waitErr
		}
	}
}
