package simulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// ReinstallServerRequest is the body of PATCH /v3/flexMetal/servers/{uuid}: the installation
// part of a create request. Location, instance type, contract and tags cannot change. A
// request without a name keeps the server's; a blank one is refused.
type ReinstallServerRequest struct {
	Name              string    `json:"name"`
	OS                OSRequest `json:"os"`
	SSHKey            []string  `json:"sshKey"`
	PostInstallScript string    `json:"postInstallScript,omitempty"`
}

// CommandTypeUpdateServer is the type of the command a reinstall creates, the value of the
// commands endpoint's type query parameter.
const CommandTypeUpdateServer = "update-server"

// Command states. A command is queued for one step, running until it ends, and ends finished
// or failed.
const (
	CommandQueued   = "queued"
	CommandRunning  = "running"
	CommandFinished = "finished"
	CommandFailed   = "failed"
)

// ReinstallFailureMessage is the statusMessage of a server whose reinstall failed by
// Config.ReinstallFailNamePattern or Config.ReinstallFailKeepNamePattern.
const ReinstallFailureMessage = "Reinstall failed: operating system installation error"

// CommandResponse is the wire form of a server command. Unlike the rest of the API its field
// names are snake_case and its times RFC 3339 strings.
type CommandResponse struct {
	UUID       string            `json:"uuid"`
	ServerUUID string            `json:"server_uuid"`
	Payload    []json.RawMessage `json:"payload"`
	State      string            `json:"state"`
	CreatedAt  string            `json:"created_at"`
	UpdatedAt  string            `json:"updated_at"`
}

// commandTimeLayout writes UTC as "+00:00", as the API does, rather than "Z".
const commandTimeLayout = "2006-01-02T15:04:05-07:00"

// A reinstall spends one StepDuration at each step before the last: the command queued, then
// running while the server is provisioning and then provisioned, then finished.
const (
	reinstallStepRunning     = 1
	reinstallStepProvisioned = 2
	reinstallStepDone        = 3
)

// reinstall is one accepted PATCH and its update-server command. Its outcome is decided when
// it is accepted, like a server's at creation.
type reinstall struct {
	commandUUID string
	at          time.Time
	req         ReinstallServerRequest
	// prevDeliveredAt is the server's deliveredAt when the reinstall began, kept while it runs
	// and after it fails.
	prevDeliveredAt    *time.Time
	stuck, fails, keep bool
	// interruptedAt is when a release or ForceStatus cut the command short; it reads failed
	// from then on.
	interruptedAt *time.Time
}

// reinstallProgress is a reinstall at one instant: the server's state and its command's.
type reinstallProgress struct {
	server    state
	command   string
	updatedAt time.Time
}

func commandDone(state string) bool { return state == CommandFinished || state == CommandFailed }

// reinstallAt derives a reinstall's progress from the clock, as progressAt does for delivery.
// The server keeps its addresses throughout.
func (s *Simulator) reinstallAt(ri *reinstall, at time.Time) reinstallProgress {
	d := s.cfg.ReinstallStepDuration
	step := reinstallStepDone
	if d > 0 {
		step = int(min(max(at.Sub(ri.at), 0)/d, reinstallStepDone))
	}
	stepStart := func(i int) time.Time { return ri.at.Add(time.Duration(i) * d) }
	busy := func(status, command string, since int) reinstallProgress {
		return reinstallProgress{
			server:    state{status: status, message: StatusMessageOK, deliveredAt: ri.prevDeliveredAt, network: true},
			command:   command,
			updatedAt: stepStart(since),
		}
	}
	var p reinstallProgress
	switch {
	case step == 0:
		p = busy(StatusProvisioning, CommandQueued, 0)
	case ri.stuck || step == reinstallStepRunning:
		p = busy(StatusProvisioning, CommandRunning, reinstallStepRunning)
	case ri.keep:
		p = busy(StatusDelivered, CommandFailed, reinstallStepProvisioned)
		p.server.message = ReinstallFailureMessage
	case ri.fails:
		p = busy(StatusFailed, CommandFailed, reinstallStepProvisioned)
		p.server.message = ReinstallFailureMessage
		p.server.terminalAt = &p.updatedAt
	case step == reinstallStepProvisioned:
		p = busy(StatusProvisioned, CommandRunning, reinstallStepRunning)
	default:
		p = busy(StatusDelivered, CommandFinished, reinstallStepDone)
		p.server.deliveredAt = &p.updatedAt
	}
	if ri.interruptedAt != nil && !at.Before(*ri.interruptedAt) {
		p.command, p.updatedAt = CommandFailed, *ri.interruptedAt
	}
	return p
}

// latestReinstall is the last reinstall begun by at, or nil.
func (sv *server) latestReinstall(at time.Time) *reinstall {
	for i := len(sv.reinstalls) - 1; i >= 0; i-- {
		if !sv.reinstalls[i].at.After(at) {
			return sv.reinstalls[i]
		}
	}
	return nil
}

// interruptReinstall fails the command of a reinstall still in progress, because a release or
// a forced status ends it. Caller holds s.mu.
func (s *Simulator) interruptReinstall(sv *server, now time.Time) {
	ri := sv.latestReinstall(now)
	if ri == nil || ri.interruptedAt != nil || commandDone(s.reinstallAt(ri, now).command) {
		return
	}
	ri.interruptedAt = &now
}

// reinstall validates a PATCH body with the create request's rules, then starts the
// reinstall: the server takes the new name, os, keys and script at once and goes through the
// reinstall lifecycle. nameGiven and osGiven say whether the body had those properties.
// Caller holds s.mu.
func (s *Simulator) reinstall(sv *server, req ReinstallServerRequest, nameGiven, osGiven bool, now time.Time) error {
	var v validationErrors
	if nameGiven {
		validateName(req.Name, &v)
	} else {
		req.Name = sv.name
	}
	s.validateInstall(req.OS, osGiven, req.SSHKey, &v)
	if err := v.err(); err != nil {
		return err
	}
	cur := s.stateAt(sv, now)
	if cur.status != StatusDelivered {
		return invalidState(fmt.Sprintf("server is %s; only a delivered server can be reinstalled", cur.status))
	}
	keep := s.cfg.ReinstallFailKeepNamePattern.MatchString(req.Name)
	ri := &reinstall{
		commandUUID:     s.uuids.next(now),
		at:              now,
		req:             ReinstallServerRequest{Name: req.Name, OS: req.OS.clone(), SSHKey: slices.Clone(req.SSHKey), PostInstallScript: req.PostInstallScript},
		prevDeliveredAt: cur.deliveredAt,
		stuck:           s.stuckRE.MatchString(req.Name),
		keep:            keep,
		fails:           !keep && s.cfg.ReinstallFailNamePattern.MatchString(req.Name),
	}
	sv.name = req.Name
	sv.os = req.OS.clone()
	sv.sshKeys = slices.Clone(req.SSHKey)
	sv.postInstallScript = req.PostInstallScript
	sv.rootPassword = s.newRootPassword(req.OS.Slug)
	// The reinstall takes over from a forced status, as a new lifecycle.
	sv.pin = nil
	sv.reinstalls = append(sv.reinstalls, ri)
	return nil
}

func (s *Simulator) command(sv *server, ri *reinstall, now time.Time) CommandResponse {
	p := s.reinstallAt(ri, now)
	return CommandResponse{
		UUID:       ri.commandUUID,
		ServerUUID: sv.uuid,
		Payload:    []json.RawMessage{},
		State:      p.command,
		CreatedAt:  ri.at.UTC().Format(commandTimeLayout),
		UpdatedAt:  p.updatedAt.UTC().Format(commandTimeLayout),
	}
}

func (s *Simulator) reinstallServer(c *call, sv *server) response {
	var req ReinstallServerRequest
	if err := decodeJSON(c.body, &req, true); err != nil {
		return errorResponse(err)
	}
	if err := s.reinstall(sv, req, present(c.body, "name"), present(c.body, "os"), c.now); err != nil {
		return errorResponse(err)
	}
	return one(s.wire(sv, c.now))
}

// listCommands answers newest first, the order in which the official provider takes the
// first element as the current command. Every command is an update-server one, so another
// type matches none.
func (s *Simulator) listCommands(c *call, sv *server) response {
	p, err := s.requestedPage(c)
	if err != nil {
		return errorResponse(err)
	}
	var out []CommandResponse
	if typ := c.r.URL.Query().Get("type"); typ == "" || typ == CommandTypeUpdateServer {
		for i := len(sv.reinstalls) - 1; i >= 0; i-- {
			out = append(out, s.command(sv, sv.reinstalls[i], c.now))
		}
	}
	return list(paginate(out, p))
}
