package simulator

import (
	"log"
	"maps"
	"regexp"
	"slices"
	"time"
)

// DefaultAPIKey is the PRIVATE-TOKEN value a simulator accepts when Config.APIKey is empty.
const DefaultAPIKey = "simulator-api-key"

// Defaults applied by New to zero-valued Config fields.
const (
	DefaultStepDuration    = time.Second
	DefaultReleaseDuration = time.Second
	DefaultRetention       = 24 * time.Hour
	DefaultPageSize        = 15
	DefaultMaxPageSize     = 50
)

// Default name patterns for the failure and stuck rules. The reinstall patterns are matched
// against the name a reinstall sends; the keep pattern is checked first, so a name containing
// "fail-reinstall-keep" leaves its server delivered.
const (
	DefaultFailNamePattern              = `fail-delivery`
	DefaultStuckNamePattern             = `stuck`
	DefaultReinstallFailNamePattern     = `fail-reinstall`
	DefaultReinstallFailKeepNamePattern = `fail-reinstall-keep`
)

// DefaultOnDemandQuota is the on-demand quota of every location and instance type that
// Config.OnDemandQuota does not name: high enough that only tests which set a quota meet it.
const DefaultOnDemandQuota = 1000

// Config configures a Simulator. The zero value is usable: every zero field gets the default
// documented on it.
type Config struct {
	// APIKey is the only PRIVATE-TOKEN accepted. Default DefaultAPIKey.
	APIKey string
	// Clock drives the server lifecycle. Default RealClock().
	Clock Clock
	// StepDuration is how long a server stays in each provisioning status, so delivery takes
	// nine steps. Default 1s; a negative value makes delivery immediate.
	StepDuration time.Duration
	// ReinstallStepDuration is how long each of a reinstall's three steps lasts. Default
	// StepDuration; a negative value makes a reinstall immediate.
	ReinstallStepDuration time.Duration
	// ReleaseDuration is how long a server stays "releasing". Default 1s; a negative value
	// makes release immediate.
	ReleaseDuration time.Duration
	// UnreleasableStatuses are the statuses in which a release is refused: 422
	// (ErrCodeInvalidState) "Server cannot be released while <status>". An assumption: i3D.net
	// documents no such rule, but an implementation of the API was seen refusing to release a
	// server while it was discovering, and a client must cope. Default: discovering. An empty
	// non-nil slice allows a release in every status.
	UnreleasableStatuses []string
	// Retention is how long failed and released servers stay visible before they answer 404,
	// as the real API keeps them for 24 hours. Default 24h; a negative value hides them as
	// soon as they fail or are released.
	Retention time.Duration
	// DefaultPageSize is the page size of list endpoints without a RANGED-DATA header.
	// Default 15.
	DefaultPageSize int
	// MaxPageSize caps the results a RANGED-DATA header may ask for. Default 50.
	MaxPageSize int
	// FailNamePattern selects servers, by name, that fail instead of reaching "provisioned".
	// Default `fail-delivery`. To disable, use a pattern that never matches, e.g. `[^\s\S]`.
	FailNamePattern *regexp.Regexp
	// StuckNamePattern selects servers, by name, that never leave "provisioning". It wins over
	// FailNamePattern. It applies to reinstalls too (by the name the reinstall sends): their
	// command stays "running". Default `stuck`.
	StuckNamePattern *regexp.Regexp
	// ReinstallFailNamePattern selects reinstalls, by the name they send, whose command ends
	// "failed" and whose server ends "failed" with ReinstallFailureMessage. Default
	// `fail-reinstall`.
	ReinstallFailNamePattern *regexp.Regexp
	// ReinstallFailKeepNamePattern selects reinstalls whose command ends "failed" while the
	// server goes back to "delivered" with ReinstallFailureMessage. It is checked before
	// ReinstallFailNamePattern. Default `fail-reinstall-keep`.
	ReinstallFailKeepNamePattern *regexp.Regexp
	// OnDemandQuota caps how many on-demand servers (not failed, not released) the account may
	// have at once per location and instance type; an order beyond it answers 422. A key with
	// an empty Location applies to that instance type at every location without an entry of
	// its own. Pairs it does not name get DefaultOnDemandQuota.
	OnDemandQuota map[QuotaKey]int
	// CapacityCommits are the account's committed capacity pools. Orders fill them first; see
	// the package documentation. Empty by default, when contract ids are stored unchecked.
	CapacityCommits []CapacityCommit
	// Availability sets what GET /v3/flexMetal/plans reports per location and instance type
	// (high, medium, low or unavailable); a key with an empty Location applies at every
	// location without an entry of its own. Pairs it does not name are DefaultAvailability.
	// An order of a type unavailable at its location answers 422 (ErrCodeUnavailable).
	// SetAvailability changes it at runtime.
	Availability map[QuotaKey]string
	// NoPlansEndpoint makes GET /v3/flexMetal/plans answer 404, as an API that predates it
	// would, so clients fall back to the deprecated per-location instance types.
	NoPlansEndpoint bool
	// Latency delays every request before it is handled, to surface client timeouts.
	// SetLatency changes it at runtime.
	Latency time.Duration
	// BareObjects makes single-object responses a bare JSON object instead of a one-element
	// array, so clients can be tested against both shapes.
	BareObjects bool
	// Logger, if set, receives one line per request.
	Logger *log.Logger
}

// withDefaults fills zero fields and folds the "negative means immediate" conventions into
// plain zero durations, so the lifecycle code needs no special cases.
func (c Config) withDefaults() Config {
	if c.APIKey == "" {
		c.APIKey = DefaultAPIKey
	}
	if c.Clock == nil {
		c.Clock = RealClock()
	}
	c.StepDuration = durationOrDefault(c.StepDuration, DefaultStepDuration)
	c.ReinstallStepDuration = durationOrDefault(c.ReinstallStepDuration, c.StepDuration)
	c.ReleaseDuration = durationOrDefault(c.ReleaseDuration, DefaultReleaseDuration)
	c.Retention = durationOrDefault(c.Retention, DefaultRetention)
	if c.UnreleasableStatuses == nil {
		c.UnreleasableStatuses = []string{StatusDiscovering}
	}
	if c.DefaultPageSize <= 0 {
		c.DefaultPageSize = DefaultPageSize
	}
	if c.MaxPageSize <= 0 {
		c.MaxPageSize = DefaultMaxPageSize
	}
	if c.DefaultPageSize > c.MaxPageSize {
		c.DefaultPageSize = c.MaxPageSize
	}
	c.FailNamePattern = patternOrDefault(c.FailNamePattern, DefaultFailNamePattern)
	c.StuckNamePattern = patternOrDefault(c.StuckNamePattern, DefaultStuckNamePattern)
	c.ReinstallFailNamePattern = patternOrDefault(c.ReinstallFailNamePattern, DefaultReinstallFailNamePattern)
	c.ReinstallFailKeepNamePattern = patternOrDefault(c.ReinstallFailKeepNamePattern, DefaultReinstallFailKeepNamePattern)
	// Copies, so a caller changing its map or slice later cannot race with requests.
	c.OnDemandQuota = maps.Clone(c.OnDemandQuota)
	c.CapacityCommits = slices.Clone(c.CapacityCommits)
	if c.Latency < 0 {
		c.Latency = 0
	}
	return c
}

// patternOrDefault is re, or def compiled when re is nil: nil always means the default, in
// Config and in the setters that change a pattern later.
func patternOrDefault(re *regexp.Regexp, def string) *regexp.Regexp {
	if re == nil {
		return regexp.MustCompile(def)
	}
	return re
}

func durationOrDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	default:
		return d
	}
}
