package simulator

import (
	"errors"
	"fmt"
	"strings"
)

// Availability values of GET /v3/flexMetal/plans, from most capacity to none.
const (
	AvailabilityHigh        = "high"
	AvailabilityMedium      = "medium"
	AvailabilityLow         = "low"
	AvailabilityUnavailable = "unavailable"
)

// DefaultAvailability is the availability of every location and instance type that
// Config.Availability and SetAvailability leave alone.
const DefaultAvailability = AvailabilityHigh

// ErrCodeUnavailable: the instance type has no capacity at the location now (422). The real
// API's answer to such an order is not documented; see the package documentation.
const ErrCodeUnavailable = 20006

// Plan is one entry of GET /v3/flexMetal/plans.
type Plan struct {
	Name            string          `json:"name"`
	HardwareDetails HardwareDetails `json:"hardwareDetails"`
	Locations       []PlanLocation  `json:"locations"`
}

// HardwareDetails is a plan's hardware; sizes are in GB, clocks in MHz.
type HardwareDetails struct {
	CPU               PlanCPU            `json:"cpu"`
	Memory            PlanMemory         `json:"memory"`
	Disks             []PlanDisk         `json:"disks"`
	NetworkInterfaces []PlanNetworkCount `json:"networkInterfaces"`
	// GPU is null (nil) when there is none.
	GPU any `json:"gpu"`
}

// PlanCPU is a plan's processors.
type PlanCPU struct {
	Name       string `json:"name"`
	BaseClock  int    `json:"baseClock"`
	CPUCount   int    `json:"cpuCount"`
	CPUCores   int    `json:"cpuCores"`
	TotalCores int    `json:"totalCores"`
}

// PlanMemory is a plan's memory.
type PlanMemory struct {
	Type string `json:"type"`
	Size int    `json:"size"`
}

// PlanDisk is one disk of a plan.
type PlanDisk struct {
	Type string `json:"type"`
	Size int    `json:"size"`
}

// PlanNetworkCount is a number of network interfaces of one kind.
type PlanNetworkCount struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// PlanLocation is a plan's availability at one location.
type PlanLocation struct {
	Name         string `json:"name"`
	DCCode       string `json:"dcCode"`
	Availability string `json:"availability"`
}

// planHardware is what /plans adds to the seeded instance types, by name.
var planHardware = map[string]HardwareDetails{
	InstanceTypeBM7Std8: {
		CPU:               PlanCPU{Name: "Intel(R) Xeon(R) E-2278G CPU @ 3.40GHz", BaseClock: 3400, CPUCount: 1, CPUCores: 8, TotalCores: 8},
		Memory:            PlanMemory{Type: "ddr4", Size: 32},
		Disks:             []PlanDisk{{Type: "ssd", Size: 960}},
		NetworkInterfaces: []PlanNetworkCount{{Type: "1 Gbps", Count: 2}},
	},
	InstanceTypeBM8Std32: {
		CPU:               PlanCPU{Name: "AMD EPYC 7502P 32-Core Processor", BaseClock: 2500, CPUCount: 1, CPUCores: 32, TotalCores: 32},
		Memory:            PlanMemory{Type: "ddr4", Size: 128},
		Disks:             []PlanDisk{{Type: "ssd", Size: 960}, {Type: "ssd", Size: 960}},
		NetworkInterfaces: []PlanNetworkCount{{Type: "10 Gbps", Count: 2}},
	},
	InstanceTypeBM9Hmm32: {
		CPU:               PlanCPU{Name: "AMD EPYC 9354P 32-Core Processor", BaseClock: 3250, CPUCount: 1, CPUCores: 32, TotalCores: 32},
		Memory:            PlanMemory{Type: "ddr5", Size: 256},
		Disks:             []PlanDisk{{Type: "nvme", Size: 960}, {Type: "nvme", Size: 960}},
		NetworkInterfaces: []PlanNetworkCount{{Type: "25 Gbps", Count: 2}},
	},
}

// dcCodes are the seeded locations' data center codes, by location name.
var dcCodes = map[string]string{
	LocationRotterdam:  "nlrtm1",
	LocationMontreuil:  "frmtr1",
	LocationAshburn:    "usash1",
	LocationDallas:     "usdal1",
	LocationLosAngeles: "uslax1",
	LocationTokyo:      "jptyo1",
	LocationHongKong:   "hkhkg1",
	LocationSaoPaulo:   "brsao1",
	LocationDubai:      "aedxb1",
}

// PlanHardware returns the hardware GET /v3/flexMetal/plans reports for a seeded instance type.
func PlanHardware(instanceType string) (HardwareDetails, bool) {
	h, ok := planHardware[instanceType]
	return h, ok
}

// DCCode returns a seeded location's data center code.
func DCCode(location string) string { return dcCodes[location] }

// validAvailability reports whether a is one of the four availability values.
func validAvailability(a string) bool {
	switch a {
	case AvailabilityHigh, AvailabilityMedium, AvailabilityLow, AvailabilityUnavailable:
		return true
	}
	return false
}

// checkAvailabilityKey checks that key names a seeded instance type and, when it has a
// location, one offering it.
func checkAvailabilityKey(key QuotaKey) error {
	if !isHardware(key.InstanceType) {
		return fmt.Errorf("unknown instance type %q", key.InstanceType)
	}
	if key.Location == "" {
		return nil
	}
	loc, ok := defaultCatalog.locationByName[key.Location]
	if !ok {
		return fmt.Errorf("unknown location %q", key.Location)
	}
	if _, ok := defaultCatalog.instanceTypeAt(loc.ID, key.InstanceType); !ok {
		return fmt.Errorf("instance type %q is not available at %q", key.InstanceType, key.Location)
	}
	return nil
}

// ParseAvailability parses a -availability flag value, [LOCATION/]INSTANCE_TYPE=AVAILABILITY
// (high, medium, low or unavailable); without LOCATION it applies at every location.
func ParseAvailability(spec string) (QuotaKey, string, error) {
	pair, value, ok := cutLast(spec, "=")
	value = strings.TrimSpace(value)
	if !ok || !validAvailability(value) {
		return QuotaKey{}, "", fmt.Errorf("availability %q: want [LOCATION/]INSTANCE_TYPE=high|medium|low|unavailable", spec)
	}
	var key QuotaKey
	if loc, it, found := strings.Cut(pair, "/"); found {
		key = QuotaKey{Location: strings.TrimSpace(loc), InstanceType: strings.TrimSpace(it)}
	} else {
		key = QuotaKey{InstanceType: strings.TrimSpace(pair)}
	}
	if err := checkAvailabilityKey(key); err != nil {
		return QuotaKey{}, "", fmt.Errorf("availability %q: %w", spec, err)
	}
	return key, value, nil
}

// SetAvailability changes what GET /v3/flexMetal/plans reports for instanceType at location
// (at every location when location is ""), and whether orders of it are accepted there: an
// order of an unavailable type answers 422. An empty availability restores the default.
func (s *Simulator) SetAvailability(location, instanceType, availability string) error {
	key := QuotaKey{Location: location, InstanceType: instanceType}
	if err := checkAvailabilityKey(key); err != nil {
		return err
	}
	if availability != "" && !validAvailability(availability) {
		return errors.New("availability must be high, medium, low or unavailable")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if availability == "" {
		delete(s.availability, key)
	} else {
		s.availability[key] = availability
	}
	return nil
}

// availabilityOf is a pair's availability: its own entry, else its instance type's, else
// DefaultAvailability. Caller holds s.mu.
func (s *Simulator) availabilityOf(location, instanceType string) string {
	if a, ok := s.availability[QuotaKey{Location: location, InstanceType: instanceType}]; ok {
		return a
	}
	if a, ok := s.availability[QuotaKey{InstanceType: instanceType}]; ok {
		return a
	}
	return DefaultAvailability
}

// plans builds the /plans answer: every seeded instance type once, in seed order of first
// appearance, with the locations offering it in location order. Caller holds s.mu.
func (s *Simulator) plans() []Plan {
	var out []Plan
	index := map[string]int{}
	for _, loc := range s.catalog.locations {
		for _, it := range s.catalog.instanceTypes[loc.ID] {
			n, ok := index[it.Name]
			if !ok {
				n = len(out)
				index[it.Name] = n
				out = append(out, Plan{Name: it.Name, HardwareDetails: planHardware[it.Name]})
			}
			out[n].Locations = append(out[n].Locations, PlanLocation{Name: loc.Name, DCCode: dcCodes[loc.Name], Availability: s.availabilityOf(loc.Name, it.Name)})
		}
	}
	return out
}

// Plans returns what GET /v3/flexMetal/plans answers now.
func (s *Simulator) Plans() []Plan {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.plans()
}

func (s *Simulator) listPlans(*call) response {
	if s.cfg.NoPlansEndpoint {
		return errorResponse(&APIError{Status: 404, Code: ErrCodeRouteNotFound, Message: "Route not found"})
	}
	return list(s.plans())
}

// checkAvailable refuses an order of an instance type that is unavailable at its location.
// Caller holds s.mu.
func (s *Simulator) checkAvailable(loc Location, it InstanceType) error {
	if s.availabilityOf(loc.Name, it.Name) != AvailabilityUnavailable {
		return nil
	}
	return &APIError{Status: 422, Code: ErrCodeUnavailable, Message: "Instance type unavailable",
		Details: []ErrorDetail{{Property: "instanceType", Message: fmt.Sprintf("instance type %s is currently unavailable at %s; choose another location or try again later", it.Name, loc.Name)}}}
}
