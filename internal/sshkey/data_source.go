package sshkey

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

const sshKeyDataSourceTypeName = shared.TypeName + "_ssh_key"

var (
	_ datasource.DataSourceWithConfigure        = (*sshKeyDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*sshKeyDataSource)(nil)
)

type sshKeyDataSource struct {
	data *shared.ProviderData
}

// NewDataSource returns the flexmetal_ssh_key data source.
func NewDataSource() datasource.DataSource { return &sshKeyDataSource{} }

func (d *sshKeyDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = sshKeyDataSourceTypeName
}

func (d *sshKeyDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *sshKeyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one stored SSH public key by `id` or by `name` (exactly one of them). Use it to put a key that is managed elsewhere into a server's `ssh_keys`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The key's UUID. Set it to look the key up by id; otherwise it is the UUID of the key found by `name`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The key's name. Set it to look the key up by name, which must match exactly one stored key; otherwise it is the name of the key found by `id`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"public_key": schema.StringAttribute{
				MarkdownDescription: "The OpenSSH public key, e.g. `ssh-ed25519 AAAA… user@host`.",
				Computed:            true,
			},
			"fingerprint": schema.StringAttribute{
				MarkdownDescription: fingerprintDescription,
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the key was stored (RFC 3339).",
				Computed:            true,
			},
		},
	}
}

func (d *sshKeyDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *sshKeyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	cfg, ok := shared.Decode[sshKeyModel](ctx, d.data, sshKeyDataSourceTypeName, req.Config.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	var key *flexmetal.SSHKey
	if !cfg.ID.IsNull() {
		key = d.byID(ctx, cfg.ID.ValueString(), resp)
	} else {
		key = d.byName(ctx, cfg.Name.ValueString(), resp)
	}
	if key == nil {
		return
	}
	state := newSSHKeyModel(key)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (d *sshKeyDataSource) byID(ctx context.Context, id string, resp *datasource.ReadResponse) *flexmetal.SSHKey {
	key, err := d.data.Client.SSHKeys.Get(ctx, id)
	switch {
	case flexmetal.IsNotFound(err):
		resp.Diagnostics.AddAttributeError(path.Root("id"), "SSH Key Not Found",
			fmt.Sprintf("No stored SSH key has the id %q. Check the id (the flexmetal_ssh_keys data source lists the stored keys), or look the key up by name instead.", id))
		return nil
	case err != nil:
		resp.Diagnostics.AddError("Unable to Read SSH Key",
			fmt.Sprintf("Reading SSH key %s failed.\n\n%s", id, shared.APIErrorDetail(err)))
		return nil
	}
	return key
}

func (d *sshKeyDataSource) byName(ctx context.Context, name string, resp *datasource.ReadResponse) *flexmetal.SSHKey {
	keys, err := d.data.Client.SSHKeys.List(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read SSH Keys",
			fmt.Sprintf("Listing the stored SSH keys, to find the one named %q, failed.\n\n%s", name, shared.APIErrorDetail(err)))
		return nil
	}
	var matches []*flexmetal.SSHKey
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		if k.Name == name {
			matches = append(matches, k)
		}
		if !slices.Contains(names, k.Name) {
			names = append(names, k.Name)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0]
	case 0:
		detail := fmt.Sprintf("No stored SSH key is named %q.", name)
		if len(names) > 0 {
			detail += " " + shared.ChoicesText(name, names)
		} else {
			detail += " The account has no stored SSH keys."
		}
		resp.Diagnostics.AddAttributeError(path.Root("name"), "SSH Key Not Found",
			detail+" Names are case-sensitive; create the key with the flexmetal_ssh_key resource if it does not exist yet.")
	default:
		ids := make([]string, len(matches))
		for i, k := range matches {
			ids[i] = k.UUID
		}
		slices.Sort(ids)
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Several SSH Keys Have This Name",
			fmt.Sprintf("%d stored SSH keys are named %q: %s. Look the key up by id instead, or rename or delete the others.", len(matches), name, strings.Join(ids, ", ")))
	}
	return nil
}
