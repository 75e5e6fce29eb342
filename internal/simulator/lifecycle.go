package simulator

import (
	"fmt"
	"slices"
	"time"
)

// Server statuses, in the order a healthy server goes through them.
const (
	StatusCreated            = "created"
	StatusDiscovering        = "discovering"
	StatusDiscovered         = "discovered"
	StatusAllocating         = "allocating"
	StatusAllocated          = "allocated"
	StatusConfiguringNetwork = "configuring_network"
	StatusNetworkConfigured  = "network_configured"
	StatusProvisioning       = "provisioning"
	StatusProvisioned        = "provisioned"
	StatusDelivered          = "delivered"
	StatusFailed             = "failed"
	StatusReleasing          = "releasing"
	StatusReleased           = "released"
)

// StatusMessageOK is the statusMessage of a server with nothing to report.
const StatusMessageOK = "OK"

// FailureMessage is the statusMessage of a server failed by Config.FailNamePattern.
const FailureMessage = "Provisioning failed: disk controller error"

// progression is the delivery path; a server spends one StepDuration at each index.
var progression = []string{
	StatusCreated, StatusDiscovering, StatusDiscovered, StatusAllocating, StatusAllocated,
	StatusConfiguringNetwork, StatusNetworkConfigured, StatusProvisioning, StatusProvisioned,
	StatusDelivered,
}

var stepOf = func() map[string]int {
	m := map[string]int{}
	for i, st := range progression {
		m[st] = i
	}
	return m
}()

const (
	stepNetworkConfigured = 6
	stepProvisioning      = 7
	stepProvisioned       = 8
	stepDelivered         = 9
)

// Statuses returns every status a server can have, delivery path first.
func Statuses() []string {
	return append(append([]string(nil), progression...), StatusFailed, StatusReleasing, StatusReleased)
}

func knownStatus(st string) bool {
	_, ok := stepOf[st]
	return ok || st == StatusFailed || st == StatusReleasing || st == StatusReleased
}

// pin is a status forced by ForceStatus, with what the server had accumulated by then.
type pin struct {
	status, message string
	at              time.Time
	deliveredAt     *time.Time
	network         bool
}

// state is a server's status at one instant. It is derived, never stored, so reads at any
// clock time agree without a background ticker.
type state struct {
	status, message string
	deliveredAt     *time.Time
	releasedAt      *time.Time
	// terminalAt starts the retention period (failure or release).
	terminalAt *time.Time
	// network reports whether the server has its IP addresses.
	network bool
}

// stateAt computes the status at now, applying a release on top of whatever the server had
// reached when the release started.
func (s *Simulator) stateAt(sv *server, now time.Time) state {
	if sv.releaseStartedAt == nil {
		return s.progressAt(sv, now)
	}
	t0 := *sv.releaseStartedAt
	base := s.progressAt(sv, t0)
	done := t0.Add(s.cfg.ReleaseDuration)
	if now.Before(done) {
		return state{status: StatusReleasing, message: StatusMessageOK, deliveredAt: base.deliveredAt, network: base.network}
	}
	return state{status: StatusReleased, message: StatusMessageOK, deliveredAt: base.deliveredAt, releasedAt: &done, terminalAt: &done}
}

// progressAt is the delivery lifecycle alone, ignoring release: a forced status, else the
// latest reinstall, else the delivery that began at creation. A reinstall clears the pin, so a
// pin present is always the newer of the two.
func (s *Simulator) progressAt(sv *server, at time.Time) state {
	if p := sv.pin; p != nil {
		st := state{status: p.status, message: p.message, deliveredAt: p.deliveredAt, network: p.network}
		if p.status == StatusFailed || p.status == StatusReleased {
			st.terminalAt = &p.at
		}
		if p.status == StatusReleased {
			st.releasedAt = &p.at
		}
		return st
	}
	if ri := sv.latestReinstall(at); ri != nil {
		return s.reinstallAt(ri, at).server
	}
	step := stepDelivered
	if d := s.cfg.StepDuration; d > 0 {
		elapsed := max(at.Sub(sv.createdAt), 0)
		step = int(min(elapsed/d, stepDelivered))
	}
	stepStart := func(i int) *time.Time {
		t := sv.createdAt.Add(time.Duration(i) * s.cfg.StepDuration)
		return &t
	}
	switch {
	case sv.stuck && step > stepProvisioning:
		step = stepProvisioning
	case sv.fails && step >= stepProvisioned:
		t := stepStart(stepProvisioned)
		return state{status: StatusFailed, message: FailureMessage, terminalAt: t, network: true}
	}
	st := state{status: progression[step], message: StatusMessageOK, network: step >= stepNetworkConfigured}
	if step == stepDelivered {
		st.deliveredAt = stepStart(stepDelivered)
	}
	return st
}

func (s *Simulator) visible(sv *server, now time.Time) bool {
	st := s.stateAt(sv, now)
	return st.terminalAt == nil || now.Before(st.terminalAt.Add(s.cfg.Retention))
}

// startRelease is the shared rule for DELETE and ReleaseServer: releasing is idempotent,
// released is final, and Config.UnreleasableStatuses refuse. Caller holds s.mu.
func (s *Simulator) startRelease(sv *server, now time.Time) error {
	switch status := s.stateAt(sv, now).status; {
	case status == StatusReleasing:
		return nil
	case status == StatusReleased:
		return invalidState("server is already released")
	case slices.Contains(s.cfg.UnreleasableStatuses, status):
		return invalidState("Server cannot be released while " + status)
	}
	s.interruptReinstall(sv, now)
	sv.releaseStartedAt = &now
	return nil
}

// forceStatus pins a status, carrying over what the server already had: a delivered server
// keeps its deliveredAt, and one with addresses keeps them unless it is forced to released.
func (s *Simulator) forceStatus(sv *server, status, message string, now time.Time) error {
	if !knownStatus(status) {
		return &APIError{Status: 422, Code: ErrCodeValidation, Message: "Validation failed",
			Details: []ErrorDetail{{Property: "status", Message: fmt.Sprintf("unknown status %q", status)}}}
	}
	if message == "" {
		message = StatusMessageOK
	}
	cur := s.stateAt(sv, now)
	p := &pin{status: status, message: message, at: now, deliveredAt: cur.deliveredAt, network: cur.network}
	if step, ok := stepOf[status]; ok {
		p.network = step >= stepNetworkConfigured
	}
	if status == StatusDelivered && p.deliveredAt == nil {
		p.deliveredAt = &now
	}
	if status == StatusReleased {
		p.network = false
	}
	s.interruptReinstall(sv, now)
	sv.pin = p
	sv.releaseStartedAt = nil
	return nil
}
