package server

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	aschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

const (
	serverReinstallActionTypeName = shared.TypeName + "_server_reinstall"
	defaultReinstallActionTimeout = 60 * time.Minute
)

var (
	_ action.ActionWithConfigure  = (*serverReinstallAction)(nil)
	_ action.ActionWithModifyPlan = (*serverReinstallAction)(nil)
)

// serverReinstallAction reinstalls a server on demand (terraform apply -invoke, or an
// action_trigger), with the day-2 machinery of the flexmetal_server resource's in-place reinstall.
type serverReinstallAction struct {
	data *shared.ProviderData
}

// NewReinstallAction returns the flexmetal_server_reinstall action.
func NewReinstallAction() action.Action { return &serverReinstallAction{} }

// serverReinstallActionModel is the action's configuration.
type serverReinstallActionModel struct {
	ServerID types.String `tfsdk:"server_id"`
	OS       types.Object `tfsdk:"os"`
	SSHKeys  types.List   `tfsdk:"ssh_keys"`
	Timeout  types.String `tfsdk:"timeout"`
}

func (a *serverReinstallAction) Metadata(_ context.Context, _ action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = serverReinstallActionTypeName
}

func (a *serverReinstallAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (a *serverReinstallAction) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	server := serverResourceSchema(ctx).Attributes
	resp.Schema = aschema.Schema{
		MarkdownDescription: "Reinstalls a FlexMetal server in place and waits until it is `delivered` again (Terraform 1.14 and later): same server and IP addresses, **disks erased**. It keeps the server's name and, unless `os` is set, its operating system. Invoke it with `terraform apply -invoke=action.flexmetal_server_reinstall.NAME`, or from a resource's `action_trigger`. The post-install script is not run again, and SSH keys are only installed when `ssh_keys` is set: the action cannot know the keys or script a `flexmetal_server` resource was created with. A server managed by a `flexmetal_server` resource keeps its state; to change its `os` or `ssh_keys` for good, change the resource instead, which reinstalls it the same way.",
		Attributes: map[string]aschema.Attribute{
			"server_id": aschema.StringAttribute{
				MarkdownDescription: "UUID of the server to reinstall, e.g. `flexmetal_server.web.id`.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(shared.UUIDPattern, "must be a server UUID, e.g. \"019256ab-1554-73a7-b091-f024b0a724ea\"")},
			},
			"os": withDescription(actionOSAttribute(server["os"]),
				"Operating system to install instead of the server's current one, as in the `os` attribute of `flexmetal_server`. Without it, the server's current operating system (`os.slug`) is installed again, without kernel parameters, custom partitions or iPXE script."),
			"ssh_keys": withDescription(mustActionAttribute(server["ssh_keys"]),
				"SSH public keys (OpenSSH format) or UUIDs of stored keys installed for root. Linux and BSD systems need at least one: the API refuses to install them without keys. Only Windows, Talos and custom iPXE install without keys. The keys the server was created with are not reused: the API does not report them."),
			"timeout": aschema.StringAttribute{
				MarkdownDescription: "How long to wait until the server is `delivered` again, as a Go duration such as `90m` (default `60m`). When it runs out the action fails, and the reinstall goes on without Terraform.",
				Optional:            true,
				Validators:          []validator.String{shared.DurationValidator(time.Minute, 24*time.Hour)},
			},
		},
	}
}

// ModifyPlan checks at plan time what the API would refuse at apply: a server that does not
// exist, an operating system that cannot be ordered, or one that needs SSH keys when ssh_keys is
// empty. Only reads are sent.
func (a *serverReinstallAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	if a.data == nil {
		return
	}
	var cfg serverReinstallActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.ServerID.IsUnknown() || cfg.OS.IsUnknown() || cfg.SSHKeys.IsUnknown() {
		return
	}
	slug := cfg.osSlug(ctx)
	if slug.IsUnknown() {
		return
	}
	if slug.IsNull() {
		srv, ok := a.server(ctx, cfg.ServerID.ValueString(), &resp.Diagnostics)
		if !ok {
			return
		}
		slug = types.StringValue(srv.OSSlug)
	}
	validateOS(ctx, a.data.Catalog, a.data.Reports, slug.ValueString(), len(cfg.SSHKeys.Elements()) == 0, &resp.Diagnostics)
}

func (a *serverReinstallAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	cfg, ok := shared.Decode[serverReinstallActionModel](ctx, a.data, serverReinstallActionTypeName, req.Config.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	timeout := defaultReinstallActionTimeout
	if s := cfg.Timeout.ValueString(); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("timeout"), "Invalid Timeout", err.Error())
			return
		}
		timeout = d
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	progress := func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}

	id := cfg.ServerID.ValueString()
	srv, ok := a.server(ctx, id, &resp.Diagnostics)
	if !ok {
		return
	}
	install, d := cfg.toReinstallRequest(ctx, srv)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	server := fmt.Sprintf("server %s (%s)", id, srv.Name)
	tflog.Info(ctx, "Reinstalling FlexMetal server (action)", map[string]any{"id": id, "name": srv.Name, "os": install.OS.Slug, "ssh_keys": len(install.SSHKeys)})
	progress(fmt.Sprintf("Reinstalling %s with %s; its disks are erased.", server, install.OS.Slug))

	done, sent, _, err := reinstallServer(ctx, a.data.Client.Servers, id, install, nil, nil, func(phase string) func(*flexmetal.Server) {
		log := progressLogger(ctx, phase)
		return func(s *flexmetal.Server) {
			log(s)
			progress(fmt.Sprintf("%s is %s (%s)", server, s.Status, phase))
		}
	})
	if err != nil {
		addReinstallActionError(ctx, &resp.Diagnostics, req.Config.Schema, server, timeout, sent, err)
		return
	}
	tflog.Info(ctx, "FlexMetal server reinstalled (action)", map[string]any{"id": id, "name": done.Name, "os": done.OSSlug, "status": done.Status})
	progress(fmt.Sprintf("Reinstalled %s with %s: %s.", server, done.OSSlug, done.Status))
}

// server reads the server the action is configured for; a missing, releasing or released one is
// an error on server_id.
func (a *serverReinstallAction) server(ctx context.Context, id string, diags *diag.Diagnostics) (*flexmetal.Server, bool) {
	srv, err := a.data.Client.Servers.Get(ctx, id)
	switch {
	case flexmetal.IsNotFound(err):
		diags.AddAttributeError(path.Root("server_id"), "Server Not Found",
			fmt.Sprintf("Server %s does not exist in this FlexMetal account, so it cannot be reinstalled. Check server_id; the flexmetal_servers data source lists the account's servers.", id))
	case err != nil:
		diags.AddError("Unable to Read Server", fmt.Sprintf("Reading server %s failed, so it was not reinstalled.\n\n%s", id, shared.APIErrorDetail(err)))
	case srv.Status == flexmetal.StatusReleasing || srv.Status == flexmetal.StatusReleased:
		diags.AddAttributeError(path.Root("server_id"), "Server Released",
			fmt.Sprintf("Server %s (%s) is %s and cannot be reinstalled.", id, srv.Name, srv.Status))
	default:
		return srv, true
	}
	return nil, false
}

// osSlug is os.slug: null when os is not set, unknown when it is not known yet.
func (m serverReinstallActionModel) osSlug(ctx context.Context) types.String {
	return serverModel{OS: m.OS}.osSlug(ctx)
}

// toReinstallRequest builds the reinstall body with the flexmetal_server resource's mapping: the
// server's own name, the configured os or else the server's current one, the configured SSH
// keys (none when unset) and no post-install script.
func (m serverReinstallActionModel) toReinstallRequest(ctx context.Context, srv *flexmetal.Server) (flexmetal.ReinstallServerRequest, diag.Diagnostics) {
	osObj := m.OS
	if osObj.IsNull() {
		var diags diag.Diagnostics
		osTypes := serverOSAttrTypes()
		osObj, diags = types.ObjectValueFrom(ctx, osTypes, serverOSModel{
			Slug:          types.StringValue(srv.OSSlug),
			KernelParams:  nullList(osTypes["kernel_params"]),
			Partitions:    nullList(osTypes["partitions"]),
			IPXEScriptURL: types.StringNull(),
		})
		if diags.HasError() {
			return flexmetal.ReinstallServerRequest{}, diags
		}
	}
	return serverModel{Name: types.StringValue(srv.Name), OS: osObj, SSHKeys: m.SSHKeys}.toReinstallRequest(ctx)
}

// addReinstallActionError explains a reinstall by the action that did not complete.
func addReinstallActionError(ctx context.Context, diags *diag.Diagnostics, s shared.TypedSchema, server string, timeout time.Duration, sent bool, err error) {
	const again = "Invoking the action again waits for a reinstall still running, then reinstalls once more."
	e := classifyReinstallError(err, server, "timeout", timeout, sent)
	switch e.kind {
	case reinstallFailed:
		diags.AddError(e.summary, e.what+` A flexmetal_server resource managing it plans a replacement if its status stays "failed".`)
	case reinstallTimedOut:
		diags.AddError(e.summary, e.what+" If reinstalls take longer, raise the action's timeout. "+again)
	case reinstallWaitStopped:
		diags.AddError(e.summary, e.what+" "+again)
	case reinstallUnconfirmed:
		diags.AddError(e.summary, e.what+" Check the server's status before invoking the action again.\n\n"+shared.APIErrorDetail(err))
	case reinstallWaitFailed:
		diags.AddError(e.summary, e.what+" "+again+"\n\n"+shared.APIErrorDetail(err))
	default:
		shared.AddAPIError(ctx, diags, s, "Unable to Reinstall Server", fmt.Sprintf("Reinstalling %s failed; the server was not changed.", server), err)
	}
}

// mustActionAttribute renders a flexmetal_server attribute for the action's schema, with the
// same type, requiredness and validators, so the two cannot drift apart. It panics on an
// attribute kind it does not know, which the schema tests catch.
func mustActionAttribute(a rschema.Attribute) aschema.Attribute {
	switch a := a.(type) {
	case rschema.StringAttribute:
		return aschema.StringAttribute{MarkdownDescription: a.MarkdownDescription, Required: a.Required, Optional: a.Optional, Validators: a.Validators}
	case rschema.Int64Attribute:
		return aschema.Int64Attribute{MarkdownDescription: a.MarkdownDescription, Required: a.Required, Optional: a.Optional, Validators: a.Validators}
	case rschema.ListAttribute:
		return aschema.ListAttribute{MarkdownDescription: a.MarkdownDescription, Required: a.Required, Optional: a.Optional, ElementType: a.ElementType, Validators: a.Validators}
	case rschema.ListNestedAttribute:
		return aschema.ListNestedAttribute{MarkdownDescription: a.MarkdownDescription, Required: a.Required, Optional: a.Optional, Validators: a.Validators,
			NestedObject: aschema.NestedAttributeObject{Attributes: mustActionAttributes(a.NestedObject.Attributes), Validators: a.NestedObject.Validators}}
	case rschema.SingleNestedAttribute:
		return aschema.SingleNestedAttribute{MarkdownDescription: a.MarkdownDescription, Required: a.Required, Optional: a.Optional, Validators: a.Validators,
			Attributes: mustActionAttributes(a.Attributes)}
	}
	panic(fmt.Sprintf("mustActionAttribute: %T is not supported", a))
}

func mustActionAttributes(attrs map[string]rschema.Attribute) map[string]aschema.Attribute {
	out := make(map[string]aschema.Attribute, len(attrs))
	for name, a := range attrs {
		out[name] = mustActionAttribute(a)
	}
	return out
}

// actionOSAttribute is the resource's os attribute for the action: the nested attributes whose
// descriptions speak of the resource's state get the action's own.
func actionOSAttribute(os rschema.Attribute) aschema.Attribute {
	a, ok := mustActionAttribute(os).(aschema.SingleNestedAttribute)
	if !ok {
		panic("actionOSAttribute: os is not a single nested attribute")
	}
	for name, description := range map[string]string{
		"kernel_params": "Kernel parameters for the PXE stage of the installation (Talos needs them; most systems do not).",
		"partitions":    "Custom disk partitions; without them the operating system's default scheme is used.",
	} {
		nested, ok := a.Attributes[name].(aschema.ListNestedAttribute)
		if !ok {
			panic("actionOSAttribute: os." + name + " is not a list nested attribute")
		}
		nested.MarkdownDescription = description
		a.Attributes[name] = nested
	}
	return a
}

// withDescription makes a top-level attribute optional with the action's own description: the
// resource's speaks of changes to the resource.
func withDescription(a aschema.Attribute, description string) aschema.Attribute {
	switch a := a.(type) {
	case aschema.SingleNestedAttribute:
		a.MarkdownDescription, a.Required, a.Optional = description, false, true
		return a
	case aschema.ListAttribute:
		a.MarkdownDescription, a.Required, a.Optional = description, false, true
		return a
	}
	panic(fmt.Sprintf("withDescription: %T is not supported", a))
}
