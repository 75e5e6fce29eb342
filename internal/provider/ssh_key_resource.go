package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

const sshKeyResourceTypeName = TypeName + "_ssh_key"

var (
	_ resource.ResourceWithConfigure   = (*sshKeyResource)(nil)
	_ resource.ResourceWithImportState = (*sshKeyResource)(nil)
)

type sshKeyResource struct {
	data *providerData
}

// NewSSHKeyResource returns the flexmetal_ssh_key resource.
func NewSSHKeyResource() resource.Resource { return &sshKeyResource{} }

func (r *sshKeyResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = sshKeyResourceTypeName
}

func (r *sshKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
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
				Validators:          []validator.String{notPrivateKeyValidator{}, openSSHPublicKeyValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = strings.TrimSpace(req.PlanValue.ValueString()) != strings.TrimSpace(req.StateValue.ValueString())
					},
					"Replaces the key when it changes other than in surrounding white space.",
					"Replaces the key when it changes other than in surrounding white space.",
				)},
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
	if !requireProviderData(r.data, sshKeyResourceTypeName, &resp.Diagnostics) {
		return
	}
	var plan sshKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := plan.Name.ValueString()
	key, err := r.data.client.SSHKeys.Create(ctx, name, strings.TrimSpace(plan.PublicKey.ValueString()))
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create SSH Key",
			fmt.Sprintf("Storing SSH key %q failed.\n\n%s", name, apiErrorDetail(err)))
		return
	}
	tflog.Info(ctx, "FlexMetal SSH key stored", map[string]any{"id": key.UUID, "name": key.Name})
	plan.applySSHKey(key)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *sshKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !requireProviderData(r.data, sshKeyResourceTypeName, &resp.Diagnostics) {
		return
	}
	var state sshKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	key, err := r.data.client.SSHKeys.Get(ctx, id)
	if flexmetal.IsNotFound(err) {
		tflog.Warn(ctx, "FlexMetal SSH key no longer exists; removing it from state", map[string]any{"id": id})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read SSH Key",
			fmt.Sprintf("Reading SSH key %s failed.\n\n%s", id, apiErrorDetail(err)))
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
}

func (r *sshKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !requireProviderData(r.data, sshKeyResourceTypeName, &resp.Diagnostics) {
		return
	}
	var state sshKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	err := r.data.client.SSHKeys.Delete(ctx, id)
	switch {
	case flexmetal.IsNotFound(err):
		tflog.Info(ctx, "FlexMetal SSH key was already deleted", map[string]any{"id": id})
	case err != nil:
		resp.Diagnostics.AddError("Unable to Delete SSH Key",
			fmt.Sprintf("Deleting SSH key %s (%s) failed; it is still in the state. Run terraform destroy again.\n\n%s", id, state.Name.ValueString(), apiErrorDetail(err)))
	}
}

func (r *sshKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// openSSHPublicKeyPattern is one OpenSSH public key line: type, base64 key data, optional comment.
var openSSHPublicKeyPattern = regexp.MustCompile(`^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$`)

// openSSHPublicKeyValidator requires a value that looks like one OpenSSH public key, ignoring
// surrounding white space, so a wrong file or a mangled paste fails at plan time.
type openSSHPublicKeyValidator struct{}

var _ validator.String = openSSHPublicKeyValidator{}

func (openSSHPublicKeyValidator) Description(context.Context) string {
	return "must be one OpenSSH public key line, such as \"ssh-ed25519 AAAA... user@host\""
}

func (v openSSHPublicKeyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (openSSHPublicKeyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	value := strings.TrimSpace(req.ConfigValue.ValueString())
	if strings.Contains(value, "PRIVATE KEY") || openSSHPublicKeyPattern.MatchString(value) {
		// Private keys get notPrivateKeyValidator's more pointed message.
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid SSH Public Key",
		fmt.Sprintf("The %s %s. It must be one OpenSSH public key line: a key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521 or sk-*@openssh.com), a space, the base64 key data and an optional comment. Use the contents of your .pub file, e.g. file(\"~/.ssh/id_ed25519.pub\").",
			req.Path, publicKeyProblem(value)))
}

// publicKeyProblem says what is wrong with a value that is not an OpenSSH public key, without
// repeating more of it than its first word.
func publicKeyProblem(value string) string {
	fields := strings.Fields(value)
	switch {
	case value == "":
		return "is empty"
	case strings.HasPrefix(value, "----"):
		return "is in PEM or RFC 4716 format, not OpenSSH format; convert it with ssh-keygen -i -f KEYFILE, or use the .pub file ssh-keygen wrote"
	case strings.ContainsAny(value, "\r\n"):
		return "spans several lines; give exactly one key (one flexmetal_ssh_key per key)"
	case !openSSHPublicKeyPattern.MatchString(fields[0] + " AAAA"):
		word := fields[0]
		if len(word) > 24 {
			word = word[:24] + "…"
		}
		return fmt.Sprintf("starts with %q, which is not an OpenSSH key type", word)
	case len(fields) < 2:
		return "has a key type but no key data"
	default:
		return "has key data that is not base64, or is separated from the type by more than one space"
	}
}
