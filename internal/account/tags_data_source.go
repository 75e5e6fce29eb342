package account

import (
	"context"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const tagsTypeName = shared.TypeName + "_tags"

var _ datasource.DataSourceWithConfigure = (*tagsDataSource)(nil)

type tagsDataSource struct {
	data *shared.ProviderData
}

// NewTagsDataSource returns the flexmetal_tags data source.
func NewTagsDataSource() datasource.DataSource { return &tagsDataSource{} }

type tagsDataSourceModel struct {
	ID   types.String `tfsdk:"id"`
	Tags []tagModel   `tfsdk:"tags"`
}

func (d *tagsDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = tagsTypeName
}

func (d *tagsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *tagsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the account's tags, including those no server carries any more, with how many servers carry each. The provider's own temporary tags (`" + shared.CreationTagPrefix + "...`, `" + shared.ReinstallTagPrefix + "...`) are left out.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A hash of the listed tag names; it changes when the list does.",
				Computed:            true,
			},
			"tags": schema.ListNestedAttribute{
				MarkdownDescription: "Every tag, sorted by `name`.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: tagAttributes.DataSource()},
			},
		},
	}
}

func (d *tagsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !shared.RequireProviderData(d.data, tagsTypeName, &resp.Diagnostics) {
		return
	}
	tags, err := d.data.Client.Tags.List(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read FlexMetal Tags", "Listing the account's tags failed.\n\n"+shared.APIErrorDetail(err))
		return
	}
	models, ids := tagModels(tags)
	state := tagsDataSourceModel{ID: types.StringValue(shared.ItemsID(nil, ids)), Tags: models}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
