package shared

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// QuotaPair is a location and an instance type, by name: what a quota applies to.
type QuotaPair struct {
	Location, InstanceType string
}

// QuotaOrder is one server order as the quota sees it.
type QuotaOrder struct {
	// Contract is the contract_id asked for; "" lets the API choose.
	Contract string
	// Overflow allows on-demand capacity where committed capacity exists.
	Overflow bool
}

// QuotaPlanner tallies one provider configuration's server orders against the quota, which it
// reads at most once.
type QuotaPlanner struct {
	fetch  func(context.Context) ([]flexmetal.Quota, error)
	once   sync.Once
	quotas []flexmetal.Quota
	err    error

	mu     sync.Mutex
	orders map[QuotaPair][]QuotaOrder
	warned map[QuotaPair]bool
}

func NewQuotaPlanner(fetch func(context.Context) ([]flexmetal.Quota, error)) *QuotaPlanner {
	return &QuotaPlanner{fetch: fetch, orders: map[QuotaPair][]QuotaOrder{}, warned: map[QuotaPair]bool{}}
}

// OverQuotaSummary is the summary of the warning on a plan that orders more than the quota allows.
const OverQuotaSummary = "Plan Exceeds FlexMetal Quota"

// OverQuota describes the first order at a location and instance type that the quota has no room
// for.
type OverQuota struct {
	pair      QuotaPair
	ordered   int
	placeable int64
	lines     []flexmetal.Quota
}

// Order counts one order and returns what to warn about when it is the first at its pair that
// does not fit; nil otherwise, and when the quota is unknown.
func (p *QuotaPlanner) Order(ctx context.Context, pair QuotaPair, o QuotaOrder) *OverQuota {
	p.once.Do(func() {
		p.quotas, p.err = p.fetch(ctx)
		if p.err != nil {
			tflog.Warn(ctx, "Could not read the FlexMetal quota; plans do not check server orders against it", map[string]any{"error": p.err.Error()})
		}
	})
	if p.err != nil {
		return nil
	}
	var lines []flexmetal.Quota
	for _, q := range p.quotas {
		if q.Location == pair.Location && q.InstanceType == pair.InstanceType {
			lines = append(lines, q)
		}
	}
	if len(lines) == 0 {
		// The API reports no quota here: nothing to judge by.
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.orders[pair] = append(p.orders[pair], o)
	orders := p.orders[pair]
	n := placeable(lines, orders)
	if n >= int64(len(orders)) || p.warned[pair] {
		return nil
	}
	p.warned[pair] = true
	return &OverQuota{pair: pair, ordered: len(orders), placeable: n, lines: lines}
}

// placeable returns how many of the orders the quota lines of one pair have room for, placing
// them as the API does: committed capacity first (the named contract's, or any when none is
// named), then on-demand capacity, which orders need overflow for where committed capacity
// exists. An order naming a contract without committed capacity here counts against the
// on-demand quota. Orders are placed so that as many as possible fit.
func placeable(lines []flexmetal.Quota, orders []QuotaOrder) int64 {
	pools := map[string]int64{}
	onDemand := int64(-1) // unknown: not limited
	for _, l := range lines {
		switch l.Type {
		case flexmetal.QuotaTypeOnDemand:
			onDemand = max(onDemand, 0) + QuotaFree(l.Quota, l.Usage)
		case flexmetal.QuotaTypeCommit:
			pools[l.ContractID] += QuotaFree(l.Quota, l.Usage)
		}
	}
	hasPools := len(pools) > 0
	// Orders without overflow get committed capacity first: those with it can go on-demand.
	sorted := slices.SortedStableFunc(slices.Values(orders), func(a, b QuotaOrder) int {
		switch {
		case a.Overflow == b.Overflow:
			return 0
		case a.Overflow:
			return 1
		}
		return -1
	})
	var placed, needOnDemand int64
	var unnamed []QuotaOrder
	for _, o := range sorted {
		_, pooled := pools[o.Contract]
		switch {
		case o.Contract == "":
			unnamed = append(unnamed, o)
		case !pooled:
			needOnDemand++
		case pools[o.Contract] > 0:
			pools[o.Contract]--
			placed++
		case o.Overflow:
			needOnDemand++
		}
	}
	free := int64(0)
	for _, n := range pools {
		free += n
	}
	for _, o := range unnamed {
		switch {
		case free > 0:
			free--
			placed++
		case o.Overflow || !hasPools:
			needOnDemand++
		}
	}
	if onDemand < 0 {
		return placed + needOnDemand
	}
	return placed + min(needOnDemand, onDemand)
}

func (o *OverQuota) Message() string {
	var parts []string
	hasPools := false
	for _, l := range o.lines {
		if l.Type == flexmetal.QuotaTypeCommit {
			hasPools = true
			parts = append(parts, fmt.Sprintf("committed capacity of contract %s: %d, %d in use", l.ContractID, l.Quota, l.Usage))
		} else {
			parts = append(parts, fmt.Sprintf("on-demand quota: %d, %d in use", l.Quota, l.Usage))
		}
	}
	slices.Sort(parts)
	quota := strings.Join(parts, "; ")
	if hasPools {
		quota += "; only servers with overflow = true use on-demand capacity while committed capacity exists here"
	}
	servers := "servers"
	if o.ordered == 1 {
		servers = "server"
	}
	return fmt.Sprintf("This plan orders at least %d %s %s at %s, but the account's quota leaves room for %d (%s). "+
		"At apply, the API refuses the orders beyond that unless servers there are released first. "+
		"Order fewer servers, release some, or ask i3D.net for a higher quota; the flexmetal_quota data source shows the quota and its usage.\n\n"+
		"The count is a lower bound: Terraform plans servers concurrently, and this warning comes with the first order that does not fit.",
		o.ordered, o.pair.InstanceType, servers, o.pair.Location, o.placeable, quota)
}

// QuotaFree is what a quota or commit leaves free. Usage can exceed a quota that was lowered
// while servers ran; nothing is free then, and nothing is owed.
func QuotaFree(quota, used int64) int64 { return max(quota-used, 0) }
