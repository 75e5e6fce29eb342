package sshkey

import (
	"context"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const sshKeysTypeName = shared.TypeName + "_ssh_keys"

var _ datasource.DataSourceWithConfigure = (*sshKeysDataSource)(nil)

type sshKeysDataSource struct {
	data *shared.ProviderData
}

// NewDataSourceList returns the flexmetal_ssh_keys data source.
func NewDataSourceList() datasource.DataSource { return &sshKeysDataSource{} }

type sshKeysDataSourceModel struct {
	ID      types.String  `tfsdk:"id"`
	SSHKeys []sshKeyModel `tfsdk:"ssh_keys"`
}

func (d *sshKeysDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = sshKeysTypeName
}

func (d *sshKeysDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *sshKeysDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the SSH public keys stored in the FlexMetal account. A key's `id` can stand in for the key itself in a server's `ssh_keys`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A hash of the listed key ids; it changes when the list does.",
				Computed:            true,
			},
			"ssh_keys": schema.ListNestedAttribute{
				MarkdownDescription: "Every stored key, oldest first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":          schema.StringAttribute{MarkdownDescription: "The key's UUID.", Computed: true},
					"name":        schema.StringAttribute{MarkdownDescription: "The key's name. Names need not be unique.", Computed: true},
					"public_key":  schema.StringAttribute{MarkdownDescription: "The OpenSSH public key, e.g. `ssh-ed25519 AAAA… user@host`.", Computed: true},
					"fingerprint": schema.StringAttribute{MarkdownDescription: fingerprintDescription, Computed: true},
					"created_at":  schema.StringAttribute{MarkdownDescription: "When the key was stored (RFC 3339).", Computed: true},
				}},
			},
		},
	}
}

func (d *sshKeysDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !shared.RequireProviderData(d.data, sshKeysTypeName, &resp.Diagnostics) {
		return
	}
	keys, err := d.data.Client.SSHKeys.List(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read SSH Keys", "Listing the stored SSH keys failed.\n\n"+shared.APIErrorDetail(err))
		return
	}
	models, ids := sshKeyModels(keys)
	state := sshKeysDataSourceModel{ID: types.StringValue(shared.ItemsID(nil, ids)), SSHKeys: models}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
