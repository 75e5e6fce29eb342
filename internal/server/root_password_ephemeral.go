package server

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

const serverRootPasswordTypeName = shared.TypeName + "_server_root_password"

var _ ephemeral.EphemeralResourceWithConfigure = (*serverRootPasswordEphemeralResource)(nil)

type serverRootPasswordEphemeralResource struct {
	data *shared.ProviderData
}

// NewRootPasswordEphemeralResource returns the flexmetal_server_root_password ephemeral
// resource.
func NewRootPasswordEphemeralResource() ephemeral.EphemeralResource {
	return &serverRootPasswordEphemeralResource{}
}

type serverRootPasswordModel struct {
	ServerID     types.String `tfsdk:"server_id"`
	RootPassword types.String `tfsdk:"root_password"`
}

func (e *serverRootPasswordEphemeralResource) Metadata(_ context.Context, _ ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = serverRootPasswordTypeName
}

func (e *serverRootPasswordEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *serverRootPasswordEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The root (Administrator) password the API generated when a Windows server was installed. It is read each time Terraform needs it and never stored in the state or a plan, so it can only be used where Terraform accepts ephemeral values: write-only arguments (such as another provider's `password_wo`), provider blocks, ephemeral variables and outputs of child modules, and `locals`. The API hands it out only within the first 24 hours after the server was delivered (or reinstalled); later, opening this resource fails. Nothing is waited for: the server must be delivered. Requires Terraform 1.10 or OpenTofu 1.11 or later.",
		Attributes: map[string]schema.Attribute{
			"server_id": schema.StringAttribute{
				MarkdownDescription: "UUID of the Windows server, e.g. `flexmetal_server.win.id`. Referencing the resource makes Terraform read the password after the server is delivered.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(shared.UUIDPattern, "must be a server UUID, e.g. \"019256ab-1554-73a7-b091-f024b0a724ea\"")},
			},
			"root_password": schema.StringAttribute{
				MarkdownDescription: "The server's root password.",
				Computed:            true,
				Sensitive:           true,
			},
		},
	}
}

// Open reads the password once. When the API has none, it looks at the server to say why.
func (e *serverRootPasswordEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	m, ok := shared.Decode[serverRootPasswordModel](ctx, e.data, serverRootPasswordTypeName, req.Config.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	id := m.ServerID.ValueString()
	password, err := e.data.Client.Servers.RootPassword(ctx, id)
	switch {
	case flexmetal.IsNotFound(err):
		e.explainMissing(ctx, id, err, &resp.Diagnostics)
		return
	case err != nil:
		resp.Diagnostics.AddError("Unable to Read Root Password",
			fmt.Sprintf("Reading the root password of server %s failed.\n\n%s", id, shared.APIErrorDetail(err)))
		return
	}
	tflog.Info(ctx, "FlexMetal server root password read", map[string]any{"id": id})
	m.RootPassword = types.StringValue(password)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// explainMissing reports a root password the API does not have, with the reason read off the
// server and its operating system.
func (e *serverRootPasswordEphemeralResource) explainMissing(ctx context.Context, id string, passwordErr error, diags *diag.Diagnostics) {
	srv, err := e.data.Client.Servers.Get(ctx, id)
	switch {
	case flexmetal.IsNotFound(err):
		diags.AddAttributeError(path.Root("server_id"), "Server Not Found",
			fmt.Sprintf("No FlexMetal server %s exists: check server_id. Released servers disappear from the API after 24 hours.", id))
		return
	case err != nil:
		diags.AddError("Root Password Not Available",
			fmt.Sprintf("The API has no root password for server %s, and reading the server to tell why failed.\n\n%s", id, shared.APIErrorDetail(err)))
		return
	}
	var osys *flexmetal.OperatingSystem
	if o, found, _, err := e.data.Catalog.OperatingSystemBySlug(ctx, srv.OSSlug); err == nil && found {
		osys = &o
	}
	summary, detail := rootPasswordUnavailable(srv, osys)
	diags.AddError(summary, detail+"\n\nAPI response: "+passwordErr.Error())
}

// rootPasswordUnavailable says why the API has no root password for srv, which runs osys (nil
// when the catalog does not say). The API keeps one for Windows servers only, from delivery
// until 24 hours later.
func rootPasswordUnavailable(srv *flexmetal.Server, osys *flexmetal.OperatingSystem) (summary, detail string) {
	server := fmt.Sprintf("server %s (%s)", srv.UUID, srv.Name)
	switch {
	case osys != nil && osys.OSGroup != osGroupWindows:
		return "Not a Windows Server", fmt.Sprintf(
			"The API has no root password for %s: it runs %s (%s), and only Windows servers get a password from the API. Log into Linux and BSD servers as root with one of their ssh_keys; remove this flexmetal_server_root_password, or point server_id at a Windows server.",
			server, osys.Name, osys.Slug)
	case srv.Status != flexmetal.StatusDelivered:
		return "Server Not Delivered", fmt.Sprintf(
			"The API has no root password for %s yet: its status is %q, and the password exists once the server is delivered. This ephemeral resource waits for nothing. Set server_id from the flexmetal_server resource (server_id = flexmetal_server.NAME.id) so that Terraform reads the password after the server is delivered, or run the command again once it is.",
			server, srv.Status)
	}
	delivered := "was delivered"
	if srv.DeliveredAt != nil {
		delivered += " at " + srv.DeliveredAt.UTC().Format(time.RFC3339)
	}
	if osys == nil {
		delivered = fmt.Sprintf("runs %q (the catalog could not tell whether that is Windows) and %s", srv.OSSlug, delivered)
	}
	return "Root Password No Longer Available", fmt.Sprintf(
		"The API has no root password for %s, which %s. The API hands out a Windows server's root password only within the first 24 hours after its installation, and that window has passed. Reset the password in the i3D.net console, or reinstall the server (this erases its disks: change post_install_script_wo_version or another reinstalling argument) and read the new password within 24 hours of its delivery.",
		server, delivered)
}
