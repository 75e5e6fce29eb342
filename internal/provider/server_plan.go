package provider

import (
	"context"
	"fmt"
	"sync"

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

var (
	osSlugPath = path.Root("os").AtName("slug")
	ipxePath   = path.Root("os").AtName("ipxe_script_url")
)

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
	{osSlugPath, replaceOnChange},
	{path.Root("os").AtName("kernel_params"), replaceUnlessAdopting},
	{path.Root("os").AtName("partitions"), replaceUnlessAdopting},
	{ipxePath, replaceUnlessAdopting},
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
		resp.Diagnostics.AddAttributeError(configLinePath(ipxePath), "Missing iPXE Script URL",
			"The custom-ipxe operating system boots from your own iPXE script: set os.ipxe_script_url to its http(s) URL.")
	case slug != customIPXESlug && hasIPXE && !osm.Slug.IsNull():
		resp.Diagnostics.AddAttributeError(configLinePath(ipxePath), "iPXE Script URL Not Allowed",
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
// stopped taking orders. The OS list is read while the location and its instance types are, so a
// slow API costs two round trips, not three. A catalog that cannot be read is a warning (the API
// judges at apply), unless the API refused the credentials or could not be reached: then no apply
// can succeed, and the plan fails.
func (r *serverResource) validateAgainstCatalog(ctx context.Context, plan serverModel, state *serverModel, diags *diag.Diagnostics) {
	cat := r.data.catalog
	var osDiags diag.Diagnostics
	var wg sync.WaitGroup
	if planSlug := plan.osSlug(ctx); !planSlug.IsNull() && !planSlug.IsUnknown() && (state == nil || !planSlug.Equal(state.osSlug(ctx))) {
		wg.Go(func() { validateOS(ctx, cat, planSlug.ValueString(), &osDiags) })
	}
	if !plan.Location.IsUnknown() && (state == nil || !plan.Location.Equal(state.Location) || !plan.InstanceType.Equal(state.InstanceType)) {
		validateLocation(ctx, cat, plan.Location.ValueString(), plan.InstanceType, diags)
	}
	wg.Wait()
	diags.Append(osDiags...)
}

// validateLocation checks that a location exists and, when known, that it offers instanceType.
func validateLocation(ctx context.Context, cat *catalog, location string, instanceType types.String, diags *diag.Diagnostics) {
	loc, ok, names, err := cat.LocationByName(ctx, location)
	switch {
	case err != nil:
		addCatalogError(diags, "Location", "location and instance_type", err)
	case !ok:
		diags.AddAttributeError(path.Root("location"), "Unknown FlexMetal Location",
			fmt.Sprintf("Location %q does not exist. %s", location, choicesText(location, names)))
	case !instanceType.IsUnknown():
		name := instanceType.ValueString()
		_, ok, names, err := cat.InstanceTypeByName(ctx, loc, name)
		switch {
		case err != nil:
			addCatalogError(diags, "Instance Type", "instance_type (offered at "+loc.Name+")", err)
		case !ok:
			diags.AddAttributeError(path.Root("instance_type"), "Instance Type Not Offered at Location",
				fmt.Sprintf("Instance type %q is not offered at %q. %s", name, loc.Name, choicesText(name, names)))
		}
	}
}

// validateOS checks that an operating system exists and can be ordered with a FlexMetal server.
func validateOS(ctx context.Context, cat *catalog, slug string, diags *diag.Diagnostics) {
	osys, ok, orderable, err := cat.OperatingSystemBySlug(ctx, slug)
	switch {
	case err != nil:
		addCatalogError(diags, "Operating System", "os.slug", err)
	case !ok:
		diags.AddAttributeError(configLinePath(osSlugPath), "Unknown Operating System",
			fmt.Sprintf("os.slug: operating system %q does not exist. %s", slug, choicesText(slug, orderable)))
	case !osys.Orderable():
		diags.AddAttributeError(configLinePath(osSlugPath), "Operating System Not Available for FlexMetal",
			fmt.Sprintf("os.slug: operating system %q exists but cannot be ordered with a FlexMetal server: %s. Choose another slug; the flexmetal_operating_systems data source lists the orderable ones.", osys.Slug, whyNotOrderable(osys)))
	}
}

// whyNotOrderable names what keeps an operating system from being ordered.
func whyNotOrderable(o flexmetal.OperatingSystem) string {
	switch {
	case !bool(o.Active) && !bool(o.AvailableForFlexMetal):
		return "it is inactive, and not offered for FlexMetal"
	case !bool(o.Active):
		return "it is inactive (no longer installed on new servers)"
	default:
		return "it is not offered for FlexMetal servers"
	}
}

// addCatalogError reports a catalog read that failed during plan, for the check of what (Location,
// Instance Type, Operating System) on the attributes named by attrs. It is an error when the API
// cannot be used at all as configured, a warning otherwise.
func addCatalogError(diags *diag.Diagnostics, what, attrs string, err error) {
	detail := apiErrorDetail(err)
	switch {
	case flexmetal.IsUnauthorized(err):
		diags.AddError("FlexMetal API Refused the Credentials",
			"The plan reads the FlexMetal catalog to check "+attrs+", and the API refused the credentials, so no apply could succeed.\n\n"+detail)
	case flexmetal.IsUnreachable(err):
		diags.AddError("Unable to Reach the FlexMetal API",
			"The plan reads the FlexMetal catalog to check "+attrs+", and the API could not be reached, so no apply could succeed.\n\n"+detail)
	default:
		diags.AddWarning("Unable to Check "+what,
			"The FlexMetal catalog could not be read, so "+attrs+" was not checked before apply.\n\n"+detail)
	}
}
