package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// privateReplacingKey marks the plan of a server that is being replaced. Terraform plans a
// replacement twice: once against the server's state, then again against a null state for the
// new object, handing the first plan's private data to the second and dropping the second's
// warnings. The mark tells the second plan that its order was judged by the first.
const privateReplacingKey = "quota_replacing"

// warnOverQuota warns, once per location and instance type, when the server orders that this
// plan makes there exceed what the account's quota leaves available. serverResource.ModifyPlan
// calls it last, once the replacements are decided (resp.RequiresReplace).
//
// It counts an order for every server that the plan creates, and for every replacement that
// cannot reuse the quota its old server frees: one that moves to another location, instance type
// or contract, or replaces a failed server (failed servers hold no quota). Other replacements
// release the old server before ordering the new one, so they need no more quota than now. A
// replacement that Terraform decides on its own (a tainted server, -replace) is counted as a
// new server, and create_before_destroy replacements within the same quota are not counted.
// Destroys in the same plan are not credited.
//
// Orders are tallied per provider configuration (one per process in a real run), and the quota is
// read once, when the first order is counted: a plan that orders nothing reads nothing. A quota
// that cannot be read is logged, never a diagnostic: the API judges the orders at apply.
func (r *serverResource) warnOverQuota(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, plan serverModel, state *serverModel) {
	if r.data == nil || resp.Diagnostics.HasError() {
		return
	}
	counts := false
	switch {
	case state == nil:
		raw, d := req.Private.GetKey(ctx, privateReplacingKey)
		if !d.HasError() && len(raw) > 0 {
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReplacingKey, nil)...)
			return
		}
		counts = true
	case len(resp.RequiresReplace) > 0:
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReplacingKey, []byte(`true`))...)
		counts = replacementNeedsQuota(plan, *state)
	default:
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReplacingKey, nil)...)
	}
	if !counts || plan.Location.IsUnknown() || plan.InstanceType.IsUnknown() || plan.Location.IsNull() || plan.InstanceType.IsNull() {
		return
	}
	order := quotaOrder{overflow: plan.Overflow.ValueBool()}
	if !plan.ContractID.IsUnknown() {
		order.contract = plan.ContractID.ValueString()
	}
	pair := quotaPair{location: plan.Location.ValueString(), instanceType: plan.InstanceType.ValueString()}
	if over := r.data.quota.order(ctx, pair, order); over != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("instance_type"), overQuotaSummary, over.message())
	}
}

// replacementNeedsQuota reports whether replacing state with plan orders a server that the quota
// freed by the old one does not cover.
func replacementNeedsQuota(plan, state serverModel) bool {
	contractChanged := !plan.ContractID.IsUnknown() && !plan.ContractID.IsNull() && !plan.ContractID.Equal(state.ContractID)
	return state.Status.ValueString() == flexmetal.StatusFailed ||
		!plan.Location.Equal(state.Location) || !plan.InstanceType.Equal(state.InstanceType) || contractChanged
}

// quotaPair is a location and an instance type, by name: what a quota applies to.
type quotaPair struct {
	location, instanceType string
}

// quotaOrder is one server order as the quota sees it.
type quotaOrder struct {
	// contract is the contract_id asked for; "" lets the API choose.
	contract string
	overflow bool
}

// quotaPlanner tallies one provider configuration's server orders against the quota, which it
// reads at most once.
type quotaPlanner struct {
	fetch  func(context.Context) ([]flexmetal.Quota, error)
	once   sync.Once
	quotas []flexmetal.Quota
	err    error

	mu     sync.Mutex
	orders map[quotaPair][]quotaOrder
	warned map[quotaPair]bool
}

func newQuotaPlanner(fetch func(context.Context) ([]flexmetal.Quota, error)) *quotaPlanner {
	return &quotaPlanner{fetch: fetch, orders: map[quotaPair][]quotaOrder{}, warned: map[quotaPair]bool{}}
}

// overQuotaSummary is the summary of the warning on a plan that orders more than the quota allows.
const overQuotaSummary = "Plan Exceeds FlexMetal Quota"

// overQuota describes the first order at a location and instance type that the quota has no room
// for.
type overQuota struct {
	pair      quotaPair
	ordered   int
	placeable int64
	lines     []flexmetal.Quota
}

// order counts one order and returns what to warn about when it is the first at its pair that
// does not fit; nil otherwise, and when the quota is unknown.
func (p *quotaPlanner) order(ctx context.Context, pair quotaPair, o quotaOrder) *overQuota {
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
		if q.Location == pair.location && q.InstanceType == pair.instanceType {
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
	return &overQuota{pair: pair, ordered: len(orders), placeable: n, lines: lines}
}

// placeable returns how many of the orders the quota lines of one pair have room for, placing
// them as the API does: committed capacity first (the named contract's, or any when none is
// named), then on-demand capacity, which orders need overflow for where committed capacity
// exists. An order naming a contract without committed capacity here counts against the
// on-demand quota. Orders are placed so that as many as possible fit.
func placeable(lines []flexmetal.Quota, orders []quotaOrder) int64 {
	pools := map[string]int64{}
	onDemand := int64(-1) // unknown: not limited
	for _, l := range lines {
		switch l.Type {
		case flexmetal.QuotaTypeOnDemand:
			onDemand = max(onDemand, 0) + quotaFree(l.Quota, l.Usage)
		case flexmetal.QuotaTypeCommit:
			pools[l.ContractID] += quotaFree(l.Quota, l.Usage)
		}
	}
	hasPools := len(pools) > 0
	// Orders without overflow get committed capacity first: those with it can go on-demand.
	sorted := slices.SortedStableFunc(slices.Values(orders), func(a, b quotaOrder) int {
		switch {
		case a.overflow == b.overflow:
			return 0
		case a.overflow:
			return 1
		}
		return -1
	})
	var placed, needOnDemand int64
	var unnamed []quotaOrder
	for _, o := range sorted {
		_, pooled := pools[o.contract]
		switch {
		case o.contract == "":
			unnamed = append(unnamed, o)
		case !pooled:
			needOnDemand++
		case pools[o.contract] > 0:
			pools[o.contract]--
			placed++
		case o.overflow:
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
		case o.overflow || !hasPools:
			needOnDemand++
		}
	}
	if onDemand < 0 {
		return placed + needOnDemand
	}
	return placed + min(needOnDemand, onDemand)
}

func (o *overQuota) message() string {
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
		o.ordered, o.pair.instanceType, servers, o.pair.location, o.placeable, quota)
}
