package catalog

import (
	"context"
	"fmt"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const instanceTypesTypeName = shared.TypeName + "_instance_types"

var _ datasource.DataSourceWithConfigure = (*instanceTypesDataSource)(nil)

type instanceTypesDataSource struct {
	data *shared.ProviderData
}

// NewInstanceTypesDataSource returns the flexmetal_instance_types data source.
func NewInstanceTypesDataSource() datasource.DataSource { return &instanceTypesDataSource{} }

type instanceTypesDataSourceModel struct {
	ID            types.String        `tfsdk:"id"`
	Location      types.String        `tfsdk:"location"`
	InstanceTypes []instanceTypeModel `tfsdk:"instance_types"`
}

func (d *instanceTypesDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = instanceTypesTypeName
}

func (d *instanceTypesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *instanceTypesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the instance types (hardware configurations) offered at one location, with their hardware and live `availability` there, read from `GET /v3/flexMetal/plans`. A server's `instance_type` takes an instance type's `name`. To compare locations, use `flexmetal_plans`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A hash of the location and the listed instance type names; it changes when the list does.",
				Computed:            true,
			},
			"location": schema.StringAttribute{
				MarkdownDescription: "Name of the location, e.g. `EU: Rotterdam`; see the `flexmetal_locations` data source.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"instance_types": schema.ListNestedAttribute{
				MarkdownDescription: "The instance types offered at `location`, sorted by `name`.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: instanceTypeSchema()},
			},
		},
	}
}

func (d *instanceTypesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	cfg, ok := shared.Decode[instanceTypesDataSourceModel](ctx, d.data, instanceTypesTypeName, req.Config.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	loc, ok := shared.LookupLocation(ctx, d.data.Catalog, cfg.Location.ValueString(), path.Root("location"), &resp.Diagnostics, nil)
	if !ok {
		return
	}
	its, err := d.data.Catalog.InstanceTypes(ctx, loc)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read FlexMetal Instance Types",
			fmt.Sprintf("Listing the instance types of %q failed.\n\n%s", loc.Name, shared.APIErrorDetail(err)))
		return
	}
	models, ids := instanceTypeModels(its, loc.Name)
	cfg.ID = types.StringValue(shared.ItemsID(map[string]string{"location": loc.Name}, ids))
	cfg.InstanceTypes = models
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
