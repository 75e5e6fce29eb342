package account

import (
	"context"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const capacityCommitsTypeName = shared.TypeName + "_capacity_commits"

var _ datasource.DataSourceWithConfigure = (*capacityCommitsDataSource)(nil)

type capacityCommitsDataSource struct {
	data *shared.ProviderData
}

// NewCapacityCommitsDataSource returns the flexmetal_capacity_commits data source.
func NewCapacityCommitsDataSource() datasource.DataSource { return &capacityCommitsDataSource{} }

type capacityCommitsDataSourceModel struct {
	ID           types.String          `tfsdk:"id"`
	Location     types.String          `tfsdk:"location"`
	InstanceType types.String          `tfsdk:"instance_type"`
	Commits      []capacityCommitModel `tfsdk:"commits"`
}

func (d *capacityCommitsDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = capacityCommitsTypeName
}

func (d *capacityCommitsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *capacityCommitsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the account's committed capacity per location and instance type (summed over its contracts) and how much of it is in use. `flexmetal_quota` shows each contract's share.",
		Attributes: shared.WithAttributes(locationInstanceTypeFilters("commits"), map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A hash of the filters and the listed commits; it changes when the list does (not when usage does).",
				Computed:            true,
			},
			"commits": schema.ListNestedAttribute{
				MarkdownDescription: "One entry per location and instance type with committed capacity, sorted by `location`, then `instance_type`.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: capacityCommitAttributes.DataSource()},
			},
		}),
	}
}

func (d *capacityCommitsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	cfg, ok := shared.Decode[capacityCommitsDataSourceModel](ctx, d.data, capacityCommitsTypeName, req.Config.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	commits, err := d.data.Client.Account.CapacityCommits(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read FlexMetal Capacity Commits", "Reading the account's committed capacity failed.\n\n"+shared.APIErrorDetail(err))
		return
	}
	location, instanceType := cfg.Location.ValueString(), cfg.InstanceType.ValueString()
	models, ids := capacityCommitModels(commits, location, instanceType)
	cfg.ID = types.StringValue(shared.ItemsID(map[string]string{"location": location, "instance_type": instanceType}, ids))
	cfg.Commits = models
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
