package catalog

import (
	"context"
	"strconv"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const operatingSystemsTypeName = shared.TypeName + "_operating_systems"

var _ datasource.DataSourceWithConfigure = (*operatingSystemsDataSource)(nil)

type operatingSystemsDataSource struct {
	data *shared.ProviderData
}

// NewOperatingSystemsDataSource returns the flexmetal_operating_systems data source.
func NewOperatingSystemsDataSource() datasource.DataSource { return &operatingSystemsDataSource{} }

type operatingSystemsDataSourceModel struct {
	ID                 types.String           `tfsdk:"id"`
	IncludeUnavailable types.Bool             `tfsdk:"include_unavailable"`
	OperatingSystems   []operatingSystemModel `tfsdk:"operating_systems"`
}

func (d *operatingSystemsDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = operatingSystemsTypeName
}

func (d *operatingSystemsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *operatingSystemsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists operating systems. By default only those that can be installed on a FlexMetal server (active and available for FlexMetal); a server's `os.slug` takes an operating system's `slug`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A hash of the filter and the listed operating system ids; it changes when the list does.",
				Computed:            true,
			},
			"include_unavailable": schema.BoolAttribute{
				MarkdownDescription: "Also list operating systems that cannot be ordered with a FlexMetal server (inactive, or not offered for FlexMetal). Defaults to `false`.",
				Optional:            true,
			},
			"operating_systems": schema.ListNestedAttribute{
				MarkdownDescription: "The operating systems, sorted by `slug`.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: operatingSystemAttributes.DataSource()},
			},
		},
	}
}

func (d *operatingSystemsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	cfg, ok := shared.Decode[operatingSystemsDataSourceModel](ctx, d.data, operatingSystemsTypeName, req.Config.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	oses, err := d.data.Catalog.OperatingSystems(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read FlexMetal Operating Systems", "Listing the operating systems failed.\n\n"+shared.APIErrorDetail(err))
		return
	}
	includeUnavailable := cfg.IncludeUnavailable.ValueBool()
	models, ids := operatingSystemModels(oses, includeUnavailable)
	cfg.ID = types.StringValue(shared.ItemsID(map[string]string{"include_unavailable": strconv.FormatBool(includeUnavailable)}, ids))
	cfg.OperatingSystems = models
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
