package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// privateAdoptKey marks an imported server: attributes the API cannot report are taken from the
// configuration on the next apply instead of forcing a replacement.
const privateAdoptKey = "adopt_unreported"

// replaceWhen says when a change to an input replaces the server.
type replaceWhen int

const (
	// replaceOnChange replaces on any change of the planned value.
	replaceOnChange replaceWhen = iota
	// replaceIfConfigured replaces only when the configuration sets the value: an optional and
	// computed input left unset keeps what the API chose.
	replaceIfConfigured
	// replaceUnlessAdopting replaces on a change, except on the first apply after an import: the
	// API never reports these inputs, so an imported server has no value to compare with.
	replaceUnlessAdopting
)

// serverReplacements is every input the API cannot change on an existing server: the one place
// that decides what replaces a server. Inputs missing here (tags) are updated in place.
var serverReplacements = []struct {
	path path.Path
	when replaceWhen
}{
	{path.Root("name"), replaceOnChange},
	{path.Root("location"), replaceOnChange},
	{path.Root("instance_type"), replaceOnChange},
	{path.Root("contract_id"), replaceIfConfigured},
	{path.Root("os").AtName("slug"), replaceOnChange},
	{path.Root("os").AtName("kernel_params"), replaceUnlessAdopting},
	{path.Root("os").AtName("partitions"), replaceUnlessAdopting},
	{path.Root("os").AtName("ipxe_script_url"), replaceUnlessAdopting},
	{path.Root("ssh_keys"), replaceUnlessAdopting},
	{path.Root("post_install_script"), replaceUnlessAdopting},
	{path.Root("overflow"), replaceUnlessAdopting},
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
		raw, d := req.Private.GetKey(ctx, privateAdoptKey)
		adopting := !d.HasError() && len(raw) > 0
		resp.RequiresReplace = append(resp.RequiresReplace, planReplacements(ctx, req, adopting, &resp.Diagnostics)...)
	}
	if r.data != nil {
		r.validateAgainstCatalog(ctx, plan, state, &resp.Diagnostics)
	}
}

// planReplacements returns the paths of serverReplacements whose change replaces the server.
func planReplacements(ctx context.Context, req resource.ModifyPlanRequest, adopting bool, diags *diag.Diagnostics) path.Paths {
	var out path.Paths
	for _, rule := range serverReplacements {
		var planVal, stateVal, configVal attr.Value
		diags.Append(req.Plan.GetAttribute(ctx, rule.path, &planVal)...)
		diags.Append(req.State.GetAttribute(ctx, rule.path, &stateVal)...)
		diags.Append(req.Config.GetAttribute(ctx, rule.path, &configVal)...)
		if diags.HasError() {
			return nil
		}
		if planVal == nil || stateVal == nil || planVal.Equal(stateVal) {
			continue
		}
		switch {
		case rule.when == replaceIfConfigured && (configVal == nil || configVal.IsNull()):
			continue
		case rule.when == replaceUnlessAdopting && adopting && stateVal.IsNull():
			// The server was imported: the API never told us this value, so take the
			// configuration's word for it rather than rebuilding a running server.
			continue
		}
		out = append(out, rule.path)
	}
	return out
}

// validateAgainstCatalog checks location, instance type and OS against the live catalog, for new
// servers and changed values only: an existing server must not fail to plan because its location
// stopped taking orders.
func (r *serverResource) validateAgainstCatalog(ctx context.Context, plan serverModel, state *serverModel, diags *diag.Diagnostics) {
	cat := r.data.catalog
	if !plan.Location.IsUnknown() && (state == nil || !plan.Location.Equal(state.Location) || !plan.InstanceType.Equal(state.InstanceType)) {
		loc, ok, names, err := cat.LocationByName(ctx, plan.Location.ValueString())
		switch {
		case err != nil:
			diags.AddWarning("Unable to Check Location", "The FlexMetal catalog could not be read, so location and instance_type were not checked before apply.\n\n"+apiErrorDetail(err))
		case !ok:
			diags.AddAttributeError(path.Root("location"), "Unknown FlexMetal Location",
				fmt.Sprintf("Location %q does not exist. %s", plan.Location.ValueString(), choicesText(plan.Location.ValueString(), names)))
		case !plan.InstanceType.IsUnknown():
			_, ok, names, err := cat.InstanceTypeByName(ctx, loc, plan.InstanceType.ValueString())
			switch {
			case err != nil:
				diags.AddWarning("Unable to Check Instance Type", "The instance types of "+loc.Name+" could not be read, so instance_type was not checked before apply.\n\n"+apiErrorDetail(err))
			case !ok:
				diags.AddAttributeError(path.Root("instance_type"), "Instance Type Not Offered at Location",
					fmt.Sprintf("Instance type %q is not offered at %q. %s", plan.InstanceType.ValueString(), loc.Name, choicesText(plan.InstanceType.ValueString(), names)))
			}
		}
	}

	planSlug := plan.osSlug(ctx)
	if planSlug.IsNull() || planSlug.IsUnknown() || (state != nil && planSlug.Equal(state.osSlug(ctx))) {
		return
	}
	slug := planSlug.ValueString()
	osys, ok, orderable, err := cat.OperatingSystemBySlug(ctx, slug)
	switch {
	case err != nil:
		diags.AddWarning("Unable to Check Operating System", "The FlexMetal catalog could not be read, so os.slug was not checked before apply.\n\n"+apiErrorDetail(err))
	case !ok:
		diags.AddAttributeError(path.Root("os").AtName("slug"), "Unknown Operating System",
			fmt.Sprintf("Operating system %q does not exist. %s", slug, choicesText(slug, orderable)))
	case !osys.Orderable():
		diags.AddAttributeError(path.Root("os").AtName("slug"), "Operating System Not Available for FlexMetal",
			fmt.Sprintf("Operating system %q exists but cannot be ordered with a FlexMetal server (it is inactive or not offered for FlexMetal). Choose another slug; the flexmetal_operating_systems data source lists the orderable ones.", osys.Slug))
	}
}
