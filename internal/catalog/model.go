package catalog

import (
	"cmp"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// locationModel is one element of flexmetal_locations.locations, and flexmetal_location.
type locationModel struct {
	ID               types.Int64  `tfsdk:"id"`
	Name             types.String `tfsdk:"name"`
	ShortName        types.String `tfsdk:"short_name"`
	DisplayName      types.String `tfsdk:"display_name"`
	CountryID        types.Int64  `tfsdk:"country_id"`
	CountryName      types.String `tfsdk:"country_name"`
	CountryShortName types.String `tfsdk:"country_short_name"`
}

// locationAttributes describes locationModel's attributes for both location data sources.
var locationAttributes = shared.ComputedAttributes{
	"id":                 {Description: "The location's numeric id.", Kind: shared.Int64Kind},
	"name":               {Description: "The location's name, e.g. `EU: Rotterdam`: the value for a server's `location` and for `flexmetal_instance_types`."},
	"short_name":         {Description: "Short code of the location, e.g. `rtm`."},
	"display_name":       {Description: "Human-readable name, e.g. `Rotterdam`."},
	"country_id":         {Description: "Numeric id of the location's country.", Kind: shared.Int64Kind},
	"country_name":       {Description: "Name of the location's country, e.g. `Netherlands`."},
	"country_short_name": {Description: "ISO 3166-1 alpha-2 code of the location's country, e.g. `NL`."},
}

func newLocationModel(l flexmetal.Location) locationModel {
	return locationModel{
		ID:               types.Int64Value(l.ID),
		Name:             types.StringValue(l.Name),
		ShortName:        types.StringValue(l.ShortName),
		DisplayName:      types.StringValue(l.DisplayName),
		CountryID:        types.Int64Value(l.CountryID),
		CountryName:      types.StringValue(l.CountryName),
		CountryShortName: types.StringValue(l.CountryShortName),
	}
}

// locationModels maps locations for the list attribute, sorted by name (then id), and returns
// their ids.
func locationModels(locs []flexmetal.Location) ([]locationModel, []string) {
	return catalogItems(locs, func(l flexmetal.Location) (string, int64) { return l.Name, l.ID }, newLocationModel)
}

// instanceTypeModel is one element of flexmetal_instance_types.instance_types; the
// flexmetal_instance_type data source embeds it.
type instanceTypeModel struct {
	ID             types.Int64  `tfsdk:"id"`
	Name           types.String `tfsdk:"name"`
	Sockets        types.Int64  `tfsdk:"sockets"`
	Cores          types.Int64  `tfsdk:"cores"`
	Memory         types.Int64  `tfsdk:"memory"`
	MemoryType     types.String `tfsdk:"memory_type"`
	Storage        types.Int64  `tfsdk:"storage"`
	StorageType    types.String `tfsdk:"storage_type"`
	GenerationName types.String `tfsdk:"generation_name"`
}

// instanceTypeAttributes describes instanceTypeModel's attributes for both instance type data
// sources.
var instanceTypeAttributes = shared.ComputedAttributes{
	"id":              {Description: "The instance type's numeric id; it identifies the pair of location and hardware, so the same `name` has another id at another location.", Kind: shared.Int64Kind},
	"name":            {Description: "The instance type's name, e.g. `bm7.std.8`: the value for a server's `instance_type`."},
	"sockets":         {Description: "Number of CPU sockets.", Kind: shared.Int64Kind},
	"cores":           {Description: "Number of CPU cores in total.", Kind: shared.Int64Kind},
	"memory":          {Description: "Memory in GB.", Kind: shared.Int64Kind},
	"memory_type":     {Description: "Memory technology, e.g. `DDR4`."},
	"storage":         {Description: "Storage in GB.", Kind: shared.Int64Kind},
	"storage_type":    {Description: "Storage technology, e.g. `SSD` or `NVME`."},
	"generation_name": {Description: "CPU generation, e.g. `Genoa`."},
}

func newInstanceTypeModel(it flexmetal.InstanceType) instanceTypeModel {
	return instanceTypeModel{
		ID:             types.Int64Value(it.ID),
		Name:           types.StringValue(it.Name),
		Sockets:        types.Int64Value(it.Sockets),
		Cores:          types.Int64Value(it.Cores),
		Memory:         types.Int64Value(it.Memory),
		MemoryType:     types.StringValue(it.MemoryType),
		Storage:        types.Int64Value(it.Storage),
		StorageType:    types.StringValue(it.StorageType),
		GenerationName: types.StringValue(it.GenerationName),
	}
}

// instanceTypeModels maps instance types for the list attribute, sorted by name (then id), and
// returns their ids.
func instanceTypeModels(its []flexmetal.InstanceType) ([]instanceTypeModel, []string) {
	return catalogItems(its, func(it flexmetal.InstanceType) (string, int64) { return it.Name, it.ID }, newInstanceTypeModel)
}

// operatingSystemModel is one element of flexmetal_operating_systems.operating_systems, and
// flexmetal_operating_system.
type operatingSystemModel struct {
	ID                    types.Int64  `tfsdk:"id"`
	Name                  types.String `tfsdk:"name"`
	Slug                  types.String `tfsdk:"slug"`
	OSGroup               types.Int64  `tfsdk:"os_group"`
	Active                types.Bool   `tfsdk:"active"`
	AvailableForFlexMetal types.Bool   `tfsdk:"available_for_flexmetal"`
}

// operatingSystemAttributes describes operatingSystemModel's attributes for both operating system
// data sources.
var operatingSystemAttributes = shared.ComputedAttributes{
	"id":                      {Description: "The operating system's numeric id.", Kind: shared.Int64Kind},
	"name":                    {Description: "Human-readable name, e.g. `Ubuntu 24.04 LTS`."},
	"slug":                    {Description: "The slug, e.g. `ubuntu-2404-lts`: the value for a server's `os.slug`."},
	"os_group":                {Description: "The API's family number: `1` for Windows, `2` for Linux and BSD.", Kind: shared.Int64Kind},
	"active":                  {Description: "Whether the operating system can still be installed.", Kind: shared.BoolKind},
	"available_for_flexmetal": {Description: "Whether the operating system is offered for FlexMetal servers.", Kind: shared.BoolKind},
}

func newOperatingSystemModel(o flexmetal.OperatingSystem) operatingSystemModel {
	return operatingSystemModel{
		ID:                    types.Int64Value(o.ID),
		Name:                  types.StringValue(o.Name),
		Slug:                  types.StringValue(o.Slug),
		OSGroup:               types.Int64Value(o.OSGroup),
		Active:                types.BoolValue(bool(o.Active)),
		AvailableForFlexMetal: types.BoolValue(bool(o.AvailableForFlexMetal)),
	}
}

// operatingSystemModels maps operating systems for the list attribute, sorted by slug (then id),
// and returns their ids. Unless includeUnavailable is set, only those orderable with a FlexMetal
// server are kept.
func operatingSystemModels(oses []flexmetal.OperatingSystem, includeUnavailable bool) ([]operatingSystemModel, []string) {
	kept := make([]flexmetal.OperatingSystem, 0, len(oses))
	for _, o := range oses {
		if includeUnavailable || o.Orderable() {
			kept = append(kept, o)
		}
	}
	return catalogItems(kept, func(o flexmetal.OperatingSystem) (string, int64) { return o.Slug, o.ID }, newOperatingSystemModel)
}

// catalogItems orders catalog items by key, then numeric id, for SortedItems.
func catalogItems[T, M any](items []T, key func(T) (string, int64), toModel func(T) M) ([]M, []string) {
	return shared.SortedItems(items, func(a, b T) int {
		ka, ia := key(a)
		kb, ib := key(b)
		return cmp.Or(cmp.Compare(ka, kb), cmp.Compare(ia, ib))
	}, func(item T) string {
		_, id := key(item)
		return strconv.FormatInt(id, 10)
	}, toModel)
}
