package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// privateAdoptKey marks an imported server: attributes the API cannot report are taken from the
// configuration on the next apply instead of forcing a replacement.
const privateAdoptKey = "adopt_unreported"

var (
	osSlugPath = path.Root("os").AtName("slug")
	ipxePath   = path.Root("os").AtName("ipxe_script_url")
)

// changeEffect is what a change to an input does to an existing server.
type changeEffect int

const (
	// replaces: the API cannot change it; a new server is ordered.
	replaces changeEffect = iota
	// reinstalls: the server is reinstalled in place (PATCH), or replaced when allow_reinstall
	// is false.
	reinstalls
	// updatesInPlace: Update changes it without touching the machine (tags through the tag
	// endpoints) or it only concerns Terraform (allow_reinstall, deletion_protection, timeouts).
	updatesInPlace
	// versioned: a write-only input, null in every plan and state; the change of its _version
	// input stands for it.
	versioned
)

// serverInputRules is every input of flexmetal_server and what changing it does to an existing
// server: the one place that decides it. A test checks that every configurable attribute of the
// schema has its rule, so a new input cannot be saved to state and silently never sent.
var serverInputRules = []struct {
	path   path.Path
	effect changeEffect
	// ifConfigured: only a value the configuration sets counts; an optional and computed input
	// left unset keeps what the API chose.
	ifConfigured bool
	// unreported: the API never reports it, so an imported server has no value to compare with:
	// the first apply after an import takes the configuration's value without any change.
	unreported bool
}{
	{path: path.Root("name"), effect: reinstalls},
	{path: path.Root("location"), effect: replaces},
	{path: path.Root("instance_type"), effect: replaces},
	{path: path.Root("contract_id"), effect: replaces, ifConfigured: true},
	{path: path.Root("overflow"), effect: replaces, unreported: true},
	{path: osSlugPath, effect: reinstalls},
	{path: path.Root("os").AtName("kernel_params"), effect: reinstalls, unreported: true},
	{path: path.Root("os").AtName("partitions"), effect: reinstalls, unreported: true},
	{path: ipxePath, effect: reinstalls, unreported: true},
	{path: path.Root("ssh_keys"), effect: reinstalls, unreported: true},
	{path: path.Root("post_install_script"), effect: reinstalls, unreported: true},
	// post_install_script_wo itself is write-only: always null in plan and state, so its
	// version stands for it.
	{path: path.Root("post_install_script_wo_version"), effect: reinstalls, unreported: true},
	{path: path.Root("post_install_script_wo"), effect: versioned},
	{path: path.Root("tags"), effect: updatesInPlace},
	{path: path.Root("allow_reinstall"), effect: updatesInPlace},
	{path: path.Root("deletion_protection"), effect: updatesInPlace},
	{path: path.Root("timeouts"), effect: updatesInPlace},
}

// attributeGetter reads one attribute of a plan, state or configuration.
type attributeGetter func(ctx context.Context, p path.Path, target any) diag.Diagnostics

// plannedChanges sorts the inputs whose planned value differs from the state by serverInputRules:
// those that replace the server and those that reinstall it. adopting is true on the first apply
// after an import.
func plannedChanges(ctx context.Context, plan, state, config attributeGetter, adopting bool, diags *diag.Diagnostics) (replace, reinstall path.Paths) {
	for _, rule := range serverInputRules {
		if rule.effect != replaces && rule.effect != reinstalls {
			continue
		}
		var planVal, stateVal, configVal attr.Value
		diags.Append(plan(ctx, rule.path, &planVal)...)
		diags.Append(state(ctx, rule.path, &stateVal)...)
		diags.Append(config(ctx, rule.path, &configVal)...)
		if diags.HasError() {
			return nil, nil
		}
		switch {
		case planVal == nil || stateVal == nil || planVal.Equal(stateVal):
		case rule.ifConfigured && (configVal == nil || configVal.IsNull()):
		case rule.unreported && adopting && stateVal.IsNull():
		case rule.effect == replaces:
			replace = append(replace, rule.path)
		default:
			reinstall = append(reinstall, rule.path)
		}
	}
	return replace, reinstall
}

// adopting reports whether the private state marks a server imported and not yet applied.
func adopting(ctx context.Context, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}) bool {
	raw, d := private.GetKey(ctx, privateAdoptKey)
	return !d.HasError() && len(raw) > 0
}

func (r *serverResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m serverModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.PostInstallScript.IsNull() && !m.PostInstallScriptWO.IsNull() {
		resp.Diagnostics.AddAttributeError(postInstallScriptWOPath, "Conflicting Post-Install Scripts",
			"post_install_script and post_install_script_wo both set the post-install script: keep one. post_install_script_wo (with post_install_script_wo_version) keeps the script out of the state and plan files; post_install_script stores it there, marked sensitive.")
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
		resp.Diagnostics.AddAttributeError(shared.ConfigLinePath(ipxePath), "Missing iPXE Script URL",
			"The custom-ipxe operating system boots from your own iPXE script: set os.ipxe_script_url to its http(s) URL.")
	case slug != customIPXESlug && hasIPXE && !osm.Slug.IsNull():
		resp.Diagnostics.AddAttributeError(shared.ConfigLinePath(ipxePath), "iPXE Script URL Not Allowed",
			fmt.Sprintf("os.ipxe_script_url only applies to the custom-ipxe operating system, but os.slug is %q. Remove ipxe_script_url, or set slug to \"custom-ipxe\".", slug))
	}
}

func (r *serverResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state *serverModel
	if !req.State.Raw.IsNull() {
		state = &serverModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if req.Plan.Raw.IsNull() {
		// Destroy: the plan is null, whether the resource block was deleted or terraform destroy
		// was run, so only the state can say the server is protected.
		if state != nil && state.DeletionProtection.ValueBool() {
			refuseProtected(state, "destroys", nil, &resp.Diagnostics)
		}
		return
	}
	var plan serverModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.planTagsAll(ctx, plan, resp)

	if state != nil && state.Status.ValueString() == flexmetal.StatusFailed {
		// A failed server is of no use and cannot recover: replace it, as Terraform does for a
		// tainted one. Terraform only replaces for a path whose value changes, so the planned
		// status becomes unknown (the replacement's).
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
	}
	if deliveryPending(state) {
		planDeliveryWait(ctx, state, resp)
	}
	if state != nil {
		replace, reinstall := plannedChanges(ctx, req.Plan.GetAttribute, req.State.GetAttribute, req.Config.GetAttribute, adopting(ctx, req.Private), &resp.Diagnostics)
		resp.RequiresReplace = append(resp.RequiresReplace, replace...)
		// A reinstall that an earlier apply sent and the API finished since is recorded, not sent
		// again (reinstallServer): it neither reinstalls nor replaces.
		finished := len(reinstall) > 0 && r.reinstallAlreadyFinished(ctx, req, plan, state, &resp.Diagnostics)
		inPlace := len(reinstall) > 0 && !finished && (plan.AllowReinstall.ValueBool() || plan.AllowReinstall.IsUnknown())
		switch {
		case len(reinstall) == 0 || finished:
		case inPlace:
			warnReinstall(state, reinstall, &resp.Diagnostics)
			// A reinstall delivers the server again: these are only known after it.
			for _, name := range []string{"status", "status_message", "delivered_at"} {
				resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), types.StringUnknown())...)
			}
		default:
			// Only when the erasing change alone replaces the server: a reinstall would not keep
			// one that is replaced anyway (its location changed, or it failed).
			if len(resp.RequiresReplace) == 0 {
				warnReplaceForReinstall(state, reinstall, &resp.Diagnostics)
			}
			resp.RequiresReplace = append(resp.RequiresReplace, reinstall...)
		}
		if state.DeletionProtection.ValueBool() {
			switch {
			case len(resp.RequiresReplace) > 0:
				refuseProtected(state, "replaces", resp.RequiresReplace, &resp.Diagnostics)
			case inPlace:
				refuseProtected(state, "reinstalls", reinstall, &resp.Diagnostics)
			}
		}
	}
	if r.data != nil {
		r.validateAgainstCatalog(ctx, plan, state, !secondPlanOfReplacement(ctx, req, state), &resp.Diagnostics)
	}
	// Last: it needs the replacements decided above.
	r.warnOverQuota(ctx, req, resp, plan, state)
}

// planTagsAll plans tags_all as tags and the provider's default_tags, unknown while either is
// (so the apply may fill in any value without an inconsistent plan), and refuses configured tags
// that the provider would ignore.
func (r *serverResource) planTagsAll(ctx context.Context, plan serverModel, resp *resource.ModifyPlanResponse) {
	tagsKnown := !plan.Tags.IsUnknown() && !slices.ContainsFunc(plan.Tags.Elements(), attr.Value.IsUnknown)
	var tc shared.TagConventions
	if r.data != nil {
		tc = r.data.Tags
	}
	tags := knownSetStrings(plan.Tags)
	for _, tag := range tags {
		if prefix := tc.IgnoredBy(tag); prefix != "" {
			resp.Diagnostics.AddAttributeError(path.Root("tags"), "Tag Is Ignored by the Provider",
				fmt.Sprintf("Tag %q starts with %q, one of the provider's ignore_tag_prefixes, so the provider would set it and then never see it again. Remove it from tags, or the prefix from ignore_tag_prefixes.", tag, prefix))
		}
	}
	tagsAll := types.SetUnknown(types.StringType)
	if tagsKnown && r.data != nil && !tc.DefaultUnknown {
		all := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(tags), tc.Default...))))
		if len(all) > shared.MaxTags {
			resp.Diagnostics.AddAttributeError(path.Root("tags"), "Too Many Tags",
				fmt.Sprintf("With the provider's default_tags the server would carry %d tags; the API allows at most %d. Remove some from tags or default_tags.", len(all), shared.MaxTags))
		}
		tagsAll = shared.StringSetValue(all)
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("tags_all"), tagsAll)...)
}

// warnReinstall says, on the first changed attribute (so Terraform names the resource and the
// line), that applying reinstalls the server: "update in-place" alone reads harmless, but the
// disks are erased. The summary names the server: Terraform's human output folds warnings with
// the same summary into the first one and "(and 2 more similar warnings elsewhere)", which would
// hide which servers of a fleet lose their disks. Plans are made concurrently, in no fixed order,
// so no one warning could list the others; one per server, each named, can.
func warnReinstall(state *serverModel, changed path.Paths, diags *diag.Diagnostics) {
	diags.AddAttributeWarning(shared.ConfigLinePath(changed[0]), reinstallWarningSummary(state.Name.ValueString()),
		fmt.Sprintf("Applying this plan reinstalls server %s (%s) in place because %s changed: its disks are erased and the operating system is installed again. It keeps its id and IP addresses. To order a new server instead, remove allow_reinstall = true (false is the default).",
			state.ID.ValueString(), state.Name.ValueString(), pathNames(changed)))
}

// warnReplaceForReinstall says, on the first changed attribute, that a change which erases the
// disks replaces the server because allow_reinstall is false, and that a reinstall would keep it:
// a user used to other providers' in-place reinstalls would otherwise lose IP addresses unawares.
func warnReplaceForReinstall(state *serverModel, changed path.Paths, diags *diag.Diagnostics) {
	diags.AddAttributeWarning(shared.ConfigLinePath(changed[0]), "Server Will Be Replaced",
		fmt.Sprintf("Applying this plan replaces server %s (%s) because %s changed: a new server is ordered, with new IP addresses, and this one is released, its disks erased. Setting allow_reinstall = true would instead reinstall this server in place, keeping it and its IP addresses (its disks are erased either way).",
			state.ID.ValueString(), state.Name.ValueString(), pathNames(changed)))
}

// refuseProtected fails a plan that destroys, replaces or reinstalls (verb) a server whose state
// has deletion_protection = true; changed names the attributes that caused it, none for a destroy.
func refuseProtected(state *serverModel, verb string, changed path.Paths, diags *diag.Diagnostics) {
	server := fmt.Sprintf("server %s (%s)", state.ID.ValueString(), state.Name.ValueString())
	because := ""
	if len(changed) > 0 {
		because = " because " + pathNames(changed) + " changed"
	}
	detail := fmt.Sprintf("This plan %s %s%s, but the server has deletion_protection = true. To go ahead, first set deletion_protection = false and apply that on its own (it changes only the state, no API request), then plan this change again.", verb, server, because)
	if len(changed) == 0 {
		diags.AddError("Server Is Protected From Deletion", detail+" If the resource block was deleted, put it back with deletion_protection = false for that apply.")
		return
	}
	diags.AddAttributeError(path.Root("deletion_protection"), "Server Is Protected From Deletion", detail)
}

// pathNames lists attribute paths for a message, e.g. "os.slug, name".
func pathNames(paths path.Paths) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = p.String()
	}
	return strings.Join(names, ", ")
}

// reinstallWarningSummary is the summary of the reinstall warning for the server named name.
func reinstallWarningSummary(name string) string {
	return fmt.Sprintf("Server %q Will Be Reinstalled", name)
}

// validateAgainstCatalog checks location, instance type and OS against the live catalog, for new
// servers and changed values only: an existing server must not fail to plan because its location
// stopped taking orders. Locations, plans and operating systems are read concurrently, so a plan
// costs one round trip to the API, however many servers it has (the catalog is cached). A
// catalog that cannot be read is a warning (the API judges at apply), unless the API refused the
// credentials or could not be reached: then no apply can succeed, and the plan fails. Causes that
// every instance of a count meets are reported once per run (shared.RunReports): the first
// instance's error fails the plan for all. countOrder is false for the second plan Terraform
// makes of a replacement, whose order the first counted.
func (r *serverResource) validateAgainstCatalog(ctx context.Context, plan serverModel, state *serverModel, countOrder bool, diags *diag.Diagnostics) {
	run := r.data.Reports
	if run.APIUnusable() {
		// Already reported, and the plan fails: asking again would only make it slower.
		return
	}
	ctx, cancel := run.UntilAPIUnusable(ctx)
	defer cancel()
	cat := r.data.Catalog
	var osDiags diag.Diagnostics
	var wg sync.WaitGroup
	keyless := !plan.SSHKeys.IsUnknown() && len(plan.SSHKeys.Elements()) == 0
	keysChanged := state == nil || !plan.SSHKeys.Equal(state.SSHKeys)
	if planSlug := plan.osSlug(ctx); !planSlug.IsNull() && !planSlug.IsUnknown() && (state == nil || !planSlug.Equal(state.osSlug(ctx)) || (keyless && keysChanged)) {
		wg.Go(func() { validateOS(ctx, cat, run, planSlug.ValueString(), keyless, &osDiags) })
	}
	if !plan.Location.IsUnknown() && (state == nil || !plan.Location.Equal(state.Location) || !plan.InstanceType.Equal(state.InstanceType)) {
		if p, ok := validateLocation(ctx, cat, run, plan.Location.ValueString(), plan.InstanceType, diags); ok && countOrder && r.data.Availability != nil {
			warnCapacity(r.data.Availability, p, plan.Location.ValueString(), diags)
		}
	}
	wg.Wait()
	diags.Append(osDiags...)
}

// validateLocation checks that a location exists and, when known, that it offers instanceType,
// which it returns. The plans are read while the locations are. An instance type missing there is
// reported once per run and location, saying where else it is offered, or that no location
// offers it.
func validateLocation(ctx context.Context, cat *shared.Catalog, run *shared.RunReports, location string, instanceType types.String, diags *diag.Diagnostics) (flexmetal.Plan, bool) {
	var plans []flexmetal.Plan
	var plansErr error
	var wg sync.WaitGroup
	if !instanceType.IsUnknown() {
		wg.Go(func() { plans, plansErr = cat.Plans(ctx) })
	}
	loc, ok := shared.LookupLocation(ctx, cat, location, path.Root("location"), diags, func(err error) {
		addCatalogError(diags, run, "Location", "location and instance_type", err)
	})
	wg.Wait()
	if !ok || instanceType.IsUnknown() {
		return flexmetal.Plan{}, false
	}
	name := instanceType.ValueString()
	if plansErr != nil {
		addCatalogError(diags, run, "Instance Type", "instance_type (offered at "+loc.Name+")", plansErr)
		return flexmetal.Plan{}, false
	}
	p, ok, names := shared.PlanAt(plans, loc.Name, name)
	if !ok && run.First("instance_type\x00"+name+"\x00"+loc.Name) {
		addInstanceTypeNotOffered(plans, loc, name, names, diags)
	}
	return p, ok
}

// addInstanceTypeNotOffered explains an instance type that loc does not offer: where else it is
// offered, or, when no location offers it, that it does not exist, with the closest names.
func addInstanceTypeNotOffered(plans []flexmetal.Plan, loc flexmetal.Location, name string, offeredHere []string, diags *diag.Diagnostics) {
	here := fmt.Sprintf("Instance type %q is not offered at %q. %s", name, loc.Name, shared.ChoicesText(name, offeredHere))
	var elsewhere, all []string
	for _, p := range plans {
		all = append(all, p.Name)
		if p.Name != name {
			continue
		}
		for _, l := range p.Locations {
			elsewhere = append(elsewhere, l.Name)
		}
	}
	slices.Sort(elsewhere)
	slices.Sort(all)
	all = slices.Compact(all)
	if len(elsewhere) > 0 {
		diags.AddAttributeError(path.Root("instance_type"), "Instance Type Not Offered at Location",
			fmt.Sprintf("%s It is offered at %s: choose one of those locations, or an instance type offered at %q.", here, shared.QuoteAll(elsewhere), loc.Name))
		return
	}
	diags.AddAttributeError(path.Root("instance_type"), "Instance Type Not Offered Anywhere",
		fmt.Sprintf("Instance type %q is not offered at any FlexMetal location. %s The flexmetal_instance_types data source lists what a location offers.", name, shared.ChoicesText(name, all)))
}

// warnCapacity counts the order of a server of plan at location and warns, on instance_type,
// when the type is unavailable there or its availability is low and this plan orders more than
// one server of it there: once per location and type. A warning, not an error: capacity changes
// by the minute, and the API judges at apply.
func warnCapacity(planner *shared.AvailabilityPlanner, p flexmetal.Plan, location string, diags *diag.Diagnostics) {
	if w := planner.Order(p, location); w != nil {
		diags.AddAttributeWarning(path.Root("instance_type"), w.Summary, w.Detail)
	}
}

// validateOS checks that an operating system exists and can be ordered with a FlexMetal server,
// and, for a server without SSH keys, that the system needs none.
func validateOS(ctx context.Context, cat *shared.Catalog, run *shared.RunReports, slug string, keyless bool, diags *diag.Diagnostics) {
	osys, ok, orderable, err := cat.OperatingSystemBySlug(ctx, slug)
	switch {
	case err != nil:
		addCatalogError(diags, run, "Operating System", "os.slug", err)
	case !ok:
		diags.AddAttributeError(shared.ConfigLinePath(osSlugPath), "Unknown Operating System",
			fmt.Sprintf("os.slug: operating system %q does not exist. %s", slug, shared.ChoicesText(slug, orderable)))
	case !osys.Orderable():
		diags.AddAttributeError(shared.ConfigLinePath(osSlugPath), "Operating System Not Available for FlexMetal",
			fmt.Sprintf("os.slug: operating system %q exists but cannot be ordered with a FlexMetal server: %s. Choose another slug; the flexmetal_operating_systems data source lists the orderable ones.", osys.Slug, whyNotOrderable(osys)))
	case keyless && !takesNoKeys(osys):
		diags.AddAttributeError(path.Root("ssh_keys"), "SSH Keys Required",
			fmt.Sprintf("Operating system %q (%s) is logged into with SSH keys only, so the API refuses it without keys: set ssh_keys to at least 1 public key or stored key id. Only Windows, Talos and custom iPXE install without keys.", osys.Slug, osys.Name))
	}
}

// takesNoKeys reports whether an operating system installs without SSH keys: Windows (its
// password comes from the API) and Talos (managed through its own API).
func takesNoKeys(o flexmetal.OperatingSystem) bool {
	return o.OSGroup == osGroupWindows || strings.HasPrefix(o.Slug, "talos") || o.Slug == customIPXESlug
}

// osGroupWindows is the catalog's osGroup of Windows systems (2 is Linux and BSD).
const osGroupWindows = 1

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
// cannot be used at all as configured, reported once per run whichever instance and check meets
// it first; a warning otherwise.
func addCatalogError(diags *diag.Diagnostics, run *shared.RunReports, what, attrs string, err error) {
	detail := shared.APIErrorDetail(err)
	switch {
	case run.APIUnusable() && !flexmetal.IsUnauthorized(err) && !flexmetal.IsUnreachable(err):
		// A check cut short because another found the API unusable: that one's error says it.
	case flexmetal.IsUnauthorized(err):
		run.MarkAPIUnusable()
		if run.First("unauthorized") {
			diags.AddError("FlexMetal API Refused the Credentials",
				"The plan reads the FlexMetal catalog to check "+attrs+", and the API refused the credentials, so no apply could succeed.\n\n"+detail)
		}
	case flexmetal.IsUnreachable(err):
		run.MarkAPIUnusable()
		if run.First("unreachable") {
			diags.AddError("Unable to Reach the FlexMetal API",
				"The plan reads the FlexMetal catalog to check "+attrs+", and the API could not be reached, so no apply could succeed.\n\n"+detail)
		}
	default:
		diags.AddWarning("Unable to Check "+what,
			"The FlexMetal catalog could not be read, so "+attrs+" was not checked before apply.\n\n"+detail)
	}
}
