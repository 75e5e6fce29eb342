package flexmetal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
)

// Availability values of a plan at a location, from most to least capacity.
const (
	AvailabilityHigh        = "high"
	AvailabilityMedium      = "medium"
	AvailabilityLow         = "low"
	AvailabilityUnavailable = "unavailable"
)

// AvailabilityRank orders availability values from most capacity (0) to none; an unknown or
// empty value ranks after all of them.
func AvailabilityRank(availability string) int {
	switch availability {
	case AvailabilityHigh:
		return 0
	case AvailabilityMedium:
		return 1
	case AvailabilityLow:
		return 2
	case AvailabilityUnavailable:
		return 3
	}
	return 4
}

// Plan is one entry of GET /v3/flexMetal/plans: an instance type (Name is the value an order's
// instanceType takes), its hardware, and its live availability at each location offering it.
type Plan struct {
	Name      string         `json:"name"`
	Hardware  PlanHardware   `json:"hardwareDetails"`
	Locations []PlanLocation `json:"locations"`

	// Legacy is set only on plans built from the deprecated instance-type endpoint (see
	// PlansService.List): what that endpoint reports per location and /plans does not.
	// Locations then carry no availability and no dcCode.
	Legacy map[string]InstanceType `json:"-"`
}

// PlanHardware is a plan's hardware. Sizes are in GB.
type PlanHardware struct {
	CPU               PlanCPU            `json:"cpu"`
	Memory            PlanMemory         `json:"memory"`
	Disks             []PlanDisk         `json:"disks"`
	NetworkInterfaces []PlanNetworkCount `json:"networkInterfaces"`
	// GPU is the API's gpu value as sent: null when there is none. Its non-null shape is not
	// documented, so it is kept as raw JSON.
	GPU json.RawMessage `json:"gpu"`
}

// PlanCPU describes a plan's processors. BaseClock is in MHz; TotalCores counts the cores of
// all CPUs, CPUCores those of one.
type PlanCPU struct {
	Name       string `json:"name"`
	BaseClock  int64  `json:"baseClock"`
	CPUCount   int64  `json:"cpuCount"`
	CPUCores   int64  `json:"cpuCores"`
	TotalCores int64  `json:"totalCores"`
}

// PlanMemory is a plan's memory: its technology (e.g. ddr4) and size in GB.
type PlanMemory struct {
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// PlanDisk is one disk of a plan, its size in GB.
type PlanDisk struct {
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// PlanNetworkCount is a number of network interfaces of one kind, e.g. 2 of "1 Gbps".
type PlanNetworkCount struct {
	Type  string `json:"type"`
	Count int64  `json:"count"`
}

// PlanLocation is a plan's availability at one location. Name is the location's name, as
// GET /v3/flexMetal/location and orders spell it.
type PlanLocation struct {
	Name         string `json:"name"`
	DCCode       string `json:"dcCode"`
	Availability string `json:"availability"`
}

// HasGPU reports whether the API described a GPU.
func (h PlanHardware) HasGPU() bool {
	s := string(h.GPU)
	return s != "" && s != "null"
}

// At returns the plan's entry for a location, by name.
func (p Plan) At(location string) (PlanLocation, bool) {
	for _, l := range p.Locations {
		if l.Name == location {
			return l, true
		}
	}
	return PlanLocation{}, false
}

// PlansService reads the plan catalog.
type PlansService struct {
	client *Client
	// legacy is set once /plans answered 404: the API predates it, and the deprecated
	// per-location endpoint stands in for the rest of the client's life.
	legacy atomic.Bool
}

const plansPath = "/v3/flexMetal/plans"

// List returns every plan with its availability per location. An API older than
// GET /v3/flexMetal/plans answers it 404: then List says so once through the warning hook (see
// WithWarningLogger) and, from then on, builds the plans from the deprecated
// GET /v3/flexMetal/location/{id}/instanceTypes, one request per location, without asking
// /plans again.
func (s *PlansService) List(ctx context.Context) ([]Plan, error) {
	if !s.legacy.Load() {
		plans, err := doList[Plan](ctx, s.client, request{method: http.MethodGet, path: plansPath, idempotent: true})
		if !IsNotFound(err) {
			return plans, err
		}
		if s.legacy.CompareAndSwap(false, true) && s.client.logWarning != nil {
			s.client.logWarning(ctx, "The FlexMetal API answered 404 to GET "+plansPath+": it predates the plan catalog. "+
				"The provider reads instance types from the deprecated per-location endpoint instead, without availability.",
				map[string]any{"error": err.Error()})
		}
	}
	return s.legacyList(ctx)
}

// legacyList builds plans from the locations and the deprecated per-location instance types,
// read concurrently. Hardware fields the old endpoint does not report stay zero.
func (s *PlansService) legacyList(ctx context.Context) ([]Plan, error) {
	locs, err := s.client.Locations.List(ctx)
	if err != nil {
		return nil, err
	}
	perLoc := make([][]InstanceType, len(locs))
	errs := make([]error, len(locs))
	var wg sync.WaitGroup
	for i, l := range locs {
		wg.Go(func() { perLoc[i], errs[i] = s.client.Locations.InstanceTypes(ctx, l.ID) })
	}
	wg.Wait()
	var plans []Plan
	index := map[string]int{}
	for i, l := range locs {
		if errs[i] != nil {
			return nil, fmt.Errorf("listing the instance types of %q: %w", l.Name, errs[i])
		}
		for _, it := range perLoc[i] {
			n, ok := index[it.Name]
			if !ok {
				n = len(plans)
				index[it.Name] = n
				plans = append(plans, Plan{
					Name: it.Name,
					Hardware: PlanHardware{
						CPU:    PlanCPU{CPUCount: it.Sockets, TotalCores: it.Cores},
						Memory: PlanMemory{Type: it.MemoryType, Size: it.Memory},
					},
					Legacy: map[string]InstanceType{},
				})
			}
			plans[n].Locations = append(plans[n].Locations, PlanLocation{Name: l.Name})
			plans[n].Legacy[l.Name] = it
		}
	}
	return plans, nil
}
