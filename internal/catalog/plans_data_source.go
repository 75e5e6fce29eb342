package catalog

import (
	"context"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const plansTypeName = shared.TypeName + "_plans"

var _ datasource.DataSourceWithConfigure = (*plansDataSource)(nil)

type plansDataSource struct {
	data *shared.ProviderData
}

// NewPlansDataSource returns the flexmetal_plans data source.
func NewPlansDataSource() datasource.DataSource { return &plansDataSource{} }

type plansDataSourceModel struct {
	ID    types.String `tfsdk:"id"`
	Plans []planModel  `tfsdk:"plans"`
}

func (d *plansDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = plansTypeName
}

func (d *plansDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *plansDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every instance type (plan) with its hardware and, per location offering it, its live availability, from one request to `GET /v3/flexMetal/plans`. Use it to choose a location by availability; `flexmetal_instance_types` lists the types of one location.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A hash of the listed plan names; it changes when the list does.",
				Computed:            true,
			},
			"plans": schema.ListNestedAttribute{
				MarkdownDescription: "Every plan, sorted by `name`.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: planSchema()},
			},
		},
	}
}

func (d *plansDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !shared.RequireProviderData(d.data, plansTypeName, &resp.Diagnostics) {
		return
	}
	plans, err := d.data.Catalog.Plans(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read FlexMetal Plans", "Listing the FlexMetal plans (instance types and their availability) failed.\n\n"+shared.APIErrorDetail(err))
		return
	}
	models, ids := planModels(plans)
	state := plansDataSourceModel{ID: types.StringValue(shared.ItemsID(nil, ids)), Plans: models}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
