package server

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// hiddenServerStatuses are left out of a server list whose configuration names no status: a
// released server is gone (the API lists it for about a day), and a releasing one is on its way;
// the resource treats both as deleted, so neither can be adopted.
var hiddenServerStatuses = []string{flexmetal.StatusReleasing, flexmetal.StatusReleased}

var _ list.ListResourceWithConfigure = (*serverListResource)(nil)

// serverListResource lists the account's servers for `terraform query`, so that running
// servers can be found and adopted with generated configuration.
type serverListResource struct {
	data *shared.ProviderData
}

// NewListResource returns the flexmetal_server list resource.
func NewListResource() list.ListResource { return &serverListResource{} }

// serverListConfigModel is the config block of a list "flexmetal_server" block.
type serverListConfigModel struct {
	Status     types.List   `tfsdk:"status"`
	Tags       types.List   `tfsdk:"tags"`
	Location   types.String `tfsdk:"location"`
	Unrecorded types.Bool   `tfsdk:"unrecorded"`
}

func (r *serverListResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = serverTypeName
}

func (r *serverListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *serverListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the account's FlexMetal servers for `terraform query` (Terraform 1.14 and later), whether Terraform manages them or not, oldest first. Each result carries the server's identity (`id`) and a display name `NAME (LOCATION, STATUS)`; with `include_resource = true` also the `flexmetal_server` resource as an import would read it, so `terraform query -generate-config-out=FILE` writes configuration and import blocks that adopt the servers without changing them. All filters are optional and combine: a server must match each one given.",
		Attributes: map[string]schema.Attribute{
			"status": schema.ListAttribute{
				MarkdownDescription: "Only list servers in one of these statuses: " + shared.QuoteAllMarkdown(serverStatuses) + ". Without it, every server except `releasing` and `released` ones is listed (those count as deleted and cannot be adopted).",
				Optional:            true,
				ElementType:         types.StringType,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.OneOf(serverStatuses...)),
				},
			},
			"tags": schema.ListAttribute{
				MarkdownDescription: "Only list servers carrying all of these tags, e.g. `[\"env:prod\", \"role:web\"]`.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators:          []validator.List{listvalidator.ValueStringsAre(shared.TagValidator())},
			},
			"location": schema.StringAttribute{
				MarkdownDescription: "Only list servers at this location, by name, e.g. `EU: Rotterdam` (see the `flexmetal_locations` data source).",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"unrecorded": schema.BoolAttribute{
				MarkdownDescription: shared.UnrecordedDescription,
				Optional:            true,
			},
		},
	}
}

// serverListFilter is a list block's configuration, resolved: what to ask the API for and what
// to check on each server it returns.
type serverListFilter struct {
	opts       flexmetal.ListServersOptions
	statuses   []string // empty: every status except hiddenServerStatuses
	locationID int64    // 0: any location
	location   string
	unrecorded *bool // nil: recorded or not
}

// matches reports whether a listed server passes the filters the API did not apply.
func (f serverListFilter) matches(srv *flexmetal.Server) bool {
	if len(f.statuses) == 0 && slices.Contains(hiddenServerStatuses, srv.Status) ||
		len(f.statuses) > 0 && !slices.Contains(f.statuses, srv.Status) {
		return false
	}
	if f.unrecorded != nil && shared.HasCreationTag(srv.Tags) != *f.unrecorded {
		return false
	}
	return f.locationID == 0 || srv.LocationID == f.locationID || srv.LocationID == 0 && srv.Location == f.location
}

// filter resolves the configuration: one status and the tags go to the API, more statuses and the
// location are checked on each listed server. The location must exist in the catalog, so a typo
// is an error that suggests the right name instead of an empty list.
func (m serverListConfigModel) filter(ctx context.Context, cat *shared.Catalog) (serverListFilter, diag.Diagnostics) {
	var f serverListFilter
	var diags diag.Diagnostics
	if !m.Status.IsNull() {
		diags.Append(m.Status.ElementsAs(ctx, &f.statuses, false)...)
		slices.Sort(f.statuses)
		f.statuses = slices.Compact(f.statuses)
		if len(f.statuses) == 1 {
			f.opts.Status = f.statuses[0]
		}
	}
	if !m.Unrecorded.IsNull() {
		want := m.Unrecorded.ValueBool()
		f.unrecorded = &want
	}
	if !m.Tags.IsNull() {
		diags.Append(m.Tags.ElementsAs(ctx, &f.opts.Tags, false)...)
		slices.Sort(f.opts.Tags)
		f.opts.Tags = slices.Compact(f.opts.Tags)
	}
	if name := m.Location.ValueString(); name != "" && !diags.HasError() {
		loc, ok := shared.LookupLocation(ctx, cat, name, path.Root("location"), &diags, func(err error) {
			diags.AddError("Unable to Read FlexMetal Locations",
				fmt.Sprintf("The location filter %q could not be checked against the FlexMetal catalog.\n\n%s", name, shared.APIErrorDetail(err)))
		})
		if ok {
			f.locationID, f.location = loc.ID, loc.Name
		}
	}
	return f, diags
}

func (r *serverListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	cfg, ok := shared.Decode[serverListConfigModel](ctx, r.data, serverTypeName, req.Config.Get, &diags)
	if !ok {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	filter, d := cfg.filter(ctx, r.data.Catalog)
	if diags.Append(d...); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	listed, err := r.data.Client.Servers.List(ctx, filter.opts)
	if err != nil {
		diags.AddError("Unable to List Servers",
			fmt.Sprintf("Listing the FlexMetal servers%s failed.\n\n%s", describeServerFilter(filter.opts), shared.APIErrorDetail(err)))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	servers := slices.DeleteFunc(listed, func(s *flexmetal.Server) bool { return !filter.matches(s) })
	slices.SortFunc(servers, compareServers)
	stream.Results = shared.QueryResults(ctx, req, servers, func(s *flexmetal.Server) string { return s.UUID }, serverDisplayName, func(ctx context.Context, out *tfsdk.Resource, srv *flexmetal.Server) diag.Diagnostics {
		return setImportedServer(ctx, out, srv, r.data.Tags)
	})
}

// serverDisplayName is how terraform query shows a server: "web-1 (EU: Rotterdam, delivered)".
func serverDisplayName(srv *flexmetal.Server) string {
	var where []string
	if srv.Location != "" {
		where = append(where, srv.Location)
	}
	where = append(where, srv.Status)
	return fmt.Sprintf("%s (%s)", srv.Name, strings.Join(where, ", "))
}

// setImportedServer writes into out (a null flexmetal_server object) exactly what importing the
// server and reading it produces: ImportState's id and settings, then Read's applyServer with the
// provider's tag conventions. Configuration generated from it therefore plans as a pure import.
func setImportedServer(ctx context.Context, out *tfsdk.Resource, srv *flexmetal.Server, tc shared.TagConventions) diag.Diagnostics {
	// Setting attributes of a null object makes every other attribute a typed null.
	diags := startImportedServer(ctx, out.SetAttribute, srv.UUID)
	var m serverModel
	diags.Append(out.Get(ctx, &m)...)
	if diags.HasError() {
		return diags
	}
	diags.Append(m.applyServer(ctx, srv, tc)...)
	diags.Append(out.Set(ctx, &m)...)
	return diags
}
