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

// Server returns one server, or false if it does not exist or its retention has ended.
func (s *Simulator) Server(uuid string) (ServerSnapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	sv, err := s.lookup(uuid, now)
	if err != nil {
		return ServerSnapshot{}, false
	}
	return s.snapshot(sv, now), true
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
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	sv, err := s.lookup(uuid, now)
	if err != nil {
		return err
	}
	return s.startRelease(sv, now)
}

// RemoveServer makes a server vanish at once, without passing through released: the API
// answers 404 for it from now on.
func (s *Simulator) RemoveServer(uuid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.lookup(uuid, s.now()); err != nil {
		return err
	}
	delete(s.servers, uuid)
	return nil
}

// SetServerTags replaces a server's tags out of band, with the create request's tag rules
// (duplicates collapsed, format, at most MaxTags).
func (s *Simulator) SetServerTags(uuid string, tags []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv, err := s.lookup(uuid, s.now())
	if err != nil {
		return err
	}
	var v validationErrors
	deduped := validateTags(tags, &v)
	if err := v.err(); err != nil {
		return err
	}
	sv.tags = deduped
	return nil
}

// ForceStatus pins a server's status and message (message "" means "OK"), stopping the lazy
// progression. A later release starts the normal release lifecycle from the pinned status;
// forcing "releasing" pins it there, and forcing "failed" or "released" starts the retention
// period now. Forcing a status also cancels a release in progress.
func (s *Simulator) ForceStatus(uuid, status, message string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	sv, err := s.lookup(uuid, now)
	if err != nil {
		return err
	}
	return s.forceStatus(sv, status, message, now)
}

func isZeroOS(o OSRequest) bool {
	return o.Slug == "" && o.IPXEScriptURL == "" && len(o.KernelParams) == 0 && len(o.Partitions) == 0
}
