package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// privateReinstallKey marks a server whose last reinstall was sent but did not complete
// (failed, timed out, interrupted): refreshes keep the previous name and os in state, so the
// next plan still shows the change and the next apply reinstalls again.
const privateReinstallKey = "reinstall_incomplete"

// pendingReinstall is what privateReinstallKey records of a reinstall that was sent and whose
// outcome the apply did not see: which installation it was (a hash of the request, so no secret
// is stored) and the newest reinstall command before it. A reinstall that the API then finished
// is recorded without sending it again.
type pendingReinstall struct {
	Install string `json:"install"`
	Since   string `json:"since"`
}

// installHash names an installation without storing it.
func installHash(install flexmetal.ReinstallServerRequest) string {
	body, _ := json.Marshal(install)
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// readPendingReinstall returns the pending reinstall of install, or nil when none is recorded or
// the one recorded was another installation (an older state records only that one was pending).
func readPendingReinstall(ctx context.Context, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}, install flexmetal.ReinstallServerRequest) *pendingReinstall {
	raw, d := private.GetKey(ctx, privateReinstallKey)
	var p pendingReinstall
	if d.HasError() || len(raw) == 0 || json.Unmarshal(raw, &p) != nil || !p.names(install) {
		return nil
	}
	return &p
}

// names reports whether p records install. A reinstall tag carries only the first
// reinstallMarkHashLength digits of the hash; the private state carries all of them.
func (p *pendingReinstall) names(install flexmetal.ReinstallServerRequest) bool {
	return len(p.Install) >= reinstallMarkHashLength && strings.HasPrefix(installHash(install), p.Install)
}

// reinstallFinished reports whether the pending reinstall of install finished after the plan that
// sent it: the newest reinstall command is newer than the one before it and finished, and the
// server reports the installation's name and operating system.
func reinstallFinished(pending *pendingReinstall, newest *flexmetal.Command, srv *flexmetal.Server, install flexmetal.ReinstallServerRequest) bool {
	return pending != nil && newest != nil && !sameCommand(newest.UUID, pending.Since) && newest.Finished() &&
		srv != nil && srv.Status == flexmetal.StatusDelivered && srv.Name == install.Name && srv.OSSlug == install.OS.Slug
}

// reinstallIncomplete reports whether the private state carries privateReinstallKey.
func reinstallIncomplete(ctx context.Context, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}) bool {
	raw, d := private.GetKey(ctx, privateReinstallKey)
	return !d.HasError() && len(raw) > 0
}

// Update changes tags in place and, when name, os, ssh_keys, post_install_script or
// post_install_script_wo_version changed, reinstalls the server (ModifyPlan has already turned
// those changes into a replacement when allow_reinstall is false).
func (r *serverResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, ok := shared.Decode[serverModel](ctx, r.data, serverTypeName, req.Plan.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	state, ok := shared.Decode[serverModel](ctx, r.data, serverTypeName, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	_, reinstall := plannedChanges(ctx, req.Plan.GetAttribute, req.State.GetAttribute, req.Config.GetAttribute, adopting(ctx, req.Private), &resp.Diagnostics)
	resp.Diagnostics.Append(plan.takeWriteOnly(ctx, req.Config)...)
	install, d := plan.toReinstallRequest(ctx)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	removeStaleCreationTag(ctx, r.data.Client, id, req.Private, resp.Private, &resp.Diagnostics)
	if !r.updateTags(ctx, id, plan, state, &resp.Diagnostics) {
		return
	}
	if deliveryPending(&state) {
		// What the state keeps if the wait does not end well: the tags are as planned already.
		kept := keptWithSettings(state, plan)
		srv, ok := r.finishDelivery(ctx, id, kept, resp.State.Set, &resp.Diagnostics)
		if !ok {
			return
		}
		state.fromAPI(srv)
		if len(reinstall) == 0 {
			resp.Diagnostics.Append(plan.applyServer(ctx, srv, r.data.Tags)...)
		}
	}
	if len(reinstall) > 0 {
		// A reinstall tag left by a killed run is removed once this update is over; it names the
		// pending reinstall when no refresh put that in the private state (-refresh=false).
		marked, tag := r.markedReinstall(ctx, id, install)
		if tag != "" {
			defer removeProviderTag(ctx, r.data.Client, id, tag)
		}
		pending := readPendingReinstall(ctx, req.Private, install)
		if pending == nil {
			pending = marked
		}
		srv, sent, since, err := r.reinstall(ctx, id, install, pending)
		if err != nil {
			// The tags are as planned; the installation is not: the state keeps the previous
			// values, so the next plan still shows the change.
			kept := keptWithSettings(state, plan)
			if srv != nil {
				kept.fromAPI(srv)
			}
			kept.nullUnknowns()
			resp.Diagnostics.Append(resp.State.Set(ctx, &kept)...)
			switch {
			case sent:
				record, _ := json.Marshal(pendingReinstall{Install: installHash(install), Since: since})
				resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReinstallKey, record)...)
			case pending != nil:
				// Still the earlier run's reinstall, and its tag is gone with this update:
				// the private state keeps it.
				record, _ := json.Marshal(pending)
				resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReinstallKey, record)...)
			}
			addReinstallError(ctx, &resp.Diagnostics, req.Plan.Schema, &state, timeout, sent, err)
			return
		}
		tflog.Info(ctx, "FlexMetal server reinstalled", map[string]any{"id": id, "name": srv.Name, "os": srv.OSSlug})
		resp.Diagnostics.Append(plan.applyServer(ctx, srv, r.data.Tags)...)
	}
	// Without a reinstall the computed attributes were planned as their prior values, so the
	// state keeps the plan: a status that moved on meanwhile is picked up by the next refresh
	// instead of contradicting the plan.
	plan.nullUnknowns()
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(shared.SetIdentity(ctx, resp.Identity, id)...)
	// Adopted values are now in state: later changes to them count again.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdoptKey, nil)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReinstallKey, nil)...)
}

// keptWithSettings is what to record when the machine did not end up as planned (a delivery or
// reinstall that did not complete): the prior values, with what Update changed in place anyway,
// the tags and the settings that concern Terraform alone.
func keptWithSettings(state, plan serverModel) serverModel {
	kept := state
	kept.Tags, kept.TagsAll, kept.AllowReinstall, kept.DeletionProtection, kept.Timeouts = plan.Tags, plan.TagsAll, plan.AllowReinstall, plan.DeletionProtection, plan.Timeouts
	return kept
}

// updateTags removes and adds tags until the server carries the planned tags_all (tags and the
// provider's default_tags). Ignored tags are in neither, so they stay as other tools set them.
func (r *serverResource) updateTags(ctx context.Context, id string, plan, state serverModel, diags *diag.Diagnostics) bool {
	want := knownSetStrings(plan.TagsAll)
	have := knownSetStrings(state.TagsAll)
	if state.TagsAll.IsNull() {
		// A state written before tags_all existed: what it knew of the server's tags.
		have = knownSetStrings(state.Tags)
	}
	client := r.data.Client
	for _, tag := range diffTags(have, want) {
		if _, err := client.Servers.RemoveTag(ctx, id, tag); err != nil && !flexmetal.IsNotFound(err) {
			diags.AddAttributeError(path.Root("tags"), "Unable to Remove Server Tag",
				fmt.Sprintf("Removing tag %q from server %s failed.\n\n%s", tag, id, shared.APIErrorDetail(err)))
			return false
		}
	}
	for _, tag := range diffTags(want, have) {
		if _, err := client.Servers.AddTag(ctx, id, tag); err != nil {
			diags.AddAttributeError(path.Root("tags"), "Unable to Add Server Tag",
				fmt.Sprintf("Adding tag %q to server %s failed.\n\n%s", tag, id, shared.APIErrorDetail(err)))
			return false
		}
	}
	return true
}

// reinstall sends the planned installation and waits until the server is delivered again,
// logging each status change. The server carries a reinstall tag from just before the PATCH until
// the wait ends (see shared.ReinstallTagPrefix): a run killed in between leaves it for the next
// one.
func (r *serverResource) reinstall(ctx context.Context, id string, install flexmetal.ReinstallServerRequest, pending *pendingReinstall) (srv *flexmetal.Server, sent bool, since string, err error) {
	client := r.data.Client
	var tag string
	defer func() {
		// Removed whatever the outcome: a timeout or an interrupt is recorded in the private
		// state instead, and a lost answer to the tagging may still have tagged the server.
		if tag != "" {
			removeProviderTag(ctx, client, id, tag)
		}
	}()
	mark := func(since string) {
		tag = reinstallMark(id, install, since)
		if _, err := client.Servers.AddTag(ctx, id, tag); err != nil {
			tflog.Warn(ctx, "Could not tag the FlexMetal server before reinstalling it; if this run is killed before the reinstall ends, the next apply cannot tell that it was sent", map[string]any{"id": id, "tag": tag, "error": err.Error()})
		}
	}
	return reinstallServer(ctx, client.Servers, id, install, pending, mark, func(phase string) func(*flexmetal.Server) {
		return progressLogger(ctx, phase)
	})
}

// reinstallServer sends an installation and waits until the server is delivered again: the
// day-2 machinery that the flexmetal_server resource and the flexmetal_server_reinstall action
// share. A reinstall still running (from an interrupted apply) is waited for first: a second
// PATCH would be refused, or would reinstall twice. progress returns the status callback for a
// phase ("earlier reinstall", "reinstall"). pending, when not nil, is this same installation,
// sent by an earlier apply that did not see its outcome: if the API finished it, it is not sent
// again. mark, when not nil, runs just before the PATCH is sent, with the newest command before
// it. sent says whether the API accepted a reinstall, since names the newest command before
// it; srv is the last state of the server seen, if any.
func reinstallServer(ctx context.Context, servers *flexmetal.ServersService, id string, install flexmetal.ReinstallServerRequest, pending *pendingReinstall, mark func(since string), progress func(phase string) func(*flexmetal.Server)) (srv *flexmetal.Server, sent bool, since string, err error) {
	running, newest, err := servers.ReinstallInProgress(ctx, id)
	if err != nil {
		return nil, false, "", err
	}
	if running {
		tflog.Info(ctx, "A reinstall of this FlexMetal server is still running; waiting for it before reinstalling", map[string]any{"id": id, "command": newest.UUID})
		srv, err = servers.WaitForReinstall(ctx, id, "", progress("earlier reinstall"))
		var failed *flexmetal.ReinstallFailedError
		if err != nil && !errors.As(err, &failed) {
			return srv, false, "", err
		}
		if err == nil {
			newest.State = flexmetal.CommandStateFinished
		}
	}
	if pending != nil && newest != nil {
		if srv == nil {
			if srv, err = servers.Get(ctx, id); err != nil {
				return nil, false, "", err
			}
		}
		if reinstallFinished(pending, newest, srv, install) {
			tflog.Info(ctx, "The reinstall an earlier apply sent finished meanwhile; recording it without reinstalling again", map[string]any{"id": id, "command": newest.UUID})
			return srv, false, "", nil
		}
	}
	if newest != nil {
		since = newest.UUID
	}
	if mark != nil {
		mark(since)
	}
	if srv, err = servers.Reinstall(ctx, id, install); err != nil {
		var ambiguous *flexmetal.AmbiguousReinstallError
		return srv, errors.As(err, &ambiguous), since, err
	}
	tflog.Info(ctx, "FlexMetal server reinstall requested", map[string]any{"id": id, "name": install.Name, "os": install.OS.Slug})
	srv, err = servers.WaitForReinstall(ctx, id, since, progress("reinstall"))
	return srv, true, since, err
}

// reinstallErrorKind is why a reinstall did not complete.
type reinstallErrorKind int

const (
	// reinstallNotSent: the API refused the reinstall or was never reached; the server is as it
	// was.
	reinstallNotSent reinstallErrorKind = iota
	// reinstallFailed: the API reports that the reinstall failed.
	reinstallFailed
	// reinstallTimedOut: the wait's timeout ran out; the reinstall goes on without Terraform.
	reinstallTimedOut
	// reinstallWaitStopped: the wait stopped otherwise (an interrupt); the reinstall goes on.
	reinstallWaitStopped
	// reinstallUnconfirmed: it was sent, its answer was lost, and the server's commands could not
	// be read to tell whether the API acted.
	reinstallUnconfirmed
	// reinstallWaitFailed: the API accepted it, then waiting for it failed.
	reinstallWaitFailed
)

// reinstallError is a reinstall that did not complete, as the flexmetal_server resource and the
// reinstall action both report it: each adds what happens next in its own terms.
type reinstallError struct {
	kind reinstallErrorKind
	// summary is the diagnostic's summary; what says what happened to the server. Both are
	// empty for reinstallNotSent, which the API's own error describes.
	summary, what string
}

// classifyReinstallError is the one reading of a reinstall's error. server names the server,
// timeoutName the timeout that ran (such as "update timeout") and sent whether the API accepted
// the reinstall.
func classifyReinstallError(err error, server, timeoutName string, timeout time.Duration, sent bool) reinstallError {
	var failed *flexmetal.ReinstallFailedError
	var wait *flexmetal.WaitError
	var ambiguous *flexmetal.AmbiguousReinstallError
	switch {
	case errors.As(err, &failed):
		msg := "no message"
		if failed.Server != nil && failed.Server.StatusMessage != "" {
			msg = fmt.Sprintf("%q", failed.Server.StatusMessage)
		}
		return reinstallError{reinstallFailed, "Server Reinstall Failed", fmt.Sprintf("The reinstall of %s failed; the API's message: %s.", server, msg)}
	case errors.As(err, &wait) && errors.Is(err, context.DeadlineExceeded):
		return reinstallError{reinstallTimedOut, "Server Reinstall Did Not Complete",
			fmt.Sprintf("The %s of %s ran out while %s was being reinstalled (last status %q); the reinstall goes on without Terraform.", timeoutName, timeout, server, wait.LastStatus())}
	case errors.As(err, &wait):
		return reinstallError{reinstallWaitStopped, "Server Reinstall Did Not Complete",
			fmt.Sprintf("Waiting for the reinstall of %s stopped (last status %q): %v. The reinstall goes on without Terraform.", server, wait.LastStatus(), err)}
	case errors.As(err, &ambiguous):
		return reinstallError{reinstallUnconfirmed, "Unable to Confirm Server Reinstall",
			fmt.Sprintf("The reinstall of %s was sent but its answer was lost, and the server's reinstall commands could not be read to tell whether the API acted.", server)}
	case sent:
		return reinstallError{reinstallWaitFailed, "Server Reinstall Did Not Complete", fmt.Sprintf("The reinstall of %s was accepted, but waiting for it failed.", server)}
	}
	return reinstallError{kind: reinstallNotSent}
}

// addReinstallError explains a reinstall that did not complete, and what the next plan does.
func addReinstallError(ctx context.Context, diags *diag.Diagnostics, s shared.TypedSchema, state *serverModel, timeout time.Duration, sent bool, err error) {
	server := fmt.Sprintf("server %s (%s)", state.ID.ValueString(), state.Name.ValueString())
	const next = "The state keeps the previous values, so the next plan shows the change again. If the server's status is then \"failed\", the plan replaces it (a new server is ordered); if it is \"delivered\", the next apply reinstalls it again."
	const waits = " The next apply waits for a reinstall still running before sending another."
	e := classifyReinstallError(err, server, "update timeout", timeout, sent)
	switch e.kind {
	case reinstallFailed:
		diags.AddError(e.summary, e.what+"\n\n"+next)
	case reinstallTimedOut:
		diags.AddError(e.summary, e.what+"\n\n"+next+waits+" If reinstalls take longer, raise timeouts.update.")
	case reinstallWaitStopped:
		diags.AddError(e.summary, e.what+"\n\n"+next+waits)
	case reinstallUnconfirmed:
		diags.AddError(e.summary, e.what+"\n\n"+next+" The next apply checks for a reinstall still running before sending another.\n\n"+shared.APIErrorDetail(err))
	case reinstallWaitFailed:
		diags.AddError(e.summary, e.what+"\n\n"+next+waits+"\n\n"+shared.APIErrorDetail(err))
	default:
		shared.AddAPIError(ctx, diags, s, "Unable to Reinstall Server", fmt.Sprintf("Reinstalling %s failed; the server was not changed.", server), err)
	}
}

// reinstallAlreadyFinished reports, at plan time, whether the change is a reinstall that an
// earlier apply sent and did not see finish (a timeout, Ctrl-C), and that the API has finished
// since: then the apply records the new values without reinstalling again, and the plan says so.
// It reads the API only for a server with such a pending reinstall.
func (r *serverResource) reinstallAlreadyFinished(ctx context.Context, req resource.ModifyPlanRequest, plan serverModel, state *serverModel, diags *diag.Diagnostics) bool {
	if r.data == nil {
		return false
	}
	if d := plan.takeWriteOnly(ctx, req.Config); d.HasError() {
		return false
	}
	install, d := plan.toReinstallRequest(ctx)
	pending := readPendingReinstall(ctx, req.Private, install)
	if d.HasError() || pending == nil {
		return false
	}
	id := state.ID.ValueString()
	running, newest, err := r.data.Client.Servers.ReinstallInProgress(ctx, id)
	if err != nil {
		return false
	}
	if running {
		if !sameCommand(newest.UUID, pending.Since) {
			diags.AddWarning("Reinstall Still Running",
				fmt.Sprintf("The reinstall of server %s (%s) that an earlier run sent and did not see finish is still running (command %s): applying this plan waits for it and records it, without reinstalling again unless it fails.", id, install.Name, newest.UUID))
		}
		return false
	}
	srv, err := r.data.Client.Servers.Get(ctx, id)
	if err != nil || !reinstallFinished(pending, newest, srv, install) {
		return false
	}
	diags.AddWarning("Reinstall Already Finished",
		fmt.Sprintf("The reinstall of server %s (%s) that an earlier apply sent and did not see finish has finished since (command %s): applying this plan records the new values without reinstalling again.", id, install.Name, newest.UUID))
	return true
}
