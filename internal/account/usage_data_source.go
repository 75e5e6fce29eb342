package account

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

const usageTypeName = shared.TypeName + "_usage"

var (
	_ datasource.DataSourceWithConfigure      = (*usageDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*usageDataSource)(nil)
)

type usageDataSource struct {
	data *shared.ProviderData
}

// NewUsageDataSource returns the flexmetal_usage data source.
func NewUsageDataSource() datasource.DataSource { return &usageDataSource{} }

type usageDataSourceModel struct {
	ID           types.String       `tfsdk:"id"`
	StartDate    types.String       `tfsdk:"start_date"`
	EndDate      types.String       `tfsdk:"end_date"`
	Servers      []usageServerModel `tfsdk:"servers"`
	TotalHours   types.Int64        `tfsdk:"total_hours"`
	TotalMinutes types.Int64        `tfsdk:"total_minutes"`
	BandwidthIn  types.Int64        `tfsdk:"bandwidth_in"`
	BandwidthOut types.Int64        `tfsdk:"bandwidth_out"`
}

// datePattern is the API's date format; time.Parse then checks that the day exists.
var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (d *usageDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = usageTypeName
}

func (d *usageDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *usageDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	dateValidators := []validator.String{stringvalidator.RegexMatches(datePattern, "must be a date as YYYY-MM-DD, e.g. \"2026-11-01\"")}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the account's billed usage between two days (both included, UTC): one entry per server and billed period, with hours and bandwidth, and their totals. Servers released since are included, as billing outlives them.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A hash of the dates and the listed servers.",
				Computed:            true,
			},
			"start_date": schema.StringAttribute{
				MarkdownDescription: "First day of the report, as `YYYY-MM-DD`.",
				Required:            true,
				Validators:          dateValidators,
			},
			"end_date": schema.StringAttribute{
				MarkdownDescription: "Last day of the report, included, as `YYYY-MM-DD`; not before `start_date`.",
				Required:            true,
				Validators:          dateValidators,
			},
			"servers": schema.ListNestedAttribute{
				MarkdownDescription: "One entry per server and billed period, sorted by `started_at`, then `server_id`.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: usageServerAttributes.DataSource()},
			},
			"total_hours":   schema.Int64Attribute{MarkdownDescription: "Sum of the servers' `total_hours`.", Computed: true},
			"total_minutes": schema.Int64Attribute{MarkdownDescription: "Sum of the servers' `total_minutes`.", Computed: true},
			"bandwidth_in":  schema.Int64Attribute{MarkdownDescription: "Sum of the servers' `bandwidth_in`.", Computed: true},
			"bandwidth_out": schema.Int64Attribute{MarkdownDescription: "Sum of the servers' `bandwidth_out`; null when the API left it out for any server.", Computed: true},
		},
	}
}

// ValidateConfig checks the dates at plan time: a day that does not exist, or an end before the
// start, would otherwise only fail when the API is asked.
func (d *usageDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m usageDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	start, startOK := parseUsageDate(m.StartDate, path.Root("start_date"), resp)
	end, endOK := parseUsageDate(m.EndDate, path.Root("end_date"), resp)
	if startOK && endOK && end.Before(start) {
		resp.Diagnostics.AddAttributeError(path.Root("end_date"), "End Date Before Start Date",
			fmt.Sprintf("end_date %s is before start_date %s. Swap them, or set end_date to %s or later.", m.EndDate.ValueString(), m.StartDate.ValueString(), m.StartDate.ValueString()))
	}
}

// parseUsageDate parses a known date that has the right shape; the shape itself is the
// validators' to report.
func parseUsageDate(v types.String, p path.Path, resp *datasource.ValidateConfigResponse) (time.Time, bool) {
	if v.IsNull() || v.IsUnknown() || !datePattern.MatchString(v.ValueString()) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, v.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(p, "Invalid Date",
			fmt.Sprintf("%s %q is not a day of the calendar. Use a date as YYYY-MM-DD, e.g. \"2026-11-30\".", p, v.ValueString()))
		return time.Time{}, false
	}
	return t, true
}

func (d *usageDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	cfg, ok := shared.Decode[usageDataSourceModel](ctx, d.data, usageTypeName, req.Config.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	// ValidateConfig has checked both.
	start, _ := time.Parse(time.DateOnly, cfg.StartDate.ValueString())
	end, _ := time.Parse(time.DateOnly, cfg.EndDate.ValueString())
	usage, err := d.data.Client.Account.Usage(ctx, flexmetal.UsageOptions{From: start, To: end})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read FlexMetal Usage",
			fmt.Sprintf("Reading the account's usage from %s to %s failed.\n\n%s", cfg.StartDate.ValueString(), cfg.EndDate.ValueString(), shared.APIErrorDetail(err)))
		return
	}
	servers, totals := usageModels(usage)
	ids := make([]string, len(servers))
	for i, s := range servers {
		ids[i] = s.ServerID.ValueString() + "\x00" + s.StartedAt.ValueString()
	}
	cfg.ID = types.StringValue(shared.ItemsID(map[string]string{"start_date": cfg.StartDate.ValueString(), "end_date": cfg.EndDate.ValueString()}, ids))
	cfg.Servers = servers
	cfg.TotalHours, cfg.TotalMinutes, cfg.BandwidthIn, cfg.BandwidthOut = totals.TotalHours, totals.TotalMinutes, totals.BandwidthIn, totals.BandwidthOut
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
