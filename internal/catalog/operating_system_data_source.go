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
)

const operatingSystemTypeName = shared.TypeName + "_operating_system"

var _ datasource.DataSourceWithConfigure = (*operatingSystemDataSource)(nil)

type operatingSystemDataSource struct {
	data *shared.ProviderData
}

// NewOperatingSystemDataSource returns the flexmetal_operating_system data source.
func NewOperatingSystemDataSource() datasource.DataSource { return &operatingSystemDataSource{} }

func (d *operatingSystemDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = operatingSystemTypeName
}

func (d *operatingSystemDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

// Schema shares operatingSystemAttributes with flexmetal_operating_systems; only `slug` is set
// by the user.
func (d *operatingSystemDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one operating system by `slug`, from the same catalog as `flexmetal_operating_systems`. " +
			"Operating systems that cannot be ordered with a FlexMetal server (inactive, or not offered for FlexMetal) are found too, as `flexmetal_operating_systems` lists them with `include_unavailable = true`: " +
			"check that `active` and `available_for_flexmetal` are both `true` before using the `slug` for a server's `os.slug`, whose plan rejects the others.",
		Attributes: shared.WithAttributes(operatingSystemAttributes.DataSource(), map[string]schema.Attribute{
			"slug": schema.StringAttribute{
				MarkdownDescription: operatingSystemAttributes["slug"].Description + " It must match exactly (case-sensitive).",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		}),
	}
}

func (d *operatingSystemDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	cfg, ok := shared.Decode[operatingSystemModel](ctx, d.data, operatingSystemTypeName, req.Config.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	slug := cfg.Slug.ValueString()
	osys, ok, orderable, err := d.data.Catalog.OperatingSystemBySlug(ctx, slug)
	switch {
	case err != nil:
		resp.Diagnostics.AddError("Unable to Read FlexMetal Operating Systems",
			fmt.Sprintf("Listing the operating systems, to find %q, failed.\n\n%s", slug, shared.APIErrorDetail(err)))
		return
	case !ok:
		// Suggest only what a server can use, as the server's plan check does; say where the
		// others, which this data source also finds, are listed.
		resp.Diagnostics.AddAttributeError(path.Root("slug"), "Unknown Operating System",
			fmt.Sprintf("Operating system %q does not exist. %s Only orderable slugs are suggested; flexmetal_operating_systems with include_unavailable = true lists the others too.", slug, shared.ChoicesText(slug, orderable)))
		return
	}
	state := newOperatingSystemModel(osys)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
