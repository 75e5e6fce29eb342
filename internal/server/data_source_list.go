package server

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

const serversTypeName = shared.TypeName + "_servers"

// serverStatuses are the statuses the API reports and filters on, in lifecycle order.
var serverStatuses = []string{
	flexmetal.StatusCreated,
	flexmetal.StatusDiscovering,
	flexmetal.StatusDiscovered,
	flexmetal.StatusAllocating,
	flexmetal.StatusAllocated,
	flexmetal.StatusConfiguringNetwork,
	flexmetal.StatusNetworkConfigured,
	flexmetal.StatusProvisioning,
	flexmetal.StatusProvisioned,
	flexmetal.StatusDelivered,
	flexmetal.StatusFailed,
	flexmetal.StatusReleasing,
	flexmetal.StatusReleased,
}

var _ datasource.DataSourceWithConfigure = (*serversDataSource)(nil)

type serversDataSource struct {
	data *shared.ProviderData
}

// NewDataSourceList returns the flexmetal_servers data source.
func NewDataSourceList() datasource.DataSource { return &serversDataSource{} }

type serversDataSourceModel struct {
	ID         types.String          `tfsdk:"id"`
	Status     types.String          `tfsdk:"status"`
	Tags       types.Set             `tfsdk:"tags"`
	Unrecorded types.Bool            `tfsdk:"unrecorded"`
	Servers    []serverListItemModel `tfsdk:"servers"`
}

func (d *serversDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = serversTypeName
}

func (d *serversDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *serversDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the account's FlexMetal servers, whether Terraform manages them or not, optionally filtered by status and tags. Released and failed servers are listed until the API forgets them (about a day).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A hash of the filters and the listed server ids; it changes when the list does.",
				Computed:            true,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "Only list servers in this status: one of " + shared.QuoteAllMarkdown(serverStatuses) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(serverStatuses...)},
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Only list servers carrying all of these tags, e.g. `[\"env:prod\", \"role:web\"]`.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators: []validator.Set{
					setvalidator.ValueStringsAre(shared.TagValidator()),
				},
			},
			"unrecorded": schema.BoolAttribute{
				MarkdownDescription: shared.UnrecordedDescription,
				Optional:            true,
			},
			"servers": schema.ListNestedAttribute{
				MarkdownDescription: "The matching servers, oldest first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: shared.WithAttributes(serverReportedAttributes.DataSource(), serverListItemAttributes.DataSource()),
				},
			},
		},
	}
}

func (d *serversDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	cfg, ok := shared.Decode[serversDataSourceModel](ctx, d.data, serversTypeName, req.Config.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	opts := flexmetal.ListServersOptions{Status: cfg.Status.ValueString()}
	if !cfg.Tags.IsNull() {
		resp.Diagnostics.Append(cfg.Tags.ElementsAs(ctx, &opts.Tags, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
		slices.Sort(opts.Tags)
	}
	servers, err := d.data.Client.Servers.List(ctx, opts)
	if err != nil {
		resp.Diagnostics.AddError("Unable to List Servers",
			fmt.Sprintf("Listing the FlexMetal servers%s failed.\n\n%s", describeServerFilter(opts), shared.APIErrorDetail(err)))
		return
	}
	filters := map[string]string{"status": opts.Status, "tags": fmt.Sprintf("%q", opts.Tags)}
	if !cfg.Unrecorded.IsNull() {
		want := cfg.Unrecorded.ValueBool()
		servers = slices.DeleteFunc(servers, func(s *flexmetal.Server) bool { return shared.HasCreationTag(s.Tags) != want })
		filters["unrecorded"] = fmt.Sprint(want)
	}
	models, ids := serverListItems(servers)
	cfg.ID = types.StringValue(shared.ItemsID(filters, ids))
	cfg.Servers = models
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// describeServerFilter names the filters of a failed list request for its error message.
func describeServerFilter(opts flexmetal.ListServersOptions) string {
	var parts []string
	if opts.Status != "" {
		parts = append(parts, fmt.Sprintf("in status %q", opts.Status))
	}
	if len(opts.Tags) > 0 {
		parts = append(parts, "tagged "+shared.QuoteAll(opts.Tags))
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " and ")
}
