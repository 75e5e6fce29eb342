package account

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

const tagResourceTypeName = shared.TypeName + "_tag"

var (
	_ resource.ResourceWithConfigure   = (*tagResource)(nil)
	_ resource.ResourceWithImportState = (*tagResource)(nil)
)

type tagResource struct {
	data *shared.ProviderData
}

// NewTagResource returns the flexmetal_tag resource.
func NewTagResource() resource.Resource { return &tagResource{} }

// tagResourceModel is the flexmetal_tag resource's Terraform data. The API identifies a tag by
// its name, so id is the name.
type tagResourceModel struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
}

func newTagResourceModel(t *flexmetal.Tag) tagResourceModel {
	return tagResourceModel{ID: types.StringValue(t.Name), Name: types.StringValue(t.Name)}
}

func (r *tagResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = tagResourceTypeName
}

func (r *tagResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *tagResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A tag of the FlexMetal account. Tags are account-wide: a server's `tags` can carry any of them, and a tag that a server carries is an account tag too. " +
			"Changing `name` renames the tag in place, **on every server that carries it**: a `flexmetal_server` whose `tags` still list the old name then shows drift, and its next apply puts the old tag back. " +
			"Destroying the tag removes it from every server as well.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The tag's name, which is how the API identifies it.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{idFromName{}},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The tag, e.g. `env:prod`: 1 to 64 characters from `A-Z`, `a-z`, `0-9`, `_`, `:` and `-`; the prefixes `" + shared.CreationTagPrefix + "` and `" + shared.ReinstallTagPrefix + "` are reserved for the provider. Changing it renames the tag on every server that carries it.",
				Required:            true,
				Validators:          []validator.String{shared.TagValidator(), shared.ReservedTagValidator()},
			},
		},
	}
}

// idFromName plans id as the planned name, so a rename shows its new id instead of "(known
// after apply)".
type idFromName struct{}

func (idFromName) Description(context.Context) string { return "The id is the name." }

func (idFromName) MarkdownDescription(ctx context.Context) string {
	return idFromName{}.Description(ctx)
}

func (idFromName) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	var name types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("name"), &name)...)
	if !name.IsNull() && !name.IsUnknown() {
		resp.PlanValue = name
	}
}

func (r *tagResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := shared.Decode[tagResourceModel](ctx, r.data, tagResourceTypeName, req.Plan.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	name := plan.Name.ValueString()
	tag, err := r.data.Client.Tags.Create(ctx, name)
	if err != nil {
		r.addWriteError(ctx, &resp.Diagnostics, "Unable to Create Tag", fmt.Sprintf("Creating tag %q failed", name), name, err)
		return
	}
	tflog.Info(ctx, "FlexMetal tag created", map[string]any{"tag": tag.Name})
	state := newTagResourceModel(tag)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *tagResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, ok := shared.Decode[tagResourceModel](ctx, r.data, tagResourceTypeName, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.ID.ValueString()
	tag, err := r.data.Client.Tags.Get(ctx, name)
	if flexmetal.IsNotFound(err) {
		tflog.Warn(ctx, "FlexMetal tag no longer exists; removing it from state", map[string]any{"tag": name})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Tag", fmt.Sprintf("Reading tag %q failed.\n\n%s", name, shared.APIErrorDetail(err)))
		return
	}
	state = newTagResourceModel(tag)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update renames the tag: name is its only input.
func (r *tagResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, ok := shared.Decode[tagResourceModel](ctx, r.data, tagResourceTypeName, req.Plan.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	var state tagResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	old, name := state.ID.ValueString(), plan.Name.ValueString()
	tag, err := r.data.Client.Tags.Rename(ctx, old, name)
	if flexmetal.IsNotFound(err) {
		resp.Diagnostics.AddError("Tag Not Found",
			fmt.Sprintf("Tag %q no longer exists, so it cannot be renamed to %q. Run terraform apply again: the refresh removes the old tag from the state and the apply creates %q.", old, name, name))
		return
	}
	if err != nil {
		r.addWriteError(ctx, &resp.Diagnostics, "Unable to Rename Tag", fmt.Sprintf("Renaming tag %q to %q failed; it keeps its old name", old, name), name, err)
		return
	}
	tflog.Info(ctx, "FlexMetal tag renamed on every server carrying it", map[string]any{"from": old, "to": tag.Name, "servers": tag.Servers})
	state = newTagResourceModel(tag)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *tagResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := shared.Decode[tagResourceModel](ctx, r.data, tagResourceTypeName, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.ID.ValueString()
	err := r.data.Client.Tags.Delete(ctx, name)
	switch {
	case flexmetal.IsNotFound(err):
		tflog.Info(ctx, "FlexMetal tag was already deleted", map[string]any{"tag": name})
	case err != nil:
		resp.Diagnostics.AddError("Unable to Delete Tag",
			fmt.Sprintf("Deleting tag %q failed; it is still in the state. Run terraform destroy again.\n\n%s", name, shared.APIErrorDetail(err)))
	}
}

func (r *tagResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name := strings.TrimSpace(req.ID)
	if !shared.TagPattern.MatchString(name) {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Expected a tag name such as env:prod, got %q. Import a tag by its name, e.g. terraform import flexmetal_tag.env env:prod; the flexmetal_tags data source lists them.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

// addWriteError explains a create or rename to name that the API refused. A name that is taken
// is answered 409, or 422 as the API's documentation has it for a create, so a 422 is checked by
// looking the name up before it is called invalid.
func (r *tagResource) addWriteError(ctx context.Context, diags *diag.Diagnostics, summary, what, name string, err error) {
	exists := flexmetal.IsConflict(err)
	if !exists && flexmetal.IsValidation(err) {
		_, getErr := r.data.Client.Tags.Get(ctx, name)
		exists = getErr == nil
	}
	switch {
	case exists:
		diags.AddAttributeError(path.Root("name"), "Tag Already Exists",
			fmt.Sprintf("%s: the account already has tag %q (a tag that any server carries is an account tag too). To manage that tag with Terraform, import it instead: an import block with id = %q, or terraform import ADDRESS %q with this resource's address. Otherwise choose another name.\n\n%s",
				what, name, name, name, shared.APIErrorDetail(err)))
	case flexmetal.IsValidation(err):
		diags.AddAttributeError(path.Root("name"), "Invalid Tag", what+": the API refused the name.\n\n"+shared.APIErrorDetail(err))
	default:
		diags.AddError(summary, what+".\n\n"+shared.APIErrorDetail(err))
	}
}
