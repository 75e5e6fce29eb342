package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

const (
	serverTypeName       = TypeName + "_server"
	defaultCreateTimeout = 60 * time.Minute
	defaultUpdateTimeout = 20 * time.Minute
	defaultDeleteTimeout = 20 * time.Minute
	customIPXESlug       = "custom-ipxe"
	// privateAdoptKey marks an imported server: attributes the API cannot report are taken from
	// the configuration on the next apply instead of forcing a replacement.
	privateAdoptKey = "adopt_unreported"
)

var (
	tagPattern        = regexp.MustCompile(`^[A-Za-z0-9_:-]{1,64}$`)
	contractIDPattern = regexp.MustCompile(`^[A-Z0-9_\-.]{0,240}$`)
	filesystems       = []string{"ext2", "ext3", "ext4", "xfs"}

	// unreportedPaths are inputs the API accepts at creation but never returns. They force a
	// replacement when changed, except when adopting them after an import.
	unreportedPaths = []path.Path{
		path.Root("ssh_keys"),
		path.Root("post_install_script"),
		path.Root("overflow"),
		path.Root("os").AtName("kernel_params"),
		path.Root("os").AtName("partitions"),
		path.Root("os").AtName("ipxe_script_url"),
	}
)

var (
	_ resource.ResourceWithConfigure      = (*serverResource)(nil)
	_ resource.ResourceWithImportState    = (*serverResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*serverResource)(nil)
	_ resource.ResourceWithValidateConfig = (*serverResource)(nil)
)

type serverResource struct {
	data *providerData
}

// NewServerResource returns the flexmetal_server resource.
func NewServerResource() resource.Resource { return &serverResource{} }

func (r *serverResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = serverTypeName
}

func (r *serverResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *serverResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: desc,
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A FlexMetal bare-metal server. Creating it orders the server and waits until it is `delivered`; destroying it releases the server (billing stops once it is `released`). Only `tags` change in place: every other input forces a new server.",
		Attributes: map[string]schema.Attribute{
			"id": computedString("The server's UUID."),
			"name": schema.StringAttribute{
				MarkdownDescription: "Host name of the server, e.g. `web-1.example.com`. Changing it creates a new server.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"location": schema.StringAttribute{
				MarkdownDescription: "Name of the location (data center), e.g. `EU: Rotterdam`; see the `flexmetal_locations` data source. Changing it creates a new server.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"instance_type": schema.StringAttribute{
				MarkdownDescription: "Name of the instance type (hardware configuration), e.g. `bm7.std.8`; it must be offered at `location` (see the `flexmetal_instance_types` data source). Changing it creates a new server.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"os": schema.SingleNestedAttribute{
				MarkdownDescription: "Operating system to install. Changing any of it creates a new server.",
				Required:            true,
				Attributes: map[string]schema.Attribute{
					"slug": schema.StringAttribute{
						MarkdownDescription: "Slug of the operating system, e.g. `ubuntu-2404-lts`; see the `flexmetal_operating_systems` data source.",
						Required:            true,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"kernel_params": schema.ListNestedAttribute{
						MarkdownDescription: "Kernel parameters for the PXE stage of the installation (Talos needs them; most systems do not). The API does not report them back, so they are kept as configured.",
						Optional:            true,
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"key":   schema.StringAttribute{MarkdownDescription: "Parameter name, e.g. `siderolink.api`.", Required: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
							"value": schema.StringAttribute{MarkdownDescription: "Parameter value.", Required: true},
						}},
					},
					"partitions": schema.ListNestedAttribute{
						MarkdownDescription: "Custom disk partitions; without them the OS's default scheme is used. The API does not report them back, so they are kept as configured.",
						Optional:            true,
						Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"target": schema.StringAttribute{
								MarkdownDescription: "Mount point, e.g. `/var/lib/data`.",
								Required:            true,
								Validators:          []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^/`), "must be an absolute mount point starting with \"/\", e.g. \"/data\"")},
							},
							"filesystem": schema.StringAttribute{
								MarkdownDescription: "Filesystem: one of `ext2`, `ext3`, `ext4`, `xfs`.",
								Required:            true,
								Validators:          []validator.String{stringvalidator.OneOf(filesystems...)},
							},
							"size": schema.Int64Attribute{
								MarkdownDescription: "Size in MB, or `-1` for the rest of the disk.",
								Required:            true,
								Validators:          []validator.Int64{int64validator.Any(int64validator.OneOf(-1), int64validator.AtLeast(1))},
							},
						}},
					},
					"ipxe_script_url": schema.StringAttribute{
						MarkdownDescription: "URL of a custom iPXE script. Required with, and only allowed with, the `custom-ipxe` slug.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^https?://\S+$`), "must be an http:// or https:// URL")},
					},
				},
			},
			"ssh_keys": schema.ListAttribute{
				MarkdownDescription: "SSH public keys (OpenSSH format) or UUIDs of stored keys (see `flexmetal_ssh_key`) installed for root. At least one. The API does not report them back, so they are kept as configured. Changing them creates a new server.",
				Required:            true,
				ElementType:         types.StringType,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1), notPrivateKeyValidator{}),
				},
			},
			"post_install_script": schema.StringAttribute{
				MarkdownDescription: "Script run once after the OS is installed (Linux only), e.g. a `#!/bin/bash` script. Sensitive; not reported back by the API. Changing it creates a new server.",
				Optional:            true,
				Sensitive:           true,
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Tags, each matching `[A-Za-z0-9_:-]{1,64}` (e.g. `env:prod`), at most 60. Updated in place; tags changed outside Terraform show up as drift.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators: []validator.Set{
					setvalidator.SizeAtMost(maxTags),
					setvalidator.ValueStringsAre(
						stringvalidator.RegexMatches(tagPattern, "must be 1 to 64 characters from A-Z, a-z, 0-9, '_', ':' and '-', e.g. \"env:prod\""),
						stringvalidator.RegexMatches(regexp.MustCompile(`^[^\s]*$`), "must not contain spaces"),
					),
				},
			},
			"contract_id": schema.StringAttribute{
				MarkdownDescription: "Contract of a committed capacity pool to order from (upper case letters, digits, `_`, `-`, `.`). When unset, the API chooses (committed capacity first) and reports the contract used.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(contractIDPattern, "must be upper case letters, digits, '_', '-' or '.', at most 240 characters")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplaceIfConfigured()},
			},
			"overflow": schema.BoolAttribute{
				MarkdownDescription: "Order on-demand capacity when the committed pool is full (`true`), instead of failing. Defaults to the API's behavior (`false`). Changing it creates a new server.",
				Optional:            true,
			},
			"status":         computedString("Delivery status: `delivered` once the server is ready; `failed` if delivery failed."),
			"status_message": computedString("The API's message for the status, e.g. why a delivery failed."),
			"ip_addresses": schema.ListAttribute{
				MarkdownDescription: "IP addresses of the server.",
				Computed:            true,
				ElementType:         types.StringType,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"ip_address":   computedString("The first of `ip_addresses`, for convenience."),
			"created_at":   computedString("When the server was ordered (RFC 3339)."),
			"delivered_at": computedString("When the server was delivered (RFC 3339); billing starts here."),
			"released_at":  computedString("When the server was released (RFC 3339); billing ends here. Null while the server is in use."),
			"timeouts": describedTimeouts(ctx, timeouts.Opts{
				Create:            true,
				Update:            true,
				Delete:            true,
				CreateDescription: "How long to wait for delivery (default `60m`). When it runs out, the server stays in state as tainted and is released by the next apply.",
				UpdateDescription: "How long an in-place update (tags) may take (default `20m`).",
				DeleteDescription: "How long to wait for the release (default `20m`).",
			}, "Operation timeouts, as durations such as `90m` or `1h`."),
		},
	}
}

// describedTimeouts adds a description to the timeouts attribute, which the timeouts package
// leaves without one.
func describedTimeouts(ctx context.Context, opts timeouts.Opts, description string) schema.Attribute {
	attr := timeouts.Attributes(ctx, opts)
	if nested, ok := attr.(schema.SingleNestedAttribute); ok {
		nested.MarkdownDescription = description
		return nested
	}
	return attr
}

func (r *serverResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m serverModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	osm, ok, d := m.os(ctx)
	resp.Diagnostics.Append(d...)
	if !ok || osm.Slug.IsUnknown() || osm.IPXEScriptURL.IsUnknown() {
		return
	}
	slug := osm.Slug.ValueString()
	hasIPXE := !osm.IPXEScriptURL.IsNull()
	switch {
	case slug == customIPXESlug && !hasIPXE:
		resp.Diagnostics.AddAttributeError(path.Root("os").AtName("ipxe_script_url"), "Missing iPXE Script URL",
			"The custom-ipxe operating system boots from your own iPXE script: set os.ipxe_script_url to its http(s) URL.")
	case slug != customIPXESlug && hasIPXE && !osm.Slug.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("os").AtName("ipxe_script_url"), "iPXE Script URL Not Allowed",
			fmt.Sprintf("os.ipxe_script_url only applies to the custom-ipxe operating system, but os.slug is %q. Remove ipxe_script_url, or set slug to \"custom-ipxe\".", slug))
	}
}

func (r *serverResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan serverModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *serverModel
	if !req.State.Raw.IsNull() {
		state = &serverModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	if state != nil && state.Status.ValueString() == flexmetal.StatusFailed {
		// A failed server is of no use and cannot recover: replace it, as Terraform does for a
		// tainted one. Terraform only replaces for a path whose value changes, so the planned
		// status becomes unknown (the replacement's).
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
	}
	if state != nil {
		adopting := false
		if raw, d := req.Private.GetKey(ctx, privateAdoptKey); !d.HasError() && len(raw) > 0 {
			adopting = true
		}
		r.planReplacements(ctx, req, adopting, resp)
	}
	if r.data != nil {
		r.validateAgainstCatalog(ctx, plan, state, &resp.Diagnostics)
	}
}

// planReplacements requires a new server when an input the API cannot change in place differs.
func (r *serverResource) planReplacements(ctx context.Context, req resource.ModifyPlanRequest, adopting bool, resp *resource.ModifyPlanResponse) {
	var planSlug, stateSlug types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("os").AtName("slug"), &planSlug)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("os").AtName("slug"), &stateSlug)...)
	if !planSlug.Equal(stateSlug) {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("os").AtName("slug"))
	}
	for _, p := range unreportedPaths {
		var planVal, stateVal attr.Value
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, p, &planVal)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, p, &stateVal)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if planVal == nil || stateVal == nil || planVal.Equal(stateVal) {
			continue
		}
		if adopting && stateVal.IsNull() {
			// The server was imported: the API never told us this value, so take the
			// configuration's word for it rather than rebuilding a running server.
			continue
		}
		resp.RequiresReplace = append(resp.RequiresReplace, p)
	}
}

// validateAgainstCatalog checks location, instance type and OS against the live catalog, for new
// servers and changed values only: an existing server must not fail to plan because its location
// stopped taking orders.
func (r *serverResource) validateAgainstCatalog(ctx context.Context, plan serverModel, state *serverModel, diags *diag.Diagnostics) {
	changed := func(planVal, stateVal attr.Value) bool {
		return state == nil || !planVal.Equal(stateVal)
	}
	cat := r.data.catalog
	if !plan.Location.IsUnknown() && (changed(plan.Location, stateOrNil(state, func(s *serverModel) attr.Value { return s.Location })) ||
		changed(plan.InstanceType, stateOrNil(state, func(s *serverModel) attr.Value { return s.InstanceType }))) {
		loc, ok, names, err := cat.LocationByName(ctx, plan.Location.ValueString())
		switch {
		case err != nil:
			diags.AddWarning("Unable to Check Location", "The FlexMetal catalog could not be read, so location and instance_type were not checked before apply.\n\n"+apiErrorDetail(err))
		case !ok:
			diags.AddAttributeError(path.Root("location"), "Unknown FlexMetal Location",
				fmt.Sprintf("Location %q does not exist. %s", plan.Location.ValueString(), choicesText(plan.Location.ValueString(), names)))
		case !plan.InstanceType.IsUnknown():
			types, err := cat.InstanceTypes(ctx, loc.ID)
			if err != nil {
				diags.AddWarning("Unable to Check Instance Type", "The instance types of "+loc.Name+" could not be read, so instance_type was not checked before apply.\n\n"+apiErrorDetail(err))
				break
			}
			names := make([]string, 0, len(types))
			found := false
			for _, t := range types {
				names = append(names, t.Name)
				found = found || t.Name == plan.InstanceType.ValueString()
			}
			if !found {
				diags.AddAttributeError(path.Root("instance_type"), "Instance Type Not Offered at Location",
					fmt.Sprintf("Instance type %q is not offered at %q. %s", plan.InstanceType.ValueString(), loc.Name, choicesText(plan.InstanceType.ValueString(), names)))
			}
		}
	}

	var planSlug types.String
	if osm, ok, _ := plan.os(ctx); ok {
		planSlug = osm.Slug
	}
	var stateSlug types.String
	if state != nil {
		if osm, ok, _ := state.os(ctx); ok {
			stateSlug = osm.Slug
		}
	}
	if planSlug.IsNull() || planSlug.IsUnknown() || (state != nil && planSlug.Equal(stateSlug)) {
		return
	}
	oses, err := cat.OperatingSystems(ctx)
	if err != nil {
		diags.AddWarning("Unable to Check Operating System", "The FlexMetal catalog could not be read, so os.slug was not checked before apply.\n\n"+apiErrorDetail(err))
		return
	}
	var orderable []string
	for _, o := range oses {
		if o.Slug == planSlug.ValueString() {
			if o.Orderable() {
				return
			}
			diags.AddAttributeError(path.Root("os").AtName("slug"), "Operating System Not Available for FlexMetal",
				fmt.Sprintf("Operating system %q exists but cannot be ordered with a FlexMetal server (it is inactive or not offered for FlexMetal). Choose another slug; the flexmetal_operating_systems data source lists the orderable ones.", o.Slug))
			return
		}
		if o.Orderable() {
			orderable = append(orderable, o.Slug)
		}
	}
	diags.AddAttributeError(path.Root("os").AtName("slug"), "Unknown Operating System",
		fmt.Sprintf("Operating system %q does not exist. %s", planSlug.ValueString(), choicesText(planSlug.ValueString(), orderable)))
}

func stateOrNil(state *serverModel, get func(*serverModel) attr.Value) attr.Value {
	if state == nil {
		return types.StringNull()
	}
	return get(state)
}

// choicesText names the closest valid choice and lists the others.
func choicesText(want string, choices []string) string {
	if len(choices) == 0 {
		return "The API lists no valid choices for this account."
	}
	ordered := suggest(want, choices)
	rest := append([]string{}, ordered...)
	sort.Strings(rest)
	return fmt.Sprintf("Did you mean %q? Valid values: %s.", ordered[0], quoteAll(rest))
}

func quoteAll(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

func (r *serverResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !requireProviderData(r.data, serverTypeName, &resp.Diagnostics) {
		return
	}
	var plan serverModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	order, d := plan.toCreateRequest(ctx)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(order.Tags) < maxTags {
		order.CreationTag = newCreationTag()
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	client := r.data.client
	srv, err := client.Servers.Create(ctx, order)
	if err != nil {
		var ambiguous *flexmetal.AmbiguousCreateError
		if errors.As(err, &ambiguous) {
			resp.Diagnostics.AddError("Unable to Confirm Server Creation",
				fmt.Sprintf("The order for server %q was sent but its answer was lost, and the server could not be looked up afterwards. A server tagged %q may exist: check the FlexMetal console and release it, or import it with terraform import.\n\n%s",
					order.Name, order.CreationTag, apiErrorDetail(err)))
			return
		}
		resp.Diagnostics.AddError("Unable to Create Server",
			fmt.Sprintf("Ordering server %q failed; no server was created.\n\n%s", order.Name, apiErrorDetail(err)))
		return
	}
	tflog.Info(ctx, "FlexMetal server ordered", map[string]any{"id": srv.UUID, "name": srv.Name, "status": srv.Status})

	// The server exists and is billed once delivered: record it before anything else can fail,
	// so an error from here on leaves a tainted resource instead of an orphan.
	resp.Diagnostics.Append(plan.applyServer(ctx, srv)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if order.CreationTag != "" {
		if _, err := client.Servers.RemoveTag(ctx, srv.UUID, order.CreationTag); err != nil && !flexmetal.IsNotFound(err) {
			tflog.Warn(ctx, "Could not remove the one-time creation tag; it is hidden from the tags attribute", map[string]any{"id": srv.UUID, "tag": order.CreationTag, "error": err.Error()})
		}
	}

	delivered, err := client.Servers.WaitForDelivery(ctx, srv.UUID, progressLogger(ctx, "delivery"))
	if delivered != nil {
		resp.Diagnostics.Append(plan.applyServer(ctx, delivered)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
	if err != nil {
		resp.Diagnostics.AddError("Server Delivery Did Not Complete", deliveryErrorDetail(srv, timeout, err))
	}
}

// deliveryErrorDetail explains a failed or interrupted delivery; the resource is tainted.
func deliveryErrorDetail(srv *flexmetal.Server, timeout time.Duration, err error) string {
	what := fmt.Sprintf("Server %s (%s) was ordered but is not delivered", srv.UUID, srv.Name)
	var failed *flexmetal.ServerFailedError
	var wait *flexmetal.WaitError
	switch {
	case errors.As(err, &failed):
		what = fmt.Sprintf("Server %s (%s) failed during delivery: status %q, message %q.", srv.UUID, srv.Name, failed.Server.Status, failed.Server.StatusMessage)
	case errors.As(err, &wait) && errors.Is(err, context.DeadlineExceeded):
		what += fmt.Sprintf(": the create timeout of %s ran out with the server in status %q.", timeout, wait.LastStatus())
		if wait.Last != nil && wait.Last.StatusMessage != "" {
			what += fmt.Sprintf(" The API's message: %q.", wait.Last.StatusMessage)
		}
	case errors.As(err, &wait) && errors.Is(err, context.Canceled):
		what += fmt.Sprintf(": waiting was interrupted with the server in status %q.", wait.LastStatus())
	default:
		what += ": " + err.Error()
	}
	return what + "\n\nThe server is recorded in the state as tainted, so nothing is orphaned: the next terraform apply releases it and orders a replacement (or run terraform destroy to release it). To wait longer, raise timeouts.create."
}

// progressLogger logs each status change so TF_LOG=INFO shows where a delivery or release is.
func progressLogger(ctx context.Context, phase string) func(*flexmetal.Server) {
	return func(s *flexmetal.Server) {
		tflog.Info(ctx, fmt.Sprintf("FlexMetal server %s: %s", s.UUID, s.Status), map[string]any{
			"id": s.UUID, "name": s.Name, "phase": phase, "status": s.Status, "status_message": s.StatusMessage,
		})
	}
}

func newCreationTag() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return creationTagPrefix + hex.EncodeToString(b)
}

func (r *serverResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !requireProviderData(r.data, serverTypeName, &resp.Diagnostics) {
		return
	}
	var state serverModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	srv, err := r.data.client.Servers.Refresh(ctx, state.ID.ValueString())
	if flexmetal.IsNotFound(err) {
		tflog.Warn(ctx, "FlexMetal server no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Server",
			fmt.Sprintf("Reading server %s failed.\n\n%s", state.ID.ValueString(), apiErrorDetail(err)))
		return
	}
	if srv.Status == flexmetal.StatusReleased || srv.Status == flexmetal.StatusReleasing {
		tflog.Warn(ctx, "FlexMetal server was released outside Terraform; removing it from state", map[string]any{"id": srv.UUID, "status": srv.Status})
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(state.applyServer(ctx, srv)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *serverResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !requireProviderData(r.data, serverTypeName, &resp.Diagnostics) {
		return
	}
	var plan, state serverModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	var want, have []string
	if !plan.Tags.IsNull() {
		resp.Diagnostics.Append(plan.Tags.ElementsAs(ctx, &want, false)...)
	}
	if !state.Tags.IsNull() {
		resp.Diagnostics.Append(state.Tags.ElementsAs(ctx, &have, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	client := r.data.client
	for _, tag := range diffTags(have, want) {
		if _, err := client.Servers.RemoveTag(ctx, id, tag); err != nil && !flexmetal.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("tags"), "Unable to Remove Server Tag",
				fmt.Sprintf("Removing tag %q from server %s failed.\n\n%s", tag, id, apiErrorDetail(err)))
			return
		}
	}
	for _, tag := range diffTags(want, have) {
		if _, err := client.Servers.AddTag(ctx, id, tag); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("tags"), "Unable to Add Server Tag",
				fmt.Sprintf("Adding tag %q to server %s failed.\n\n%s", tag, id, apiErrorDetail(err)))
			return
		}
	}
	// Only tags change in place. The computed attributes were planned as their prior values, so
	// the state keeps the plan: a status that moved on meanwhile is picked up by the next refresh
	// instead of contradicting the plan.
	plan.nullUnknowns()
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	// Adopted values are now in state: later changes to them replace the server again.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdoptKey, nil)...)
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
	if !requireProviderData(r.data, serverTypeName, &resp.Diagnostics) {
		return
	}
	var state serverModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
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
	client := r.data.client
	_, err := client.Servers.Release(ctx, id)
	switch {
	case flexmetal.IsNotFound(err):
		resp.Diagnostics.AddWarning("Server Already Gone",
			fmt.Sprintf("Server %s no longer exists in FlexMetal (released or removed outside Terraform); it was removed from the state.", id))
		return
	case err != nil:
		if done := r.releaseRefused(ctx, id, err, &resp.Diagnostics); done {
			return
		}
		resp.Diagnostics.AddError("Unable to Release Server",
			fmt.Sprintf("Releasing server %s failed; it is still in the state and billing may continue. Run terraform destroy again.\n\n%s", id, apiErrorDetail(err)))
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
	srv, err := r.data.client.Servers.Get(ctx, id)
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

func (r *serverResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if id == "" {
		resp.Diagnostics.AddError("Invalid Import ID", "Import a FlexMetal server by its UUID, e.g. terraform import flexmetal_server.web 019256ab-1554-73a7-b091-f024b0a724ea.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdoptKey, []byte(`true`))...)
}
