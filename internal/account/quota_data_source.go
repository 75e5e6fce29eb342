package account

import (
	"context"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const quotaTypeName = shared.TypeName + "_quota"

var _ datasource.DataSourceWithConfigure = (*quotaDataSource)(nil)

type quotaDataSource struct {
	data *shared.ProviderData
}

// NewQuotaDataSource returns the flexmetal_quota data source.
func NewQuotaDataSource() datasource.DataSource { return &quotaDataSource{} }

type quotaDataSourceModel struct {
	ID           types.String `tfsdk:"id"`
	Location     types.String `tfsdk:"location"`
	InstanceType types.String `tfsdk:"instance_type"`
	Quotas       []quotaModel `tfsdk:"quotas"`
}

func (d *quotaDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = quotaTypeName
}

func (d *quotaDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

// locationInstanceTypeFilters are the optional filters of the account's quota and commit lists.
func locationInstanceTypeFilters(listed string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"location": schema.StringAttribute{
			MarkdownDescription: "Only list " + listed + " at this location, by exact name, e.g. `EU: Rotterdam`. A location without any gives an empty list.",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"instance_type": schema.StringAttribute{
			MarkdownDescription: "Only list " + listed + " of this instance type, by exact name, e.g. `bm7.std.8`. An instance type without any gives an empty list.",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
	}
}

func (d *quotaDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads how many servers the account may run, per location and instance type, and how many it runs: the on-demand quota and each contract's committed capacity. An order beyond what a quota leaves `available` fails; `flexmetal_server` plans warn when they would order more than that.",
		Attributes: shared.WithAttributes(locationInstanceTypeFilters("quotas"), map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A hash of the filters and the listed quotas; it changes when the list does (not when usage does).",
				Computed:            true,
			},
			"quotas": schema.ListNestedAttribute{
				MarkdownDescription: "One quota per location, instance type and kind of quota, sorted by `location`, `instance_type`, the on-demand quota first, then `contract_id`.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: quotaAttributes.DataSource()},
			},
		}),
	}
}

func (d *quotaDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	cfg, ok := shared.Decode[quotaDataSourceModel](ctx, d.data, quotaTypeName, req.Config.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	quotas, err := d.data.Client.Account.Quotas(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read FlexMetal Quota", "Reading the account's quota and usage failed.\n\n"+shared.APIErrorDetail(err))
		return
	}
	location, instanceType := cfg.Location.ValueString(), cfg.InstanceType.ValueString()
	models, ids := quotaModels(quotas, location, instanceType)
	cfg.ID = types.StringValue(shared.ItemsID(map[string]string{"location": location, "instance_type": instanceType}, ids))
	cfg.Quotas = models
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
