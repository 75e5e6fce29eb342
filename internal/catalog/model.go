package catalog

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"

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

// hardwareModel is an instance type's hardware, as flexmetal_plans, flexmetal_instance_types and
// flexmetal_instance_type show it.
type hardwareModel struct {
	Name              types.String   `tfsdk:"name"`
	CPUName           types.String   `tfsdk:"cpu_name"`
	CPUClockMHz       types.Int64    `tfsdk:"cpu_clock_mhz"`
	CPUs              types.Int64    `tfsdk:"cpus"`
	Cores             types.Int64    `tfsdk:"cores"`
	Memory            types.Int64    `tfsdk:"memory"`
	MemoryType        types.String   `tfsdk:"memory_type"`
	Disks             []diskModel    `tfsdk:"disks"`
	NetworkInterfaces []networkModel `tfsdk:"network_interfaces"`
	GPU               types.String   `tfsdk:"gpu"`
	Storage           types.Int64    `tfsdk:"storage"`
	StorageType       types.String   `tfsdk:"storage_type"`
}

type diskModel struct {
	Type types.String `tfsdk:"type"`
	Size types.Int64  `tfsdk:"size"`
}

type networkModel struct {
	Type  types.String `tfsdk:"type"`
	Count types.Int64  `tfsdk:"count"`
}

// instanceTypeModel is one element of flexmetal_instance_types.instance_types: the hardware
// and its availability at the listed location. The flexmetal_instance_type data source embeds it.
type instanceTypeModel struct {
	hardwareModel
	Availability types.String `tfsdk:"availability"`
}

// planModel is one element of flexmetal_plans.plans.
type planModel struct {
	hardwareModel
	Locations []planLocationModel `tfsdk:"locations"`
}

type planLocationModel struct {
	Name         types.String `tfsdk:"name"`
	DCCode       types.String `tfsdk:"dc_code"`
	Availability types.String `tfsdk:"availability"`
}

// availabilityDescription documents every availability attribute.
const availabilityDescription = "Live availability: `high` (ample capacity), `medium` (limited), `low` (a few units left) or `unavailable` (none now). It can change between plan and apply. Null when the API predates `GET /v3/flexMetal/plans` and the provider fell back to the deprecated instance-type endpoint."

// hardwareAttributes describes hardwareModel's scalar attributes; hardwareSchema adds the lists.
var hardwareAttributes = shared.ComputedAttributes{
	"name":          {Description: "The instance type's name, e.g. `bm7.std.8`: the value for a server's `instance_type`."},
	"cpu_name":      {Description: "The CPU model, e.g. `Intel(R) Xeon(R) E-2278G CPU @ 3.40GHz`. Null from the deprecated endpoint."},
	"cpu_clock_mhz": {Description: "The CPU's base clock in MHz. Null from the deprecated endpoint.", Kind: shared.Int64Kind},
	"cpus":          {Description: "Number of CPUs (sockets).", Kind: shared.Int64Kind},
	"cores":         {Description: "Number of CPU cores in total, over all CPUs.", Kind: shared.Int64Kind},
	"memory":        {Description: "Memory in GB.", Kind: shared.Int64Kind},
	"memory_type":   {Description: "Memory technology as the API spells it, e.g. `ddr4`."},
	"gpu":           {Description: "The GPU as the API describes it, JSON-encoded (read it with `jsondecode`): the API does not document its shape. Null when there is none."},
	"storage":       {Description: "Total disk space in GB: the sum of `disks`' sizes (from the deprecated endpoint, the storage it reports).", Kind: shared.Int64Kind},
	"storage_type":  {Description: "The disks' technology, e.g. `ssd`, when every disk has the same one; null when they differ."},
}

// hardwareSchema is the schema of hardwareModel.
func hardwareSchema() map[string]schema.Attribute {
	return shared.WithAttributes(hardwareAttributes.DataSource(), map[string]schema.Attribute{
		"disks": schema.ListNestedAttribute{
			MarkdownDescription: "The disks, in the API's order. Null from the deprecated endpoint, which reports only `storage`.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"type": schema.StringAttribute{MarkdownDescription: "Disk technology, e.g. `ssd` or `nvme`.", Computed: true},
				"size": schema.Int64Attribute{MarkdownDescription: "Disk size in GB.", Computed: true},
			}},
		},
		"network_interfaces": schema.ListNestedAttribute{
			MarkdownDescription: "The network interfaces, by kind. Null from the deprecated endpoint.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"type":  schema.StringAttribute{MarkdownDescription: "Kind of interface, e.g. `1 Gbps`.", Computed: true},
				"count": schema.Int64Attribute{MarkdownDescription: "How many interfaces of this kind.", Computed: true},
			}},
		},
	})
}

// instanceTypeSchema is the schema of instanceTypeModel.
func instanceTypeSchema() map[string]schema.Attribute {
	return shared.WithAttributes(hardwareSchema(), map[string]schema.Attribute{
		"availability": schema.StringAttribute{MarkdownDescription: availabilityDescription, Computed: true},
	})
}

// planSchema is the schema of planModel.
func planSchema() map[string]schema.Attribute {
	return shared.WithAttributes(hardwareSchema(), map[string]schema.Attribute{
		"locations": schema.ListNestedAttribute{
			MarkdownDescription: "The locations offering the instance type, sorted by `name`.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name":         schema.StringAttribute{MarkdownDescription: "The location's name, e.g. `EU: Rotterdam`: the value for a server's `location`.", Computed: true},
				"dc_code":      schema.StringAttribute{MarkdownDescription: "The data center's code, e.g. `nlrtm1`. Null from the deprecated endpoint.", Computed: true},
				"availability": schema.StringAttribute{MarkdownDescription: availabilityDescription, Computed: true},
			}},
		},
	})
}

// newHardwareModel maps a plan's hardware. legacy is what the deprecated endpoint reported for
// the plan, when the provider fell back to it: the only source of storage then.
func newHardwareModel(p flexmetal.Plan, legacy *flexmetal.InstanceType) hardwareModel {
	h := p.Hardware
	m := hardwareModel{
		Name:        types.StringValue(p.Name),
		CPUName:     shared.StringOrNull(h.CPU.Name),
		CPUClockMHz: int64OrNull(h.CPU.BaseClock),
		CPUs:        types.Int64Value(h.CPU.CPUCount),
		Cores:       types.Int64Value(h.CPU.TotalCores),
		Memory:      types.Int64Value(h.Memory.Size),
		MemoryType:  shared.StringOrNull(h.Memory.Type),
		GPU:         types.StringNull(),
		Storage:     types.Int64Null(),
		StorageType: types.StringNull(),
	}
	if h.Disks != nil {
		m.Disks = make([]diskModel, len(h.Disks))
		total, kind := int64(0), ""
		for i, d := range h.Disks {
			m.Disks[i] = diskModel{Type: types.StringValue(d.Type), Size: types.Int64Value(d.Size)}
			total += d.Size
			switch {
			case i == 0:
				kind = d.Type
			case kind != d.Type:
				kind = ""
			}
		}
		m.Storage, m.StorageType = types.Int64Value(total), shared.StringOrNull(kind)
	} else if legacy != nil {
		m.Storage, m.StorageType = types.Int64Value(legacy.Storage), shared.StringOrNull(legacy.StorageType)
	}
	if h.NetworkInterfaces != nil {
		m.NetworkInterfaces = make([]networkModel, len(h.NetworkInterfaces))
		for i, n := range h.NetworkInterfaces {
			m.NetworkInterfaces[i] = networkModel{Type: types.StringValue(n.Type), Count: types.Int64Value(n.Count)}
		}
	}
	if h.HasGPU() {
		var buf bytes.Buffer
		if json.Compact(&buf, h.GPU) == nil {
			m.GPU = types.StringValue(buf.String())
		}
	}
	return m
}

func int64OrNull(n int64) types.Int64 {
	if n == 0 {
		return types.Int64Null()
	}
	return types.Int64Value(n)
}

// legacyAt is what the deprecated endpoint reported for p at location, or nil.
func legacyAt(p flexmetal.Plan, location string) *flexmetal.InstanceType {
	if it, ok := p.Legacy[location]; ok {
		return &it
	}
	return nil
}

// anyLegacy is what the deprecated endpoint reported for p at the first location listed, or nil.
func anyLegacy(p flexmetal.Plan) *flexmetal.InstanceType {
	for _, l := range p.Locations {
		if it := legacyAt(p, l.Name); it != nil {
			return it
		}
	}
	return nil
}

// newInstanceTypeModel maps a plan offered at location.
func newInstanceTypeModel(p flexmetal.Plan, location string) instanceTypeModel {
	at, _ := p.At(location)
	return instanceTypeModel{hardwareModel: newHardwareModel(p, legacyAt(p, location)), Availability: shared.StringOrNull(at.Availability)}
}

// instanceTypeModels maps the plans offered at location for the list attribute, sorted by name,
// and returns their names (the ids of the list).
func instanceTypeModels(plans []flexmetal.Plan, location string) ([]instanceTypeModel, []string) {
	return shared.SortedItems(plans, comparePlans, planName, func(p flexmetal.Plan) instanceTypeModel { return newInstanceTypeModel(p, location) })
}

// newPlanModel maps a plan with its locations, sorted by name.
func newPlanModel(p flexmetal.Plan) planModel {
	locs := slices.SortedFunc(slices.Values(p.Locations), func(a, b flexmetal.PlanLocation) int { return cmp.Compare(a.Name, b.Name) })
	m := planModel{hardwareModel: newHardwareModel(p, anyLegacy(p)), Locations: make([]planLocationModel, len(locs))}
	for i, l := range locs {
		m.Locations[i] = planLocationModel{Name: types.StringValue(l.Name), DCCode: shared.StringOrNull(l.DCCode), Availability: shared.StringOrNull(l.Availability)}
	}
	return m
}

// planModels maps plans for the list attribute, sorted by name, and returns their names.
func planModels(plans []flexmetal.Plan) ([]planModel, []string) {
	return shared.SortedItems(plans, comparePlans, planName, newPlanModel)
}

func comparePlans(a, b flexmetal.Plan) int { return cmp.Compare(a.Name, b.Name) }

func planName(p flexmetal.Plan) string { return p.Name }

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
