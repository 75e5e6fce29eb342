package server

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// privateReplacingKey marks the plan of a server that is being replaced. Terraform plans a
// replacement twice: once against the server's state, then again against a null state for the
// new object, handing the first plan's private data to the second and dropping the second's
// warnings. The mark tells the second plan that its order was judged by the first.
const privateReplacingKey = "quota_replacing"

// secondPlanOfReplacement reports whether this is the plan Terraform makes of a replacement's
// new object, after the plan against the old one marked it (see privateReplacingKey).
func secondPlanOfReplacement(ctx context.Context, req resource.ModifyPlanRequest, state *serverModel) bool {
	if state != nil {
		return false
	}
	raw, d := req.Private.GetKey(ctx, privateReplacingKey)
	return !d.HasError() && len(raw) > 0
}

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
	if r.data == nil || resp.Diagnostics.HasError() || r.data.Reports.APIUnusable() {
		// An API that refused the credentials or could not be reached failed the plan already:
		// asking it for the quota would only make that slower.
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
	order := shared.QuotaOrder{Overflow: plan.Overflow.ValueBool()}
	if !plan.ContractID.IsUnknown() {
		order.Contract = plan.ContractID.ValueString()
	}
	pair := shared.QuotaPair{Location: plan.Location.ValueString(), InstanceType: plan.InstanceType.ValueString()}
	if over := r.data.Quota.Order(ctx, pair, order); over != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("instance_type"), shared.OverQuotaSummary, over.Message())
	}
}

// replacementNeedsQuota reports whether replacing state with plan orders a server that the quota
// freed by the old one does not cover.
func replacementNeedsQuota(plan, state serverModel) bool {
	contractChanged := !plan.ContractID.IsUnknown() && !plan.ContractID.IsNull() && !plan.ContractID.Equal(state.ContractID)
	return state.Status.ValueString() == flexmetal.StatusFailed ||
		!plan.Location.Equal(state.Location) || !plan.InstanceType.Equal(state.InstanceType) || contractChanged
}
