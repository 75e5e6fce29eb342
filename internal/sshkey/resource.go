package sshkey

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

const sshKeyResourceTypeName = shared.TypeName + "_ssh_key"

var (
	_ resource.ResourceWithConfigure   = (*sshKeyResource)(nil)
	_ resource.ResourceWithImportState = (*sshKeyResource)(nil)
)

type sshKeyResource struct {
	data *shared.ProviderData
}

// NewResource returns the flexmetal_ssh_key resource.
func NewResource() resource.Resource { return &sshKeyResource{} }

func (r *sshKeyResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = sshKeyResourceTypeName
}

func (r *sshKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *sshKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An SSH public key stored in the FlexMetal account. Its `id` can stand in for the key in a server's `ssh_keys`. The API cannot change a stored key, so changing `name` or `public_key` replaces it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The key's UUID.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the key, e.g. `deploy`. Changing it replaces the key.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"public_key": schema.StringAttribute{
				MarkdownDescription: "The OpenSSH public key, one line such as `ssh-ed25519 AAAA… user@host`; typically `file(\"~/.ssh/id_ed25519.pub\")`. Surrounding white space (the file's trailing newline) is not sent to the API and does not count as a change. Private keys are refused. Changing the key replaces it.",
				Required:            true,
				Validators:          []validator.String{shared.NotPrivateKeyValidator(), shared.OpenSSHPublicKeyValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = strings.TrimSpace(req.PlanValue.ValueString()) != strings.TrimSpace(req.StateValue.ValueString())
					},
					"Replaces the key when it changes other than in surrounding white space.",
					"Replaces the key when it changes other than in surrounding white space.",
				)},
			},
			"fingerprint": schema.StringAttribute{
				MarkdownDescription: fingerprintDescription + " Known at plan time.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{fingerprintFromPublicKey{}},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the key was stored (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *sshKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := shared.Decode[sshKeyModel](ctx, r.data, sshKeyResourceTypeName, req.Plan.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	name := plan.Name.ValueString()
	key, err := r.data.Client.SSHKeys.Create(ctx, name, strings.TrimSpace(plan.PublicKey.ValueString()))
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create SSH Key",
			fmt.Sprintf("Storing SSH key %q failed.\n\n%s", name, shared.APIErrorDetail(err)))
		return
	}
	tflog.Info(ctx, "FlexMetal SSH key stored", map[string]any{"id": key.UUID, "name": key.Name})
	plan.applySSHKey(key)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(shared.SetIdentity(ctx, resp.Identity, key.UUID)...)
}

func (r *sshKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, ok := shared.Decode[sshKeyModel](ctx, r.data, sshKeyResourceTypeName, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	id := state.ID.ValueString()
	// Before anything can fail or remove the resource: a state written before identities, or just
	// imported by id, has none yet, and the framework requires one after every read.
	resp.Diagnostics.Append(shared.SetIdentity(ctx, resp.Identity, id)...)
	key, err := r.data.Client.SSHKeys.Get(ctx, id)
	if flexmetal.IsNotFound(err) {
		tflog.Warn(ctx, "FlexMetal SSH key no longer exists; removing it from state", map[string]any{"id": id})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read SSH Key",
			fmt.Sprintf("Reading SSH key %s failed.\n\n%s", id, shared.APIErrorDetail(err)))
		return
	}
	state.applySSHKey(key)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update only ever sees a public_key that changed in surrounding white space (every other
// change replaces the key), so there is nothing to send: the new spelling is recorded.
func (r *sshKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan sshKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(shared.SetIdentity(ctx, resp.Identity, plan.ID.ValueString())...)
}

func (r *sshKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := shared.Decode[sshKeyModel](ctx, r.data, sshKeyResourceTypeName, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	id := state.ID.ValueString()
	err := r.data.Client.SSHKeys.Delete(ctx, id)
	switch {
	case flexmetal.IsNotFound(err):
		tflog.Info(ctx, "FlexMetal SSH key was already deleted", map[string]any{"id": id})
	case err != nil:
		resp.Diagnostics.AddError("Unable to Delete SSH Key",
			fmt.Sprintf("Deleting SSH key %s (%s) failed; it is still in the state. Run terraform destroy again.\n\n%s", id, state.Name.ValueString(), shared.APIErrorDetail(err)))
	}
}

// ImportState takes a key UUID from `terraform import`, or from an import block's id or
// identity; the read that follows fills in the rest.
func (r *sshKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, d := shared.ImportID(ctx, req)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(shared.SetIdentity(ctx, resp.Identity, id)...)
}

// fingerprintFromPublicKey plans the fingerprint from the planned public_key, so it is known
// before the key is stored and never shows as "known after apply" for an unchanged key.
type fingerprintFromPublicKey struct{}

var _ planmodifier.String = fingerprintFromPublicKey{}

func (fingerprintFromPublicKey) Description(context.Context) string {
	return "The fingerprint of the planned public_key."
}

func (m fingerprintFromPublicKey) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (fingerprintFromPublicKey) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	var publicKey types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("public_key"), &publicKey)...)
	if resp.Diagnostics.HasError() || publicKey.IsNull() || publicKey.IsUnknown() {
		return
	}
	resp.PlanValue = fingerprintValue(publicKey.ValueString())
}
