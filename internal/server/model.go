package server

import (
	"context"
	"slices"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// serverModel is the flexmetal_server resource's Terraform data. PostInstallScriptWO is
// write-only: null in every plan and state until takeWriteOnly reads it from the configuration.
type serverModel struct {
	serverReportedModel
	Name                       types.String   `tfsdk:"name"`
	Location                   types.String   `tfsdk:"location"`
	InstanceType               types.String   `tfsdk:"instance_type"`
	OS                         types.Object   `tfsdk:"os"`
	SSHKeys                    types.List     `tfsdk:"ssh_keys"`
	PostInstallScript          types.String   `tfsdk:"post_install_script"`
	PostInstallScriptWO        types.String   `tfsdk:"post_install_script_wo"`
	PostInstallScriptWOVersion types.Int64    `tfsdk:"post_install_script_wo_version"`
	Tags                       types.Set      `tfsdk:"tags"`
	TagsAll                    types.Set      `tfsdk:"tags_all"`
	ContractID                 types.String   `tfsdk:"contract_id"`
	Overflow                   types.Bool     `tfsdk:"overflow"`
	AllowReinstall             types.Bool     `tfsdk:"allow_reinstall"`
	DeletionProtection         types.Bool     `tfsdk:"deletion_protection"`
	Timeouts                   timeouts.Value `tfsdk:"timeouts"`
}

// postInstallScriptWOPath is the write-only post-install script.
var postInstallScriptWOPath = path.Root("post_install_script_wo")

// takeWriteOnly copies the write-only values of the configuration into m, a plan: Terraform
// sends them only in the configuration of the apply that uses them, never in a plan or state.
func (m *serverModel) takeWriteOnly(ctx context.Context, config tfsdk.Config) diag.Diagnostics {
	return config.GetAttribute(ctx, postInstallScriptWOPath, &m.PostInstallScriptWO)
}

// serverOSModel is the nested os attribute.
type serverOSModel struct {
	Slug          types.String `tfsdk:"slug"`
	KernelParams  types.List   `tfsdk:"kernel_params"`
	Partitions    types.List   `tfsdk:"partitions"`
	IPXEScriptURL types.String `tfsdk:"ipxe_script_url"`
}

type kernelParamModel struct {
	Key   types.String `tfsdk:"key"`
	Value types.String `tfsdk:"value"`
}

type partitionModel struct {
	Target     types.String `tfsdk:"target"`
	Filesystem types.String `tfsdk:"filesystem"`
	Size       types.Int64  `tfsdk:"size"`
}

// os reads the nested os attribute; ok is false when it is null or unknown.
func (m serverModel) os(ctx context.Context) (serverOSModel, bool, diag.Diagnostics) {
	var out serverOSModel
	if m.OS.IsNull() || m.OS.IsUnknown() {
		return out, false, nil
	}
	diags := m.OS.As(ctx, &out, shared.ObjectAsOptions)
	return out, !diags.HasError(), diags
}

// osSlug is os.slug, null when os is null and unknown when os is unknown.
func (m serverModel) osSlug(ctx context.Context) types.String {
	if m.OS.IsUnknown() {
		return types.StringUnknown()
	}
	osm, ok, _ := m.os(ctx)
	if !ok {
		return types.StringNull()
	}
	return osm.Slug
}

// toCreateRequest maps the planned resource to the API's order body.
func (m serverModel) toCreateRequest(ctx context.Context) (flexmetal.CreateServerRequest, diag.Diagnostics) {
	install, diags := m.toReinstallRequest(ctx)
	req := flexmetal.CreateServerRequest{
		Name:              install.Name,
		Location:          m.Location.ValueString(),
		InstanceType:      m.InstanceType.ValueString(),
		OS:                install.OS,
		SSHKeys:           install.SSHKeys,
		PostInstallScript: install.PostInstallScript,
		ContractID:        m.ContractID.ValueString(),
		Overflow:          m.Overflow.ValueBool(),
	}
	// tags_all: the configured tags and the provider's default_tags, as planned.
	req.Tags = knownSetStrings(m.TagsAll)
	sort.Strings(req.Tags)
	return req, diags
}

// toReinstallRequest maps the planned installation (name, os, ssh_keys, the post-install script)
// to the API's reinstall body; an order carries the same. The script is post_install_script_wo
// when set (see takeWriteOnly), else post_install_script. Without ssh_keys the API gets an empty
// list, as keyless systems (Windows, Talos) expect.
func (m serverModel) toReinstallRequest(ctx context.Context) (flexmetal.ReinstallServerRequest, diag.Diagnostics) {
	var diags diag.Diagnostics
	script := m.PostInstallScript
	if !m.PostInstallScriptWO.IsNull() {
		script = m.PostInstallScriptWO
	}
	req := flexmetal.ReinstallServerRequest{
		Name:              m.Name.ValueString(),
		SSHKeys:           []string{},
		PostInstallScript: script.ValueString(),
	}
	if !m.SSHKeys.IsNull() && !m.SSHKeys.IsUnknown() {
		diags.Append(m.SSHKeys.ElementsAs(ctx, &req.SSHKeys, false)...)
	}
	osm, ok, d := m.os(ctx)
	diags.Append(d...)
	if !ok {
		return req, diags
	}
	req.OS.Slug = osm.Slug.ValueString()
	req.OS.IPXEScriptURL = osm.IPXEScriptURL.ValueString()
	if !osm.KernelParams.IsNull() && !osm.KernelParams.IsUnknown() {
		var params []kernelParamModel
		diags.Append(osm.KernelParams.ElementsAs(ctx, &params, false)...)
		for _, p := range params {
			req.OS.KernelParams = append(req.OS.KernelParams, flexmetal.KernelParam{Key: p.Key.ValueString(), Value: p.Value.ValueString()})
		}
	}
	if !osm.Partitions.IsNull() && !osm.Partitions.IsUnknown() {
		var parts []partitionModel
		diags.Append(osm.Partitions.ElementsAs(ctx, &parts, false)...)
		for _, p := range parts {
			req.OS.Partitions = append(req.OS.Partitions, flexmetal.Partition{Target: p.Target.ValueString(), Filesystem: p.Filesystem.ValueString(), Size: p.Size.ValueInt64()})
		}
	}
	return req, diags
}

// applyServer copies what the API reports into the model, tags by the provider's conventions.
// Attributes the API never returns (ssh_keys, post_install_script, the os customizations,
// overflow) keep their current values, so a refresh does not invent drift.
func (m *serverModel) applyServer(ctx context.Context, srv *flexmetal.Server, tc shared.TagConventions) diag.Diagnostics {
	var diags diag.Diagnostics
	m.fromAPI(srv)
	m.Name = types.StringValue(srv.Name)
	if srv.Location != "" {
		m.Location = types.StringValue(srv.Location)
	}
	if srv.InstanceType != "" {
		m.InstanceType = types.StringValue(srv.InstanceType)
	}

	osm, ok, d := m.os(ctx)
	diags.Append(d...)
	if !ok {
		osTypes := serverOSAttrTypes()
		osm = serverOSModel{
			KernelParams:  nullList(osTypes["kernel_params"]),
			Partitions:    nullList(osTypes["partitions"]),
			IPXEScriptURL: types.StringNull(),
		}
	}
	if srv.OSSlug != "" || osm.Slug.IsUnknown() {
		osm.Slug = shared.StringOrNull(srv.OSSlug)
	}
	obj, d := types.ObjectValueFrom(ctx, serverOSAttrTypes(), osm)
	diags.Append(d...)
	m.OS = obj

	m.applyTags(srv.Tags, tc)
	if srv.ContractID != "" {
		m.ContractID = types.StringValue(srv.ContractID)
	} else if m.ContractID.IsUnknown() {
		m.ContractID = types.StringNull()
	}

	m.nullUnknowns()
	return diags
}

// nullUnknowns replaces values still unknown after an apply, as state may never hold unknowns,
// and drops the write-only values, which state never holds (the framework drops them too).
func (m *serverModel) nullUnknowns() {
	m.PostInstallScriptWO = types.StringNull()
	if m.SSHKeys.IsUnknown() {
		m.SSHKeys = types.ListNull(types.StringType)
	}
	if m.PostInstallScript.IsUnknown() {
		m.PostInstallScript = types.StringNull()
	}
	if m.Overflow.IsUnknown() {
		m.Overflow = types.BoolNull()
	}
	if m.Tags.IsUnknown() {
		m.Tags = types.SetNull(types.StringType)
	}
	if m.TagsAll.IsUnknown() {
		m.TagsAll = types.SetNull(types.StringType)
	}
}

// applyTags sets tags_all to the tags the server reports, without the creation tag and ignored
// tags, and tags to those of them the configuration owns: every one tags already held, and any
// other that is not a default tag (drift, for the plan to show). So a tag that is in both tags
// and default_tags stays in tags, and a default tag alone never appears there: neither causes a
// difference in the next plan.
func (m *serverModel) applyTags(reported []string, tc shared.TagConventions) {
	all := slices.DeleteFunc(shared.VisibleTags(reported), tc.Ignored)
	prior := knownSetStrings(m.Tags)
	defaults := tc.Default
	if tc.DefaultUnknown {
		// Until default_tags is known, take the defaults to be what tags_all held beyond tags.
		defaults = slices.DeleteFunc(knownSetStrings(m.TagsAll), func(t string) bool { return slices.Contains(prior, t) })
	}
	own := make([]string, 0, len(all))
	for _, t := range all {
		if slices.Contains(prior, t) || !slices.Contains(defaults, t) {
			own = append(own, t)
		}
	}
	if len(own) == 0 && (m.Tags.IsNull() || m.Tags.IsUnknown()) {
		m.Tags = types.SetNull(types.StringType)
	} else {
		m.Tags = shared.StringSetValue(own)
	}
	m.TagsAll = shared.StringSetValue(all)
}

// knownSetStrings returns the known elements of a set of strings, none when it is null or
// unknown.
func knownSetStrings(s types.Set) []string {
	var out []string
	for _, e := range s.Elements() {
		if v, ok := e.(types.String); ok && !v.IsNull() && !v.IsUnknown() {
			out = append(out, v.ValueString())
		}
	}
	return out
}

// nullList is a null list of the given list type.
func nullList(t attr.Type) types.List {
	list, _ := t.(types.ListType)
	return types.ListNull(list.ElemType)
}
