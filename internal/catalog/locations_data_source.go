package catalog

import (
	"context"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const locationsTypeName = shared.TypeName + "_locations"

var _ datasource.DataSourceWithConfigure = (*locationsDataSource)(nil)

type locationsDataSource struct {
	data *shared.ProviderData
}

// NewLocationsDataSource returns the flexmetal_locations data source.
func NewLocationsDataSource() datasource.DataSource { return &locationsDataSource{} }

type locationsDataSourceModel struct {
	ID        types.String    `tfsdk:"id"`
	Locations []locationModel `tfsdk:"locations"`
}

func (d *locationsDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = locationsTypeName
}

func (d *locationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *locationsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the locations (data centers) where FlexMetal servers can be ordered. A server's `location` takes a location's `name`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A hash of the listed location ids; it changes when the list does.",
				Computed:            true,
			},
			"locations": schema.ListNestedAttribute{
				MarkdownDescription: "Every location, sorted by `name`.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: locationAttributes.DataSource()},
			},
		},
	}
}

func (d *locationsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !shared.RequireProviderData(d.data, locationsTypeName, &resp.Diagnostics) {
		return
	}
	locs, err := d.data.Catalog.Locations(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read FlexMetal Locations", "Listing the FlexMetal locations failed.\n\n"+shared.APIErrorDetail(err))
		return
	}
	models, ids := locationModels(locs)
	state := locationsDataSourceModel{ID: types.StringValue(shared.ItemsID(nil, ids)), Locations: models}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
