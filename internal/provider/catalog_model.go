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
	sorted := slices.SortedFunc(slices.Values(locs), func(a, b flexmetal.Location) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	models := make([]locationModel, len(sorted))
	ids := make([]string, len(sorted))
	for i, l := range sorted {
		models[i] = newLocationModel(l)
		ids[i] = strconv.FormatInt(l.ID, 10)
	}
	list, diags := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: locationAttrTypes}, models)
	return list, ids, diags
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
	sorted := slices.SortedFunc(slices.Values(its), func(a, b flexmetal.InstanceType) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	models := make([]instanceTypeModel, len(sorted))
	ids := make([]string, len(sorted))
	for i, it := range sorted {
		models[i] = newInstanceTypeModel(it)
		ids[i] = strconv.FormatInt(it.ID, 10)
	}
	list, diags := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: instanceTypeAttrTypes}, models)
	return list, ids, diags
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
	slices.SortFunc(kept, func(a, b flexmetal.OperatingSystem) int {
		return cmp.Or(cmp.Compare(a.Slug, b.Slug), cmp.Compare(a.ID, b.ID))
	})
	models := make([]operatingSystemModel, len(kept))
	ids := make([]string, len(kept))
	for i, o := range kept {
		models[i] = newOperatingSystemModel(o)
		ids[i] = strconv.FormatInt(o.ID, 10)
	}
	list, diags := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: operatingSystemAttrTypes}, models)
	return list, ids, diags
}
