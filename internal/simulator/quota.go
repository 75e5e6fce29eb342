package simulator

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Quota types of QuotaUsage.
const (
	QuotaTypeOnDemand = "onDemand"
	QuotaTypeCommit   = "commit"
)

// QuotaKey names a location and an instance type by name. An empty Location means every
// location (see Config.OnDemandQuota).
type QuotaKey struct {
	Location, InstanceType string
}

// CapacityCommit is a committed capacity pool: Capacity servers of an instance type at a
// location, reserved under a contract.
type CapacityCommit struct {
	ContractID, Location, InstanceType string
	Capacity                           int
}

// QuotaUsageResponse is one location of GET /v3/flexMetal/quota/usage.
type QuotaUsageResponse struct {
	Location   LocationRef  `json:"location"`
	QuotaUsage []QuotaUsage `json:"quotaUsage"`
}

// QuotaUsage is one quota at a location: the on-demand quota of an instance type (ContractID
// "") or one committed pool.
type QuotaUsage struct {
	InstanceType InstanceTypeRef `json:"instanceType"`
	QuotaType    string          `json:"quotaType"`
	ContractID   string          `json:"contractId"`
	Quota        int             `json:"quota"`
	Usage        int             `json:"usage"`
}

// CapacityCommitResponse is one location of GET /v3/flexMetal/capacity/commit.
type CapacityCommitResponse struct {
	Location Location             `json:"location"`
	Commits  []InstanceTypeCommit `json:"commits"`
}

// InstanceTypeCommit is the committed capacity of one instance type at a location, summed over
// its contracts.
type InstanceTypeCommit struct {
	InstanceType InstanceType `json:"instanceType"`
	Capacity     int          `json:"capacity"`
	InUse        int          `json:"inUse"`
}

// ParseOnDemandQuota reads the command line form of an on-demand quota:
// "LOCATION/INSTANCE_TYPE=N", or "INSTANCE_TYPE=N" for every location, e.g.
// "EU: Rotterdam/bm7.std.8=2". Names must exist in the seeded catalog.
func ParseOnDemandQuota(spec string) (QuotaKey, int, error) {
	key, n, err := parseQuotaSpec(spec)
	if err != nil {
		return QuotaKey{}, 0, fmt.Errorf("quota %q: %w", spec, err)
	}
	return key, n, nil
}

// ParseCapacityCommit reads the command line form of a committed pool:
// "LOCATION/INSTANCE_TYPE=N@CONTRACT", e.g. "EU: Rotterdam/bm7.std.8=4@MY-CONTRACT-1".
func ParseCapacityCommit(spec string) (CapacityCommit, error) {
	rest, contract, ok := cutLast(spec, "@")
	if !ok || contract == "" || !contractIDPattern.MatchString(contract) {
		return CapacityCommit{}, fmt.Errorf("commit %q: want LOCATION/INSTANCE_TYPE=N@CONTRACT, the contract matching %s", spec, contractIDPattern)
	}
	key, n, err := parseQuotaSpec(rest)
	if err == nil && key.Location == "" {
		err = errors.New("a commit needs a location: LOCATION/INSTANCE_TYPE=N@CONTRACT")
	}
	if err != nil {
		return CapacityCommit{}, fmt.Errorf("commit %q: %w", spec, err)
	}
	return CapacityCommit{ContractID: contract, Location: key.Location, InstanceType: key.InstanceType, Capacity: n}, nil
}

func parseQuotaSpec(spec string) (QuotaKey, int, error) {
	pair, count, ok := cutLast(spec, "=")
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if !ok || err != nil || n < 0 {
		return QuotaKey{}, 0, errors.New("want [LOCATION/]INSTANCE_TYPE=N with N >= 0")
	}
	var key QuotaKey
	if loc, it, found := strings.Cut(pair, "/"); found {
		key = QuotaKey{Location: strings.TrimSpace(loc), InstanceType: strings.TrimSpace(it)}
	} else {
		key = QuotaKey{InstanceType: strings.TrimSpace(pair)}
	}
	if !isHardware(key.InstanceType) {
		return QuotaKey{}, 0, fmt.Errorf("unknown instance type %q", key.InstanceType)
	}
	if key.Location == "" {
		return key, n, nil
	}
	loc, ok := defaultCatalog.locationByName[key.Location]
	if !ok {
		return QuotaKey{}, 0, fmt.Errorf("unknown location %q", key.Location)
	}
	if _, ok := defaultCatalog.instanceTypeAt(loc.ID, key.InstanceType); !ok {
		return QuotaKey{}, 0, fmt.Errorf("instance type %q is not available at %q", key.InstanceType, key.Location)
	}
	return key, n, nil
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// onDemandQuota is the configured quota of a pair: its own entry, else its instance type's,
// else DefaultOnDemandQuota.
func (s *Simulator) onDemandQuota(location, instanceType string) int {
	if n, ok := s.cfg.OnDemandQuota[QuotaKey{Location: location, InstanceType: instanceType}]; ok {
		return max(n, 0)
	}
	if n, ok := s.cfg.OnDemandQuota[QuotaKey{InstanceType: instanceType}]; ok {
		return max(n, 0)
	}
	return DefaultOnDemandQuota
}

// occupies reports whether a server counts against quota or commit: failed and released
// servers do not. Caller holds s.mu.
func (s *Simulator) occupies(sv *server, now time.Time) bool {
	st := s.stateAt(sv, now).status
	return st != StatusFailed && st != StatusReleased
}

// inUse counts the occupying servers of a pair: on-demand ones when contract is "", else those
// in that contract's pool. Caller holds s.mu.
func (s *Simulator) inUse(location, instanceType, contract string, now time.Time) int {
	n := 0
	for _, sv := range s.servers {
		if sv.location.Name != location || sv.instanceType.Name != instanceType {
			continue
		}
		if sv.committed != (contract != "") || (contract != "" && sv.contractID != contract) {
			continue
		}
		if s.occupies(sv, now) {
			n++
		}
	}
	return n
}

// placement is where an order goes: a committed pool or on-demand quota.
type placement struct {
	contractID string
	committed  bool
}

// place decides where a validated order goes, as the guide describes: the committed pool
// first (the named contract's, or any at the pair when none is named), then on-demand
// capacity, which needs overflow when the pair has committed capacity. Without any
// Config.CapacityCommits a contract id is stored as sent and the server is on-demand. Caller
// holds s.mu.
func (s *Simulator) place(loc Location, it InstanceType, contractID *string, overflow bool, now time.Time) (placement, error) {
	want := ""
	if contractID != nil {
		want = *contractID
	}
	var pools []CapacityCommit
	for _, cc := range s.cfg.CapacityCommits {
		if cc.Location == loc.Name && cc.InstanceType == it.Name && (want == "" || cc.ContractID == want) {
			pools = append(pools, cc)
		}
	}
	if want != "" && len(s.cfg.CapacityCommits) > 0 && len(pools) == 0 {
		return placement{}, validationError("contractId", "no capacity commit under contract %s for %s at %s", want, it.Name, loc.Name)
	}
	for _, cc := range pools {
		if s.inUse(loc.Name, it.Name, cc.ContractID, now) < cc.Capacity {
			return placement{contractID: cc.ContractID, committed: true}, nil
		}
	}
	if len(pools) > 0 && !overflow {
		return placement{}, quotaExceeded("overflow", "Committed capacity exceeded",
			"the committed capacity for %s at %s is in use; set overflow to order on-demand capacity", it.Name, loc.Name)
	}
	quota := s.onDemandQuota(loc.Name, it.Name)
	if used := s.inUse(loc.Name, it.Name, "", now); used >= quota {
		return placement{}, quotaExceeded("instanceType", "On-demand quota exceeded",
			"the on-demand quota for %s at %s is %d and %d are in use; release a server or ask for a higher quota", it.Name, loc.Name, quota, used)
	}
	return placement{contractID: want}, nil
}

func quotaExceeded(property, message, format string, args ...any) *APIError {
	return &APIError{Status: http.StatusUnprocessableEntity, Code: ErrCodeQuotaExceeded, Message: message,
		Details: []ErrorDetail{{Property: property, Message: fmt.Sprintf(format, args...)}}}
}

// quotaUsage lists every location with the on-demand quota of each instance type available
// there, followed by its committed pools. Caller holds s.mu.
func (s *Simulator) quotaUsage(now time.Time) []QuotaUsageResponse {
	var out []QuotaUsageResponse
	for _, loc := range s.catalog.locations {
		entry := QuotaUsageResponse{Location: LocationRef{ID: loc.ID, Name: loc.Name}, QuotaUsage: []QuotaUsage{}}
		for _, it := range s.catalog.instanceTypes[loc.ID] {
			ref := InstanceTypeRef{ID: it.ID, Name: it.Name}
			entry.QuotaUsage = append(entry.QuotaUsage, QuotaUsage{
				InstanceType: ref, QuotaType: QuotaTypeOnDemand,
				Quota: s.onDemandQuota(loc.Name, it.Name), Usage: s.inUse(loc.Name, it.Name, "", now),
			})
			for _, cc := range s.cfg.CapacityCommits {
				if cc.Location == loc.Name && cc.InstanceType == it.Name {
					entry.QuotaUsage = append(entry.QuotaUsage, QuotaUsage{
						InstanceType: ref, QuotaType: QuotaTypeCommit, ContractID: cc.ContractID,
						Quota: cc.Capacity, Usage: s.inUse(loc.Name, it.Name, cc.ContractID, now),
					})
				}
			}
		}
		out = append(out, entry)
	}
	return out
}

// capacityCommits lists the locations with committed capacity, summing each instance type's
// pools. Caller holds s.mu.
func (s *Simulator) capacityCommits(now time.Time) []CapacityCommitResponse {
	var out []CapacityCommitResponse
	for _, loc := range s.catalog.locations {
		var commits []InstanceTypeCommit
		for _, it := range s.catalog.instanceTypes[loc.ID] {
			c := InstanceTypeCommit{InstanceType: it}
			for _, cc := range s.cfg.CapacityCommits {
				if cc.Location == loc.Name && cc.InstanceType == it.Name {
					c.Capacity += cc.Capacity
					c.InUse += s.inUse(loc.Name, it.Name, cc.ContractID, now)
				}
			}
			if c.Capacity > 0 {
				commits = append(commits, c)
			}
		}
		if commits != nil {
			out = append(out, CapacityCommitResponse{Location: loc, Commits: commits})
		}
	}
	return out
}

func (s *Simulator) getQuotaUsage(c *call) response {
	return list(s.quotaUsage(c.now))
}

func (s *Simulator) getCapacityCommits(c *call) response {
	return list(s.capacityCommits(c.now))
}
