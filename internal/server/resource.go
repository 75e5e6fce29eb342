package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

const (
	serverTypeName       = shared.TypeName + "_server"
	defaultCreateTimeout = 60 * time.Minute
	defaultUpdateTimeout = 60 * time.Minute
	defaultDeleteTimeout = 20 * time.Minute
)

var (
	_ resource.ResourceWithConfigure      = (*serverResource)(nil)
	_ resource.ResourceWithImportState    = (*serverResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*serverResource)(nil)
	_ resource.ResourceWithValidateConfig = (*serverResource)(nil)
)

type serverResource struct {
	data *shared.ProviderData
}

// NewResource returns the flexmetal_server resource.
func NewResource() resource.Resource { return &serverResource{} }

func (r *serverResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = serverTypeName
}

func (r *serverResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *serverResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := shared.Decode[serverModel](ctx, r.data, serverTypeName, req.Plan.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(plan.takeWriteOnly(ctx, req.Config)...)
	order, d := plan.toCreateRequest(ctx)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	client := r.data.Client
	var srv *flexmetal.Server
	var err error
	if len(order.Tags) < shared.MaxTags {
		mark := orderMark(order)
		order.CreationTag = newCreationTag(mark)
		r.data.Orders.Own(order.CreationTag)
		if adopted, tag := r.adoptUnrecorded(ctx, order, mark, &resp.Diagnostics); adopted != nil {
			srv, order.CreationTag = adopted, tag
		}
	}
	if srv == nil {
		srv, err = client.Servers.Create(ctx, order)
		if err == nil {
			tflog.Info(ctx, "FlexMetal server ordered", map[string]any{"id": srv.UUID, "name": srv.Name, "status": srv.Status})
		}
	}
	if err != nil {
		var ambiguous *flexmetal.AmbiguousCreateError
		if errors.As(err, &ambiguous) {
			resp.Diagnostics.AddError("Unable to Confirm Server Creation",
				fmt.Sprintf("The order for server %q was sent but its answer was lost, and the server could not be looked up afterwards. A server tagged %q may exist: check the FlexMetal console and release it, or import it with terraform import.\n\n%s",
					order.Name, order.CreationTag, shared.APIErrorDetail(err)))
			return
		}
		shared.AddAPIError(ctx, &resp.Diagnostics, req.Plan.Schema, "Unable to Create Server",
			fmt.Sprintf("Ordering server %q failed; no server was created.", order.Name), err)
		return
	}

	// The server exists and is billed once delivered: record it before anything else can fail,
	// so an error from here on leaves a tainted resource instead of an orphan.
	resp.Diagnostics.Append(plan.applyServer(ctx, srv, r.data.Tags)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(shared.SetIdentity(ctx, resp.Identity, srv.UUID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The creation tag stays until Create returns: a run killed during the delivery leaves a
	// server that the next run's create of the same order adopts (adopt.go).
	if order.CreationTag != "" {
		defer func() {
			if !removeProviderTag(ctx, client, srv.UUID, order.CreationTag) {
				keepStaleCreationTag(ctx, srv.UUID, order.CreationTag, resp.Private, &resp.Diagnostics)
			}
		}()
	}

	delivered, err := client.Servers.WaitForDelivery(ctx, srv.UUID, progressLogger(ctx, "delivery"))
	if delivered != nil {
		resp.Diagnostics.Append(plan.applyServer(ctx, delivered, r.data.Tags)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
	switch {
	case interrupted(err):
		// Not a failure: the server is recorded untainted, and the next apply waits for it.
		resp.Diagnostics.AddWarning("Server Delivery Interrupted", interruptedDeliveryDetail(delivered, plan, err))
	case err != nil:
		resp.Diagnostics.AddError("Server Delivery Did Not Complete", deliveryErrorDetail(srv, timeout, err))
	}
}

// deliveryErrorDetail explains a failed or timed-out delivery, and what the user can do about
// this case; the resource is tainted. An interrupted one is no error (interruptedDeliveryDetail).
func deliveryErrorDetail(srv *flexmetal.Server, timeout time.Duration, err error) string {
	const tainted = "The server is recorded in the state as tainted, so nothing is orphaned: the next terraform apply releases it and orders a replacement (terraform destroy releases it)."
	const untaint = " To keep this server instead, run terraform untaint with the address shown above; later refreshes then follow it to \"delivered\"."
	what := fmt.Sprintf("Server %s (%s) was ordered but is not delivered", srv.UUID, srv.Name)
	var failed *flexmetal.ServerFailedError
	var wait *flexmetal.WaitError
	switch {
	case errors.As(err, &failed):
		return fmt.Sprintf("Server %s (%s) failed during delivery: status %q, message %q. A failed server cannot be used.\n\n%s",
			srv.UUID, srv.Name, failed.Server.Status, failed.Server.StatusMessage, tainted)
	case errors.As(err, &wait) && errors.Is(err, context.DeadlineExceeded):
		if wait.Failing != nil {
			return what + fmt.Sprintf(": the create timeout of %s ran out while %s %s", timeout, pollFailuresText(wait.Failing), lastSeenText(srv, wait)) +
				"\n\n" + tainted + untaint + " If the API was only briefly down, the server may be delivered meanwhile; if it stays unreachable, check base_url and the network."
		}
		what += fmt.Sprintf(": the create timeout of %s ran out with the server in status %q.%s", timeout, lastSeen(srv, wait).Status, apiMessageText(lastSeen(srv, wait)))
		return what + "\n\n" + tainted + untaint + " If deliveries at this location take longer, raise timeouts.create."
	default:
		what += ": " + err.Error()
	}
	return what + "\n\n" + tainted + untaint
}

// lastSeen is the server's last state the wait saw, or the order's answer when no status check
// got one.
func lastSeen(ordered *flexmetal.Server, wait *flexmetal.WaitError) *flexmetal.Server {
	if wait.Last != nil {
		return wait.Last
	}
	return ordered
}

// lastSeenText names the last status known of a server whose status checks failed.
func lastSeenText(ordered *flexmetal.Server, wait *flexmetal.WaitError) string {
	if wait.Last == nil {
		return fmt.Sprintf("No status check got an answer; the order was accepted with status %q.", ordered.Status)
	}
	return fmt.Sprintf("The last status seen was %q.%s", wait.Last.Status, apiMessageText(wait.Last))
}

// apiMessageText quotes the API's status message, unless it is empty or "OK": what the API says
// when it has nothing to say.
func apiMessageText(s *flexmetal.Server) string {
	msg := strings.TrimSpace(s.StatusMessage)
	if msg == "" || strings.EqualFold(msg, "OK") {
		return ""
	}
	return fmt.Sprintf(" The API's message: %q.", msg)
}

// pollFailuresText says since when the status checks failed, how often, and the last error: a
// wait that ran out while the API was down is no sign of a slow delivery.
func pollFailuresText(f *flexmetal.PollFailures) string {
	what := "the FlexMetal API failed every status check"
	if f.Unreachable() {
		what = "the FlexMetal API could not be reached"
	}
	checks := "checks"
	if f.Count == 1 {
		checks = "check"
	}
	return fmt.Sprintf("%s since %s (%d status %s failed, the last with: %v).",
		what, f.Since.UTC().Format("15:04:05 MST"), f.Count, checks, f.Last)
}

// progressLogger logs each status change so TF_LOG=INFO shows where a delivery or release is.
func progressLogger(ctx context.Context, phase string) func(*flexmetal.Server) {
	return func(s *flexmetal.Server) {
		tflog.Info(ctx, fmt.Sprintf("FlexMetal server %s: %s", s.UUID, s.Status), map[string]any{
			"id": s.UUID, "name": s.Name, "phase": phase, "status": s.Status, "status_message": s.StatusMessage,
		})
	}
}

func (r *serverResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, ok := shared.Decode[serverModel](ctx, r.data, serverTypeName, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	// Before anything can fail or remove the resource: a state written before identities, or just
	// imported by id, has none yet, and the framework requires one after every read.
	resp.Diagnostics.Append(shared.SetIdentity(ctx, resp.Identity, state.ID.ValueString())...)
	srv, err := r.data.Client.Servers.Refresh(ctx, state.ID.ValueString())
	if flexmetal.IsNotFound(err) {
		tflog.Warn(ctx, "FlexMetal server no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Server",
			fmt.Sprintf("Reading server %s failed.\n\n%s", state.ID.ValueString(), shared.APIErrorDetail(err)))
		return
	}
	if srv.Status == flexmetal.StatusReleased || srv.Status == flexmetal.StatusReleasing {
		tflog.Warn(ctx, "FlexMetal server was released outside Terraform; removing it from state", map[string]any{"id": srv.UUID, "status": srv.Status})
		resp.State.RemoveResource(ctx)
		return
	}
	prior := state
	resp.Diagnostics.Append(state.applyServer(ctx, srv, r.data.Tags)...)
	marked := recordMarkedReinstall(ctx, resp.Private, srv, &resp.Diagnostics)
	if marked || reinstallIncomplete(ctx, req.Private) {
		// The API already reports the name and OS of the reinstall that did not complete; the
		// state keeps the previous ones so the plan still shows the change to apply.
		state.Name, state.OS = prior.Name, prior.OS
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// diffTags returns the tags in a that are not in b, sorted.
func diffTags(a, b []string) []string {
	var out []string
	for _, t := range a {
		if !slices.Contains(b, t) {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

func (r *serverResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := shared.Decode[serverModel](ctx, r.data, serverTypeName, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	if state.DeletionProtection.ValueBool() {
		// ModifyPlan refuses such a plan already; this covers Terraform versions that do not ask
		// the provider to plan a destroy.
		refuseProtected(&state, "destroys", nil, &resp.Diagnostics)
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	client := r.data.Client
	_, err := client.Servers.ReleaseWhenAllowed(ctx, id, func(srv *flexmetal.Server, refusal error) {
		tflog.Warn(ctx, "The API refuses to release this FlexMetal server while it is being delivered; waiting for its next status to ask again", map[string]any{
			"id": id, "status": srv.Status, "refusal": refusal.Error(),
		})
	}, progressLogger(ctx, "waiting to release"))
	var refused *flexmetal.ReleaseRefusedError
	switch {
	case errors.As(err, &refused):
		resp.Diagnostics.AddError("Server Not Releasable Yet",
			fmt.Sprintf("The API refused to release server %s while it is %q, and the delete timeout of %s ran out waiting for a status it can be released in. The API's answer: %v\n\nThe server stays in the state and may be billed once delivered. Run terraform destroy again to keep waiting, or raise timeouts.delete.", id, refused.Server.Status, timeout, refused.Refusal))
		return
	case flexmetal.IsNotFound(err):
		resp.Diagnostics.AddWarning("Server Already Gone",
			fmt.Sprintf("Server %s no longer exists in FlexMetal (released or removed outside Terraform); it was removed from the state.", id))
		return
	case err != nil:
		if done := r.releaseRefused(ctx, id, err, &resp.Diagnostics); done {
			return
		}
		resp.Diagnostics.AddError("Unable to Release Server",
			fmt.Sprintf("Releasing server %s failed; it is still in the state and billing may continue. Run terraform destroy again.\n\n%s", id, shared.APIErrorDetail(err)))
		return
	}
	tflog.Info(ctx, "FlexMetal server release requested", map[string]any{"id": id})
	if _, err := client.Servers.WaitForRelease(ctx, id, progressLogger(ctx, "release")); err != nil {
		resp.Diagnostics.AddError("Server Release Did Not Complete",
			fmt.Sprintf("Server %s is being released but did not reach \"released\" in time: %v\n\nIt stays in the state; run terraform destroy again to keep waiting, or raise timeouts.delete.", id, err))
	}
}

// releaseRefused handles an API that will not release a server because of its state: a server
// already released, or failed and not releasable, is as good as deleted.
func (r *serverResource) releaseRefused(ctx context.Context, id string, releaseErr error, diags *diag.Diagnostics) bool {
	if !flexmetal.IsValidation(releaseErr) {
		return false
	}
	srv, err := r.data.Client.Servers.Get(ctx, id)
	switch {
	case flexmetal.IsNotFound(err):
		return true
	case err != nil:
		return false
	case srv.Status == flexmetal.StatusReleased:
		diags.AddWarning("Server Already Released", fmt.Sprintf("Server %s was already released outside Terraform.", id))
		return true
	case srv.Status == flexmetal.StatusFailed:
		diags.AddWarning("Failed Server Not Releasable",
			fmt.Sprintf("Server %s failed during delivery and the API refused to release it (%v). Failed servers are not billed and disappear from the API within 24 hours; it was removed from the state.", id, releaseErr))
		return true
	}
	return false
}

// ImportState takes a server UUID from `terraform import`, or from an import block's id or
// identity. Nothing is sent to the API: the read that follows fills in the rest.
func (r *serverResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, d := shared.ImportID(ctx, req)
	resp.Diagnostics.Append(d...)
	id = strings.TrimSpace(id)
	if !shared.UUIDPattern.MatchString(id) {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Expected a server UUID, got %q. Import a FlexMetal server by its UUID, e.g. terraform import flexmetal_server.web 019256ab-1554-73a7-b091-f024b0a724ea, or an import block with identity = { id = \"019256ab-1554-73a7-b091-f024b0a724ea\" }; the flexmetal_servers data source, terraform query with a list \"flexmetal_server\" block and the FlexMetal console list them.", id))
		return
	}
	resp.Diagnostics.Append(startImportedServer(ctx, resp.State.SetAttribute, id)...)
	resp.Diagnostics.Append(shared.SetIdentity(ctx, resp.Identity, id)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdoptKey, []byte(`true`))...)
}

// startImportedServer sets what an import knows of a server before the read that follows: its id,
// and allow_reinstall and deletion_protection (settings the API does not know) at their defaults,
// as for a new server. The
// flexmetal_server list resource starts its results the same way.
func startImportedServer(ctx context.Context, set func(context.Context, path.Path, any) diag.Diagnostics, id string) diag.Diagnostics {
	diags := set(ctx, path.Root("id"), id)
	diags.Append(set(ctx, path.Root("allow_reinstall"), false)...)
	diags.Append(set(ctx, path.Root("deletion_protection"), false)...)
	return diags
}
