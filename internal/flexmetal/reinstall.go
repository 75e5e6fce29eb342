package flexmetal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CommandTypeUpdateServer is the type of the command a reinstall (PATCH of a server) creates.
const CommandTypeUpdateServer = "update-server"

// States of a server command. Only these two are terminal; any other state means the command is
// still in progress.
const (
	CommandStateFinished = "finished"
	CommandStateFailed   = "failed"
)

// reinstalled is what a reinstall wait waits for, as named in its *WaitError.
const reinstalled = "reinstalled"

// Command is one asynchronous operation on a server, such as a reinstall.
type Command struct {
	UUID       string
	ServerUUID string
	State      string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Finished reports whether the command completed successfully.
func (c Command) Finished() bool { return strings.EqualFold(c.State, CommandStateFinished) }

// Failed reports whether the command ended in failure.
func (c Command) Failed() bool { return strings.EqualFold(c.State, CommandStateFailed) }

// Terminal reports whether the command has ended, successfully or not.
func (c Command) Terminal() bool { return c.Finished() || c.Failed() }

// commandWire is the commands endpoint's shape; unlike the rest of the API it is snake_case.
// The payload is not kept: it may echo what was sent, which callers already know.
type commandWire struct {
	UUID       string `json:"uuid"`
	ServerUUID string `json:"server_uuid"`
	State      string `json:"state"`
	// The timestamps only order commands, and the API's order is the fallback (see apiTime):
	// the API contract check (contract.go) accepts them absent.
	CreatedAt apiTime `json:"created_at" contract:"optional"`
	UpdatedAt apiTime `json:"updated_at" contract:"optional"`
}

func (w commandWire) toCommand() Command {
	return Command{UUID: w.UUID, ServerUUID: w.ServerUUID, State: w.State, CreatedAt: w.CreatedAt.Time, UpdatedAt: w.UpdatedAt.Time}
}

// apiTime reads a timestamp written as RFC 3339 text (the commands endpoint), as text without a
// zone (taken as UTC), or as Unix seconds (the rest of the API). null, "" and text it cannot
// read become the zero time rather than failing the whole answer: a timestamp only orders
// commands, and the API's own order is the fallback.
type apiTime struct{ time.Time }

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05"}

func (t *apiTime) UnmarshalJSON(data []byte) error {
	t.Time = time.Time{}
	data = bytes.TrimSpace(data)
	text := string(data)
	// An unreadable string is a zero time, not a failed call (see apiTime): text then keeps its
	// quotes, which no layout nor the number parse below accepts.
	if len(data) > 0 && data[0] == '"' && json.Unmarshal(data, &text) == nil {
		text = strings.TrimSpace(text)
		for _, layout := range timeLayouts {
			if parsed, err := time.Parse(layout, text); err == nil {
				t.Time = parsed.UTC()
				return nil
			}
		}
	}
	if secs, err := strconv.ParseFloat(text, 64); err == nil && secs > 0 && secs < 1<<40 {
		t.Time = time.Unix(int64(secs), 0).UTC()
	}
	return nil
}

// ReinstallServerRequest is the body of a reinstall (PATCH of a server), which erases the
// server's disks: the server keeps its UUID, location, instance type and addresses, and gets
// this name, operating system, keys and post-install script.
type ReinstallServerRequest struct {
	// Name is the new host name; empty leaves it out of the request.
	Name string `json:"name,omitempty"`
	// OS is the operating system to install, in the same shape as for a new server.
	OS OSRequest `json:"os"`
	// SSHKeys are public keys or stored key UUIDs. The API's sshKey field is always sent, as an
	// empty list when there are none (operating systems such as Talos or Windows need none).
	SSHKeys           []string `json:"sshKey"`
	PostInstallScript string   `json:"postInstallScript,omitempty"`
}

// MarshalJSON writes the request with sshKey as [] rather than null when there are no keys.
func (r ReinstallServerRequest) MarshalJSON() ([]byte, error) {
	type plain ReinstallServerRequest
	p := plain(r)
	if p.SSHKeys == nil {
		p.SSHKeys = []string{}
	}
	return json.Marshal(p)
}

func commandsPath(uuid string) string { return serverPath(uuid) + "/commands" }

// Commands returns a server's commands of one type (all types when commandType is empty), newest
// first.
func (s *ServersService) Commands(ctx context.Context, uuid, commandType string) ([]Command, error) {
	if uuid == "" {
		return nil, errors.New("server UUID must not be empty")
	}
	q := url.Values{}
	if commandType != "" {
		q.Set("type", commandType)
	}
	// Not paged: the API lists the newest first, and only the newest matters to callers.
	req := request{method: http.MethodGet, path: commandsPath(uuid), query: q, idempotent: true}
	wires, err := doList[commandWire](ctx, s.client, req)
	if err != nil {
		return nil, err
	}
	out := make([]Command, len(wires))
	dated := true
	for i, w := range wires {
		out[i] = w.toCommand()
		dated = dated && !out[i].CreatedAt.IsZero()
	}
	// The API lists the current command first; sort anyway in case an answer is not ordered, but
	// only when every command has a creation time, so the API's order decides otherwise.
	if dated {
		slices.SortStableFunc(out, func(a, b Command) int { return b.CreatedAt.Compare(a.CreatedAt) })
	}
	return out, nil
}

// newestCommand returns the server's newest update-server command, nil if it has none.
func (s *ServersService) newestCommand(ctx context.Context, uuid string) (*Command, error) {
	cmds, err := s.Commands(ctx, uuid, CommandTypeUpdateServer)
	if err != nil || len(cmds) == 0 {
		return nil, err
	}
	return &cmds[0], nil
}

// ReinstallInProgress reports whether the server's newest reinstall command has not ended yet,
// and returns that command (nil when the server was never reinstalled). A caller that finds one
// in progress must wait for it (WaitForReinstall) before reinstalling again; its UUID is also the
// sinceCommandID to pass to WaitForReinstall after a new Reinstall.
func (s *ServersService) ReinstallInProgress(ctx context.Context, uuid string) (bool, *Command, error) {
	cmd, err := s.newestCommand(ctx, uuid)
	if err != nil || cmd == nil {
		return false, nil, err
	}
	return !cmd.Terminal(), cmd, nil
}

// Reinstall replaces a server's operating system in place (PATCH), keeping the server. It does
// not wait; follow it with WaitForReinstall.
//
// A PATCH is never blindly re-sent: a second one would reinstall twice. Before sending, Reinstall
// notes the server's newest reinstall command (and refuses with a *ReinstallInProgressError when
// that command is still running). When an answer is lost (5xx, a reset connection, an unreadable
// body), a newer command in the list means the API acted and the reinstall is reported as
// accepted; no newer command means it did not, and the PATCH is sent again, within the retry
// policy. An *AmbiguousReinstallError means the command list could not be read to decide.
//
// The returned server is nil when the API accepted the reinstall but the server could not be
// read afterwards (an empty or lost answer followed by a failed GET).
func (s *ServersService) Reinstall(ctx context.Context, uuid string, in ReinstallServerRequest) (*Server, error) {
	if uuid == "" {
		return nil, errors.New("server UUID must not be empty")
	}
	before, err := s.newestCommand(ctx, uuid)
	if err != nil {
		return nil, fmt.Errorf("reading the reinstall commands of server %s before reinstalling it: %w", uuid, err)
	}
	if before != nil && !before.Terminal() {
		return nil, &ReinstallInProgressError{UUID: uuid, Command: before}
	}
	req := request{method: http.MethodPatch, path: serverPath(uuid), body: in}
	defer s.client.watch.invalidate()
	answerLost := false
	start := s.client.now()
	for attempt := 1; ; attempt++ {
		server, err := s.reinstallOnce(ctx, req, uuid)
		if err == nil {
			return server, nil
		}
		if !ambiguous(err) && !answerLost {
			return nil, err
		}
		// The API may have acted (on this attempt, or on an earlier one whose answer was lost
		// and that now makes it refuse a second reinstall): its command list tells.
		acted, lookupErr := s.reinstalledSince(ctx, uuid, before)
		switch {
		case lookupErr != nil:
			return nil, &AmbiguousReinstallError{UUID: uuid, Err: err, LookupErr: lookupErr}
		case acted:
			return s.serverAfterReinstall(ctx, uuid), nil
		case !ambiguous(err):
			return nil, err
		}
		answerLost = true
		// The API did not act, so sending again is as safe as an idempotent request.
		if !s.client.backOffBeforeResend(ctx, req, err, attempt, start) {
			return nil, err
		}
		// Look once more before sending again: a command list that lags behind a PATCH that did
		// happen must not turn into a second reinstall.
		if acted, lookupErr = s.reinstalledSince(ctx, uuid, before); lookupErr != nil {
			return nil, &AmbiguousReinstallError{UUID: uuid, Err: err, LookupErr: lookupErr}
		}
		if acted {
			return s.serverAfterReinstall(ctx, uuid), nil
		}
	}
}

func (s *ServersService) reinstallOnce(ctx context.Context, req request, uuid string) (*Server, error) {
	ws, err := doList[serverWire](ctx, s.client, req)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 || ws[0].UUID == "" {
		return s.serverAfterReinstall(ctx, uuid), nil
	}
	return ws[0].toServer(), nil
}

// reinstalledSince reports whether the server's newest reinstall command is not before, i.e.
// whether the API created one after before was read. Identity, not creation time, decides, so
// the API's and this machine's clocks need not agree.
func (s *ServersService) reinstalledSince(ctx context.Context, uuid string, before *Command) (bool, error) {
	newest, err := s.newestCommand(ctx, uuid)
	if err != nil {
		return false, err
	}
	return newest != nil && (before == nil || newest.UUID != before.UUID), nil
}

// serverAfterReinstall reads the server once the reinstall is known to be accepted; nil if that
// fails, since the reinstall itself succeeded.
func (s *ServersService) serverAfterReinstall(ctx context.Context, uuid string) *Server {
	srv, err := s.Get(ctx, uuid)
	if err != nil {
		return nil
	}
	return srv
}

// WaitForReinstall polls a server until its reinstall is done: its newest reinstall command is
// finished and the server is delivered. sinceCommandID is the newest command before the
// reinstall (from ReinstallInProgress); that command is ignored, so the wait does not end on it
// before the API lists the new one. Empty, the wait follows whatever command is newest, and a
// delivered server that was never reinstalled is done at once.
//
// It returns a *ReinstallFailedError when the command fails or the server becomes failed, and a
// *WaitError (carrying the last command seen) when ctx ends first or the server disappears or is
// released. progress, if not nil, sees every change of the server's status. Checks follow the
// same adaptive cadence as WaitForDelivery, and the server's status checks are shared with
// concurrent waits.
func (s *ServersService) WaitForReinstall(ctx context.Context, uuid, sinceCommandID string, progress func(*Server)) (*Server, error) {
	if uuid == "" {
		return nil, errors.New("server UUID must not be empty")
	}
	var current, lastSeen *Command
	probe := func(ctx context.Context) (*Server, error) {
		// The server first: waits wake on a shared grid, so their status checks meet in one
		// round; the command reads that follow are per server anyway.
		srv, err := s.client.watch.poll(ctx, uuid)
		if err != nil {
			return nil, err
		}
		cmd, err := s.newestCommand(ctx, uuid)
		if err != nil {
			return nil, err
		}
		current = nil
		if cmd != nil && cmd.UUID != sinceCommandID {
			current, lastSeen = cmd, cmd
			if cmd.Failed() {
				// The server was read before the command: read it again for the status message
				// the failure left.
				if fresh, err := s.Get(ctx, uuid); err == nil {
					srv = fresh
				}
			}
		}
		return srv, nil
	}
	srv, err := s.waitUntil(ctx, uuid, reinstalled, progress, probe, func(srv *Server, err error) (bool, error) {
		switch {
		case err != nil:
			return false, err
		case current != nil && current.Failed(), srv.Status == StatusFailed:
			return true, &ReinstallFailedError{Command: current, Server: srv}
		case srv.Status == StatusReleasing || srv.Status == StatusReleased:
			return true, &WaitError{UUID: uuid, Want: reinstalled, Last: srv, Err: errors.New("the server is being released")}
		case srv.Status != StatusDelivered:
			return false, nil
		case current != nil:
			return current.Finished(), nil
		}
		// No reinstall command to follow: done only if none was expected.
		return sinceCommandID == "", nil
	})
	if we := (*WaitError)(nil); errors.As(err, &we) && we.Command == nil {
		we.Command = lastSeen
	}
	return srv, err
}

// ReinstallFailedError means a reinstall ended in failure: its command failed, or the server
// became failed. Command is nil when the server failed before its command was listed.
type ReinstallFailedError struct {
	Command *Command
	Server  *Server
}

func (e *ReinstallFailedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "reinstalling server %s", e.Server.UUID)
	if e.Server.Name != "" {
		fmt.Fprintf(&b, " (%s)", e.Server.Name)
	}
	b.WriteString(" failed: ")
	if e.Command != nil {
		fmt.Fprintf(&b, "command %s is %q, ", e.Command.UUID, e.Command.State)
	}
	fmt.Fprintf(&b, "server status %q", e.Server.Status)
	msg := e.Server.StatusMessage
	if msg == "" {
		msg = "no status message"
	}
	fmt.Fprintf(&b, ": %s", msg)
	return b.String()
}

// ReinstallInProgressError means Reinstall found the server's previous reinstall still running
// and sent nothing; wait for Command with WaitForReinstall, then try again.
type ReinstallInProgressError struct {
	UUID    string
	Command *Command
}

func (e *ReinstallInProgressError) Error() string {
	return fmt.Sprintf("server %s is already being reinstalled (command %s is %q); wait for it to end before reinstalling again", e.UUID, e.Command.UUID, e.Command.State)
}

// AmbiguousReinstallError means a reinstall's answer was lost and the server's command list
// could not be read afterwards: the reinstall may or may not have started, and was not re-sent.
type AmbiguousReinstallError struct {
	UUID      string
	Err       error
	LookupErr error
}

func (e *AmbiguousReinstallError) Error() string {
	return fmt.Sprintf("%v; the reinstall of server %s may have started: reading its commands failed: %v", e.Err, e.UUID, e.LookupErr)
}

func (e *AmbiguousReinstallError) Unwrap() error { return e.Err }

func rootPasswordPath(uuid string) string { return serverPath(uuid) + "/rootPassword" }

type rootPasswordWire struct {
	RootPassword string `json:"rootPassword"`
}

// RootPassword returns the root password the API generated at installation (Windows only, and
// only within the first 24 hours). When there is none the error is an *APIError for which
// IsNotFound is true, whether the API answered 404 or an empty list. The request log carries no
// bodies, so the password never reaches it.
func (s *ServersService) RootPassword(ctx context.Context, uuid string) (string, error) {
	if uuid == "" {
		return "", errors.New("server UUID must not be empty")
	}
	req := request{method: http.MethodGet, path: rootPasswordPath(uuid), idempotent: true}
	items, err := doList[rootPasswordWire](ctx, s.client, req)
	if err != nil {
		return "", err
	}
	for _, it := range items {
		if it.RootPassword != "" {
			return it.RootPassword, nil
		}
	}
	return "", &APIError{StatusCode: http.StatusNotFound, Method: req.method, Path: req.path, Message: "the API returned no root password"}
}
