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

const instanceTypeTypeName = shared.TypeName + "_instance_type"

var _ datasource.DataSourceWithConfigure = (*instanceTypeDataSource)(nil)

type instanceTypeDataSource struct {
	data *shared.ProviderData
}

// NewInstanceTypeDataSource returns the flexmetal_instance_type data source.
func NewInstanceTypeDataSource() datasource.DataSource { return &instanceTypeDataSource{} }

// instanceTypeDataSourceModel is the instance type, as flexmetal_instance_types lists it, and
// the location it was looked up at.
type instanceTypeDataSourceModel struct {
	instanceTypeModel
	Location types.String `tfsdk:"location"`
}

func (d *instanceTypeDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = instanceTypeTypeName
}

func (d *instanceTypeDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

// Schema shares instanceTypeAttributes with flexmetal_instance_types; only the lookup
// attributes are set by the user.
func (d *instanceTypeDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one instance type (hardware configuration) by `name` among those offered at `location`, with its hardware and its live `availability` there, from the same catalog as `flexmetal_instance_types` and `flexmetal_plans` (`GET /v3/flexMetal/plans`). Instance types are offered per location, so a `name` found here is one a server at `location` can take as its `instance_type`.",
		Attributes: shared.WithAttributes(instanceTypeSchema(), map[string]schema.Attribute{
			"location": schema.StringAttribute{
				MarkdownDescription: "Name of the location, e.g. `EU: Rotterdam`; see the `flexmetal_locations` data source.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: hardwareAttributes["name"].Description + " It must match exactly (case-sensitive) an instance type offered at `location`.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		}),
	}
}

func (d *instanceTypeDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	cfg, ok := shared.Decode[instanceTypeDataSourceModel](ctx, d.data, instanceTypeTypeName, req.Config.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	loc, ok := shared.LookupLocation(ctx, d.data.Catalog, cfg.Location.ValueString(), path.Root("location"), &resp.Diagnostics, nil)
	if !ok {
		return
	}
	name := cfg.Name.ValueString()
	it, ok, names, err := d.data.Catalog.InstanceTypeByName(ctx, loc, name)
	switch {
	case err != nil:
		resp.Diagnostics.AddError("Unable to Read FlexMetal Instance Types",
			fmt.Sprintf("Listing the instance types of %q, to find %q, failed.\n\n%s", loc.Name, name, shared.APIErrorDetail(err)))
		return
	case !ok:
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Instance Type Not Offered at Location",
			fmt.Sprintf("Instance type %q is not offered at %q. %s", name, loc.Name, shared.ChoicesText(name, names)))
		return
	}
	state := instanceTypeDataSourceModel{instanceTypeModel: newInstanceTypeModel(it, loc.Name), Location: types.StringValue(loc.Name)}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
