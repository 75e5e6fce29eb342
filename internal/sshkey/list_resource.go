package sshkey

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

var _ list.ListResourceWithConfigure = (*sshKeyListResource)(nil)

// sshKeyListResource lists the account's stored SSH keys for `terraform query`.
type sshKeyListResource struct {
	data *shared.ProviderData
}

// NewListResource returns the flexmetal_ssh_key list resource.
func NewListResource() list.ListResource { return &sshKeyListResource{} }

// sshKeyListConfigModel is the config block of a list "flexmetal_ssh_key" block.
type sshKeyListConfigModel struct {
	Name types.String `tfsdk:"name"`
}

func (r *sshKeyListResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = sshKeyResourceTypeName
}

func (r *sshKeyListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *sshKeyListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the SSH keys stored in the FlexMetal account for `terraform query` (Terraform 1.14 and later), oldest first. Each result carries the key's identity (`id`) and a display name `NAME (KEY TYPE)`; with `include_resource = true` also the `flexmetal_ssh_key` resource as an import would read it, so `terraform query -generate-config-out=FILE` writes configuration and import blocks that adopt the keys without changing them.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Only list keys with exactly this name.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
	}
}

func (r *sshKeyListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	cfg, ok := shared.Decode[sshKeyListConfigModel](ctx, r.data, sshKeyResourceTypeName, req.Config.Get, &diags)
	if !ok {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	listed, err := r.data.Client.SSHKeys.List(ctx)
	if err != nil {
		diags.AddError("Unable to List SSH Keys", fmt.Sprintf("Listing the stored SSH keys failed.\n\n%s", shared.APIErrorDetail(err)))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if name := cfg.Name.ValueString(); name != "" {
		listed = slices.DeleteFunc(listed, func(k *flexmetal.SSHKey) bool { return k.Name != name })
	}
	slices.SortFunc(listed, compareSSHKeys)
	stream.Results = shared.QueryResults(ctx, req, listed, func(k *flexmetal.SSHKey) string { return k.UUID }, sshKeyDisplayName, setImportedSSHKey)
}

// sshKeyDisplayName is how terraform query shows a key: "deploy (ssh-ed25519)".
func sshKeyDisplayName(k *flexmetal.SSHKey) string {
	keyType, _, _ := strings.Cut(k.PublicKey, " ")
	return fmt.Sprintf("%s (%s)", k.Name, keyType)
}

// setImportedSSHKey writes into out what importing the key and reading it produces.
func setImportedSSHKey(ctx context.Context, out *tfsdk.Resource, k *flexmetal.SSHKey) diag.Diagnostics {
	var m sshKeyModel
	m.applySSHKey(k)
	return out.Set(ctx, &m)
}
