package provider

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// locationModel is one element of flexmetal_locations.locations.
type locationModel struct {
	ID               types.Int64  `tfsdk:"id"`
	Name             types.String `tfsdk:"name"`
	ShortName        types.String `tfsdk:"short_name"`
	DisplayName      types.String `tfsdk:"display_name"`
	CountryID        types.Int64  `tfsdk:"country_id"`
	CountryName      types.String `tfsdk:"country_name"`
	CountryShortName types.String `tfsdk:"country_short_name"`
}

var locationAttrTypes = map[string]attr.Type{
	"id":                 types.Int64Type,
	"name":               types.StringType,
	"short_name":         types.StringType,
	"display_name":       types.StringType,
	"country_id":         types.Int64Type,
	"country_name":       types.StringType,
	"country_short_name": types.StringType,
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

// locationsValue maps locations to the list attribute, sorted by name so the output does not
// depend on the API's order. It also returns the ids the data source's id is built from.
func locationsValue(ctx context.Context, locs []flexmetal.Location) (types.List, []string, diag.Diagnostics) {
	return catalogListValue(ctx, locs, func(l flexmetal.Location) (string, int64) { return l.Name, l.ID }, newLocationModel, locationAttrTypes)
}

// instanceTypeModel is one element of flexmetal_instance_types.instance_types.
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

var instanceTypeAttrTypes = map[string]attr.Type{
	"id":              types.Int64Type,
	"name":            types.StringType,
	"sockets":         types.Int64Type,
	"cores":           types.Int64Type,
	"memory":          types.Int64Type,
	"memory_type":     types.StringType,
	"storage":         types.Int64Type,
	"storage_type":    types.StringType,
	"generation_name": types.StringType,
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

// instanceTypesValue maps instance types to the list attribute, sorted by name.
func instanceTypesValue(ctx context.Context, its []flexmetal.InstanceType) (types.List, []string, diag.Diagnostics) {
	return catalogListValue(ctx, its, func(it flexmetal.InstanceType) (string, int64) { return it.Name, it.ID }, newInstanceTypeModel, instanceTypeAttrTypes)
}

// operatingSystemModel is one element of flexmetal_operating_systems.operating_systems.
type operatingSystemModel struct {
	ID                    types.Int64  `tfsdk:"id"`
	Name                  types.String `tfsdk:"name"`
	Slug                  types.String `tfsdk:"slug"`
	OSGroup               types.Int64  `tfsdk:"os_group"`
	Active                types.Bool   `tfsdk:"active"`
	AvailableForFlexMetal types.Bool   `tfsdk:"available_for_flexmetal"`
}

var operatingSystemAttrTypes = map[string]attr.Type{
	"id":                      types.Int64Type,
	"name":                    types.StringType,
	"slug":                    types.StringType,
	"os_group":                types.Int64Type,
	"active":                  types.BoolType,
	"available_for_flexmetal": types.BoolType,
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

// operatingSystemsValue maps operating systems to the list attribute, sorted by slug. Unless
// includeUnavailable is set, only those orderable with a FlexMetal server are kept.
func operatingSystemsValue(ctx context.Context, oses []flexmetal.OperatingSystem, includeUnavailable bool) (types.List, []string, diag.Diagnostics) {
	kept := make([]flexmetal.OperatingSystem, 0, len(oses))
	for _, o := range oses {
		if includeUnavailable || o.Orderable() {
			kept = append(kept, o)
		}
	}
	return catalogListValue(ctx, kept, func(o flexmetal.OperatingSystem) (string, int64) { return o.Slug, o.ID }, newOperatingSystemModel, operatingSystemAttrTypes)
}

// catalogListValue maps catalog items to a list attribute, ordered by key (then id) so the
// output does not depend on the API's order, and returns the item ids the data source's id is
// built from.
func catalogListValue[T, M any](ctx context.Context, items []T, key func(T) (string, int64), toModel func(T) M, attrTypes map[string]attr.Type) (types.List, []string, diag.Diagnostics) {
	sorted := slices.SortedFunc(slices.Values(items), func(a, b T) int {
		ka, ia := key(a)
		kb, ib := key(b)
		return cmp.Or(cmp.Compare(ka, kb), cmp.Compare(ia, ib))
	})
	models := make([]M, len(sorted))
	ids := make([]string, len(sorted))
	for i, item := range sorted {
		models[i] = toModel(item)
		_, id := key(item)
		ids[i] = strconv.FormatInt(id, 10)
	}
	list, diags := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: attrTypes}, models)
	return list, ids, diags
}
