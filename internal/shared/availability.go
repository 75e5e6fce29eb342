package shared

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// AvailabilityPlanner tallies one provider configuration's server orders per location and
// instance type, so that a capacity warning is given once per pair however many servers order
// it. Terraform configures the provider once per command, so it covers one plan.
type AvailabilityPlanner struct {
	mu     sync.Mutex
	orders map[QuotaPair]int
	warned map[QuotaPair]bool
}

// NewAvailabilityPlanner returns a planner that has counted nothing.
func NewAvailabilityPlanner() *AvailabilityPlanner {
	return &AvailabilityPlanner{orders: map[QuotaPair]int{}, warned: map[QuotaPair]bool{}}
}

// Summaries of the plan-time capacity warnings.
const (
	UnavailableSummary = "Instance Type Unavailable at Location"
	LowCapacitySummary = "Low Capacity for Instance Type at Location"
)

// CapacityWarning is what to warn about an order, from Order.
type CapacityWarning struct {
	Summary, Detail string
}

// Order counts one server of plan ordered at location, and returns the warning to give when this
// order is the first at its pair to call for one: the type is unavailable there, or its
// availability is low and this plan orders more than one server of it there. It returns nil
// otherwise, and whenever capacity is ample or not known (the deprecated catalog reports none).
func (p *AvailabilityPlanner) Order(plan flexmetal.Plan, location string) *CapacityWarning {
	at, ok := plan.At(location)
	if !ok {
		return nil
	}
	pair := QuotaPair{Location: location, InstanceType: plan.Name}
	p.mu.Lock()
	p.orders[pair]++
	ordered := p.orders[pair]
	warn := !p.warned[pair] && (at.Availability == flexmetal.AvailabilityUnavailable ||
		at.Availability == flexmetal.AvailabilityLow && ordered > 1)
	if warn {
		p.warned[pair] = true
	}
	p.mu.Unlock()
	if !warn {
		return nil
	}
	elsewhere := availableElsewhere(plan, location)
	if at.Availability == flexmetal.AvailabilityLow {
		return &CapacityWarning{Summary: LowCapacitySummary, Detail: fmt.Sprintf(
			"This plan orders at least %d %s servers at %q, where i3D.net reports low availability for it: a few units left. "+
				"At apply, the orders beyond what is left fail. %s "+
				"Availability changes by the minute; the flexmetal_plans data source shows it per location.",
			ordered, plan.Name, location, elsewhere)}
	}
	return &CapacityWarning{Summary: UnavailableSummary, Detail: fmt.Sprintf(
		"Instance type %q is unavailable at %q now: i3D.net has no capacity for it there, so the order is likely to fail at apply. %s "+
			"Availability changes by the minute, so this is not an error; the flexmetal_plans data source shows it per location.",
		plan.Name, location, elsewhere)}
}

// availableElsewhere names the other locations where plan can be ordered now, best availability
// first, then by name.
func availableElsewhere(plan flexmetal.Plan, location string) string {
	var others []flexmetal.PlanLocation
	for _, l := range plan.Locations {
		if l.Name != location && l.Availability != "" && l.Availability != flexmetal.AvailabilityUnavailable {
			others = append(others, l)
		}
	}
	if len(others) == 0 {
		return "It is not available at any other location now."
	}
	slices.SortFunc(others, func(a, b flexmetal.PlanLocation) int {
		return cmp.Or(cmp.Compare(flexmetal.AvailabilityRank(a.Availability), flexmetal.AvailabilityRank(b.Availability)), cmp.Compare(a.Name, b.Name))
	})
	parts := make([]string, len(others))
	for i, l := range others {
		parts[i] = fmt.Sprintf("%q (%s)", l.Name, l.Availability)
	}
	return fmt.Sprintf("It is available now at %s.", strings.Join(parts, ", "))
}
