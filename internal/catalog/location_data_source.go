package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

const locationTypeName = shared.TypeName + "_location"

var (
	_ datasource.DataSourceWithConfigure        = (*locationDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*locationDataSource)(nil)
)

type locationDataSource struct {
	data *shared.ProviderData
}

// NewLocationDataSource returns the flexmetal_location data source.
func NewLocationDataSource() datasource.DataSource { return &locationDataSource{} }

func (d *locationDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = locationTypeName
}

func (d *locationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

// Schema shares locationAttributes with flexmetal_locations; only the two lookup attributes
// become settable.
func (d *locationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one location (data center) by `name` or by `id` (exactly one of them), from the same catalog as `flexmetal_locations`. A server's `location` takes the location's `name`.",
		Attributes: shared.WithAttributes(locationAttributes.DataSource(), map[string]schema.Attribute{
			"id": schema.Int64Attribute{
				MarkdownDescription: locationAttributes["id"].Description + " Set it to look the location up by id; otherwise it is the id of the location found by `name`.",
				Optional:            true,
				Computed:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: locationAttributes["name"].Description + " Set it to look the location up by name, which must match exactly (case-sensitive); otherwise it is the name of the location found by `id`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		}),
	}
}

func (d *locationDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *locationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	cfg, ok := shared.Decode[locationModel](ctx, d.data, locationTypeName, req.Config.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	var loc flexmetal.Location
	if !cfg.ID.IsNull() {
		loc, ok = d.byID(ctx, cfg.ID.ValueInt64(), &resp.Diagnostics)
	} else {
		loc, ok = shared.LookupLocation(ctx, d.data.Catalog, cfg.Name.ValueString(), path.Root("name"), &resp.Diagnostics, nil)
	}
	if !ok {
		return
	}
	state := newLocationModel(loc)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (d *locationDataSource) byID(ctx context.Context, id int64, diags *diag.Diagnostics) (flexmetal.Location, bool) {
	loc, ok, known, err := d.data.Catalog.LocationByID(ctx, id)
	switch {
	case err != nil:
		diags.AddError("Unable to Read FlexMetal Locations",
			fmt.Sprintf("Listing the FlexMetal locations, to find the one with id %d, failed.\n\n%s", id, shared.APIErrorDetail(err)))
		return loc, false
	case !ok:
		diags.AddAttributeError(path.Root("id"), "Unknown FlexMetal Location",
			fmt.Sprintf("No location has the id %d. %s", id, locationIDsText(known)))
		return loc, false
	}
	return loc, true
}

// locationIDsText lists the valid location ids with their names: an id alone does not tell the
// user which one they meant, and the closest number is no better a guess than any other.
func locationIDsText(known []flexmetal.Location) string {
	if len(known) == 0 {
		return "The API lists no locations for this account."
	}
	ids := make([]string, len(known))
	for i, l := range known {
		ids[i] = fmt.Sprintf("%d (%q)", l.ID, l.Name)
	}
	return "Valid ids: " + strings.Join(ids, ", ") + ". Look the location up by name instead if you know it."
}
