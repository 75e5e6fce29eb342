package simulator

import (
	"slices"
	"time"
)

// ServerSnapshot is a server as seen by Go code: its current status plus everything the
// create request carried, including what the API never echoes back (SSH keys, script,
// partitions), so tests can check what a client actually sent.
type ServerSnapshot struct {
	UUID, Name, Status, StatusMessage string
	// Location and InstanceType are names.
	Location, InstanceType, OSSlug string
	Tags                           []string
	// IPAddresses is empty until the server reaches network_configured.
	IPAddresses []string
	CreatedAt   time.Time
	DeliveredAt *time.Time
	ReleasedAt  *time.Time
	// ContractID is "" when the request carried none.
	ContractID string
	Overflow   bool
	// SSHKeys are the request's entries as sent: public keys or stored key uuids.
	SSHKeys           []string
	PostInstallScript string
	KernelParams      []KernelParam
	Partitions        []Partition
	IPXEScriptURL     string
}

func (s *Simulator) snapshot(sv *server, now time.Time) ServerSnapshot {
	st := s.stateAt(sv, now)
	snap := ServerSnapshot{
		UUID:              sv.uuid,
		Name:              sv.name,
		Status:            st.status,
		StatusMessage:     st.message,
		Location:          sv.location.Name,
		InstanceType:      sv.instanceType.Name,
		OSSlug:            sv.os.Slug,
		Tags:              append([]string{}, sv.tags...),
		IPAddresses:       []string{},
		CreatedAt:         sv.createdAt,
		DeliveredAt:       copyTime(st.deliveredAt),
		ReleasedAt:        copyTime(st.releasedAt),
		ContractID:        sv.contractID,
		Overflow:          sv.overflow,
		SSHKeys:           slices.Clone(sv.sshKeys),
		PostInstallScript: sv.postInstallScript,
		KernelParams:      slices.Clone(sv.os.KernelParams),
		Partitions:        slices.Clone(sv.os.Partitions),
		IPXEScriptURL:     sv.os.IPXEScriptURL,
	}
	if st.network {
		snap.IPAddresses = slices.Clone(sv.ips)
	}
	return snap
}

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// Servers returns every server the API would still list (failed and released ones until
// their retention ends), in list order, with their current status.
func (s *Simulator) Servers() []ServerSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var out []ServerSnapshot
	for _, sv := range s.visibleServers(now) {
		out = append(out, s.snapshot(sv, now))
	}
	return out
}

// withServer runs fn on a server the API would still answer for, holding s.mu, at one instant.
// A missing server (or one past retention) is the error, as the API's 404 *APIError.
func (s *Simulator) withServer(uuid string, fn func(sv *server, now time.Time) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	sv, err := s.lookup(uuid, now)
	if err != nil {
		return err
	}
	return fn(sv, now)
}

// Server returns one server, or false if it does not exist or its retention has ended.
func (s *Simulator) Server(uuid string) (ServerSnapshot, bool) {
	var snap ServerSnapshot
	err := s.withServer(uuid, func(sv *server, now time.Time) error {
		snap = s.snapshot(sv, now)
		return nil
	})
	return snap, err == nil
}

// AddServer creates a server without HTTP, with the same validation as POST, e.g. to seed
// hundreds of servers for a benchmark. A zero OS counts as a missing os object. The error is
// an *APIError.
func (s *Simulator) AddServer(req CreateServerRequest) (ServerSnapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	sv, err := s.create(req, !isZeroOS(req.OS), now)
	if err != nil {
		return ServerSnapshot{}, err
	}
	return s.snapshot(sv, now), nil
}

// ReleaseServer starts releasing a server out of band, as if someone used the console. Like
// DELETE it is a no-op for a releasing server and an ErrInvalidState error for a released one.
func (s *Simulator) ReleaseServer(uuid string) error {
	return s.withServer(uuid, s.startRelease)
}

// RemoveServer makes a server vanish at once, without passing through released: the API
// answers 404 for it from now on.
func (s *Simulator) RemoveServer(uuid string) error {
	return s.withServer(uuid, func(*server, time.Time) error {
		delete(s.servers, uuid)
		return nil
	})
}

// SetServerTags replaces a server's tags out of band, with the create request's tag rules
// (duplicates collapsed, format, at most MaxTags).
func (s *Simulator) SetServerTags(uuid string, tags []string) error {
	return s.withServer(uuid, func(sv *server, _ time.Time) error {
		var v validationErrors
		deduped := validateTags(tags, &v)
		if err := v.err(); err != nil {
			return err
		}
		sv.tags = deduped
		s.registerTags(deduped)
		return nil
	})
}

// Unstick lets a server chosen by the stuck rule go on with its delivery, and its reinstalls go
// on with theirs, on the clock from when they began: as if the hold-up cleared. It is a no-op for
// a server that nothing holds up.
func (s *Simulator) Unstick(uuid string) error {
	return s.withServer(uuid, func(sv *server, _ time.Time) error {
		sv.stuck = false
		for _, ri := range sv.reinstalls {
			ri.stuck = false
		}
		return nil
	})
}

// ForceStatus pins a server's status and message (message "" means "OK"), stopping the lazy
// progression. A later release starts the normal release lifecycle from the pinned status;
// forcing "releasing" pins it there, and forcing "failed" or "released" starts the retention
// period now. Forcing a status also cancels a release in progress.
func (s *Simulator) ForceStatus(uuid, status, message string) error {
	return s.withServer(uuid, func(sv *server, now time.Time) error {
		return s.forceStatus(sv, status, message, now)
	})
}

func isZeroOS(o OSRequest) bool {
	return o.Slug == "" && o.IPXEScriptURL == "" && len(o.KernelParams) == 0 && len(o.Partitions) == 0
}

// ReinstallSnapshot is one accepted reinstall (PATCH) as seen by Go code: what the request
// carried, including what the API never echoes back, and its command's state now.
type ReinstallSnapshot struct {
	// CommandUUID is the uuid of its update-server command.
	CommandUUID string
	// Name, OS, SSHKeys and PostInstallScript are the request's, as sent.
	Name              string
	OS                OSRequest
	SSHKeys           []string
	PostInstallScript string
	// RequestedAt is when the simulator accepted it; UpdatedAt when its command last changed
	// state.
	RequestedAt, UpdatedAt time.Time
	// State is the command's state: one of the Command constants.
	State string
}

func (s *Simulator) reinstallSnapshot(ri *reinstall, now time.Time) ReinstallSnapshot {
	p := s.reinstallAt(ri, now)
	return ReinstallSnapshot{
		CommandUUID:       ri.commandUUID,
		Name:              ri.req.Name,
		OS:                ri.req.OS.clone(),
		SSHKeys:           slices.Clone(ri.req.SSHKey),
		PostInstallScript: ri.req.PostInstallScript,
		RequestedAt:       ri.at,
		UpdatedAt:         p.updatedAt,
		State:             p.command,
	}
}

// Reinstalls returns the reinstalls accepted for a server, oldest first: empty when there
// were none or the server does not exist. A server past retention still answers, so a test
// can check what a failed reinstall was sent.
func (s *Simulator) Reinstalls(uuid string) []ReinstallSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := []ReinstallSnapshot{}
	if sv, ok := s.servers[uuid]; ok {
		for _, ri := range sv.reinstalls {
			out = append(out, s.reinstallSnapshot(ri, now))
		}
	}
	return out
}

// LastReinstall returns the most recent reinstall accepted for a server, or false if there was
// none.
func (s *Simulator) LastReinstall(uuid string) (ReinstallSnapshot, bool) {
	all := s.Reinstalls(uuid)
	if len(all) == 0 {
		return ReinstallSnapshot{}, false
	}
	return all[len(all)-1], true
}

// ReinstallServer reinstalls a server without HTTP, as PATCH /v3/flexMetal/servers/{uuid}
// would, with the same validation and state rule. An empty Name keeps the server's name and a
// zero OS counts as a missing os object. The error is an *APIError. It is not counted by
// CountPatches.
func (s *Simulator) ReinstallServer(uuid string, req ReinstallServerRequest) (ServerSnapshot, error) {
	var snap ServerSnapshot
	err := s.withServer(uuid, func(sv *server, now time.Time) error {
		if err := s.reinstall(sv, req, req.Name != "", !isZeroOS(req.OS), now); err != nil {
			return err
		}
		snap = s.snapshot(sv, now)
		return nil
	})
	return snap, err
}

// RootPassword returns the root password of a server's current installation, whether or not
// the API would still hand it out, or false if the server does not exist or its operating
// system is not Windows. Each installation, reinstalls included, gets a new random one.
func (s *Simulator) RootPassword(uuid string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv, ok := s.servers[uuid]
	if !ok || sv.rootPassword == "" {
		return "", false
	}
	return sv.rootPassword, true
}

// Tags returns the account's tags by name with the number of servers carrying each, as
// GET /v3/flexMetal/tags lists them.
func (s *Simulator) Tags() []Tag {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Tag{}, s.sortedTags(s.now())...)
}

// CreateTag adds a tag to the account, as POST /v3/flexMetal/tags would: ErrValidation for a
// malformed name, ErrConflict if it exists.
func (s *Simulator) CreateTag(tag string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createTag(tag)
}
