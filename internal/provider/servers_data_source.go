package provider

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
)

const serversTypeName = TypeName + "_servers"

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
	data *providerData
}

// NewServersDataSource returns the flexmetal_servers data source.
func NewServersDataSource() datasource.DataSource { return &serversDataSource{} }

type serversDataSourceModel struct {
	ID      types.String `tfsdk:"id"`
	Status  types.String `tfsdk:"status"`
	Tags    types.Set    `tfsdk:"tags"`
	Servers types.List   `tfsdk:"servers"`
}

func (d *serversDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = serversTypeName
}

func (d *serversDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *serversDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the account's FlexMetal servers, whether Terraform manages them or not, optionally filtered by status and tags. Released and failed servers are listed until the API forgets them (about a day).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A hash of the filters and the listed server ids; it changes when the list does.",
				Computed:            true,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "Only list servers in this status: one of " + quoteAllMarkdown(serverStatuses) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(serverStatuses...)},
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Only list servers carrying all of these tags, e.g. `[\"env:prod\", \"role:web\"]`.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators: []validator.Set{
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(tagPattern, "must be 1 to 64 characters from A-Z, a-z, 0-9, '_', ':' and '-', e.g. \"env:prod\"")),
				},
			},
			"servers": schema.ListNestedAttribute{
				MarkdownDescription: "The matching servers, oldest first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":             computedString("The server's UUID."),
					"name":           computedString("Host name of the server."),
					"status":         computedString("Delivery status, e.g. `delivered`."),
					"status_message": computedString("The API's message for the status, e.g. why a delivery failed."),
					"location":       computedString("Name of the server's location, e.g. `EU: Rotterdam`."),
					"instance_type":  computedString("Name of the server's instance type, e.g. `bm7.std.8`."),
					"os_slug":        computedString("Slug of the installed operating system, e.g. `ubuntu-2404-lts`."),
					"ip_addresses": schema.ListAttribute{
						MarkdownDescription: "IP addresses of the server; empty until its network is configured.",
						Computed:            true,
						ElementType:         types.StringType,
					},
					"ip_address": computedString("The first of `ip_addresses`; null while there is none."),
					"tags": schema.SetAttribute{
						MarkdownDescription: "The server's tags.",
						Computed:            true,
						ElementType:         types.StringType,
					},
					"contract_id":  computedString("Contract the server was ordered from; null when the API reports none."),
					"created_at":   computedString("When the server was ordered (RFC 3339)."),
					"delivered_at": computedString("When the server was delivered (RFC 3339); null until then."),
					"released_at":  computedString("When the server was released (RFC 3339); null while it is in use."),
				}},
			},
		},
	}
}

func (d *serversDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !requireProviderData(d.data, serversTypeName, &resp.Diagnostics) {
		return
	}
	var cfg serversDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
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
	servers, err := d.data.client.Servers.List(ctx, opts)
	if err != nil {
		resp.Diagnostics.AddError("Unable to List Servers",
			fmt.Sprintf("Listing the FlexMetal servers%s failed.\n\n%s", describeServerFilter(opts), apiErrorDetail(err)))
		return
	}
	list, ids, diags := serversValue(ctx, servers)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.ID = types.StringValue(listID(map[string]string{
		"status": opts.Status,
		"tags":   fmt.Sprintf("%q", opts.Tags),
	}, ids))
	cfg.Servers = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// describeServerFilter names the filters of a failed list request for its error message.
func describeServerFilter(opts flexmetal.ListServersOptions) string {
	var parts []string
	if opts.Status != "" {
		parts = append(parts, fmt.Sprintf("in status %q", opts.Status))
	}
	if len(opts.Tags) > 0 {
		parts = append(parts, "tagged "+quoteAll(opts.Tags))
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " and ")
}

// quoteAllMarkdown renders values as a comma-separated list of code spans.
func quoteAllMarkdown(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}
