package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// A delivery takes 10 to 30 minutes, so runs get cut short. An interrupted wait (Ctrl-C) is not a
// failure: Create records the server without an error, so it is not tainted, and the next plan of
// a server still being delivered is an in-place update whose apply waits for the delivery. A
// failed delivery, and a create timeout, keep taint-and-replace.

// deliveryPending reports whether the state's server is still on its way to its first delivery:
// ordered by an interrupted apply, or imported while being delivered. A server being reinstalled
// goes through the same statuses, but it was delivered before, and its reinstall is waited for
// by the reinstall machinery instead.
func deliveryPending(state *serverModel) bool {
	return state != nil && flexmetal.Delivering(state.Status.ValueString()) && state.DeliveredAt.IsNull()
}

// interrupted reports whether a wait ended because Terraform canceled the operation (Ctrl-C),
// not because its own timeout ran out or the server failed.
func interrupted(err error) bool {
	var wait *flexmetal.WaitError
	return errors.As(err, &wait) && errors.Is(err, context.Canceled)
}

// planDeliveryWait makes the plan of a server still being delivered an in-place update: what the
// delivery sets is only known after it, and the apply waits for it.
func planDeliveryWait(ctx context.Context, state *serverModel, resp *resource.ModifyPlanResponse) {
	for _, name := range []string{"status", "status_message", "delivered_at", "ip_address", "ipv4_address", "ipv6_address"} {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), types.StringUnknown())...)
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("ip_addresses"), types.ListUnknown(types.StringType))...)
	resp.Diagnostics.AddWarning("Server Still Being Delivered",
		fmt.Sprintf("Server %s (%s) is still being delivered (status %q), for example because an earlier apply was interrupted. Applying this plan keeps it and waits for its delivery (within timeouts.update), instead of ordering another.",
			state.ID.ValueString(), state.Name.ValueString(), state.Status.ValueString()))
}

// finishDelivery waits, in Update, for a server that was still being delivered when the plan was
// made. It returns the delivered server, or false after recording kept, updated with the server
// as far as it got, and adding what happened to diags.
func (r *serverResource) finishDelivery(ctx context.Context, id string, kept serverModel, set func(context.Context, any) diag.Diagnostics, diags *diag.Diagnostics) (*flexmetal.Server, bool) {
	tflog.Info(ctx, "FlexMetal server is still being delivered; waiting for it", map[string]any{"id": id, "status": kept.Status.ValueString()})
	srv, err := r.data.Client.Servers.WaitForDelivery(ctx, id, progressLogger(ctx, "delivery"))
	if err == nil {
		return srv, true
	}
	if srv != nil {
		kept.fromAPI(srv)
	}
	kept.nullUnknowns()
	diags.Append(set(ctx, &kept)...)
	if interrupted(err) {
		diags.AddWarning("Server Delivery Interrupted", interruptedDeliveryDetail(srv, kept, err))
		return nil, false
	}
	diags.AddError("Server Delivery Did Not Complete", fmt.Sprintf("Waiting for the delivery of server %s (%s) ended: %v\n\nThe server stays in the state. If it failed, the next plan replaces it; otherwise the next apply waits again (raise timeouts.update if deliveries take longer).", id, kept.Name.ValueString(), err))
	return nil, false
}

// interruptedDeliveryDetail says that an interrupted wait kept the server, and what the next
// apply does.
func interruptedDeliveryDetail(srv *flexmetal.Server, m serverModel, err error) string {
	status := m.Status.ValueString()
	if srv != nil {
		status = srv.Status
	}
	before := ""
	var wait *flexmetal.WaitError
	if errors.As(err, &wait) && wait.Failing != nil {
		before = " Before that, " + pollFailuresText(wait.Failing)
	}
	return fmt.Sprintf("Waiting for server %s (%s) was interrupted with the server in status %q.%s The delivery goes on without Terraform, and the server is recorded in the state (not tainted): the next apply keeps it and waits for its delivery.",
		m.ID.ValueString(), m.Name.ValueString(), status, before)
}
