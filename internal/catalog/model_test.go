package catalog

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

func TestNewLocationModel(t *testing.T) {
	got := newLocationModel(flexmetal.Location{ID: 18, Name: "EU: Rotterdam", ShortName: "rtm", DisplayName: "Rotterdam", CountryID: 150, CountryName: "Netherlands", CountryShortName: "NL"})
	want := locationModel{
		ID:               types.Int64Value(18),
		Name:             types.StringValue("EU: Rotterdam"),
		ShortName:        types.StringValue("rtm"),
		DisplayName:      types.StringValue("Rotterdam"),
		CountryID:        types.Int64Value(150),
		CountryName:      types.StringValue("Netherlands"),
		CountryShortName: types.StringValue("NL"),
	}
	if got != want {
		t.Errorf("newLocationModel = %+v, want %+v", got, want)
	}
}

func TestLocationModels(t *testing.T) {
	cases := []struct {
		name      string
		in        []flexmetal.Location
		wantNames []string
		wantIDs   []string
	}{
		{"none", nil, []string{}, []string{}},
		{"sorted by name", []flexmetal.Location{{ID: 52, Name: "JP: Tokyo"}, {ID: 18, Name: "EU: Rotterdam"}, {ID: 71, Name: "AE: Dubai"}},
			[]string{"AE: Dubai", "EU: Rotterdam", "JP: Tokyo"}, []string{"71", "18", "52"}},
		{"same name ordered by id", []flexmetal.Location{{ID: 9, Name: "X"}, {ID: 3, Name: "X"}}, []string{"X", "X"}, []string{"3", "9"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			models, ids := locationModels(c.in)
			names := []string{}
			for _, m := range models {
				names = append(names, m.Name.ValueString())
			}
			if !slices.Equal(names, c.wantNames) || !slices.Equal(ids, c.wantIDs) {
				t.Errorf("names %q ids %q, want %q %q", names, ids, c.wantNames, c.wantIDs)
			}
		})
	}
}

func TestNewInstanceTypeModel(t *testing.T) {
	plan := flexmetal.Plan{
		Name: "bm9.hmm.32",
		Hardware: flexmetal.PlanHardware{
			CPU:               flexmetal.PlanCPU{Name: "AMD EPYC 9354P", BaseClock: 3250, CPUCount: 2, CPUCores: 16, TotalCores: 32},
			Memory:            flexmetal.PlanMemory{Type: "ddr5", Size: 256},
			Disks:             []flexmetal.PlanDisk{{Type: "nvme", Size: 960}, {Type: "nvme", Size: 960}},
			NetworkInterfaces: []flexmetal.PlanNetworkCount{{Type: "25 Gbps", Count: 2}},
			GPU:               json.RawMessage(`null`),
		},
		Locations: []flexmetal.PlanLocation{{Name: "EU: Rotterdam", DCCode: "nlrtm1", Availability: "low"}},
	}
	legacy := flexmetal.Plan{
		Name:      "bm7.std.8",
		Hardware:  flexmetal.PlanHardware{CPU: flexmetal.PlanCPU{CPUCount: 1, TotalCores: 8}, Memory: flexmetal.PlanMemory{Type: "DDR4", Size: 32}},
		Locations: []flexmetal.PlanLocation{{Name: "EU: Rotterdam"}},
		Legacy:    map[string]flexmetal.InstanceType{"EU: Rotterdam": {ID: 129, Name: "bm7.std.8", Storage: 960, StorageType: "SSD"}},
	}
	mixed := plan
	mixed.Hardware.Disks = []flexmetal.PlanDisk{{Type: "ssd", Size: 480}, {Type: "hdd", Size: 4000}}
	mixed.Hardware.GPU = json.RawMessage(`{ "model": "L4",  "count": 1 }`)
	cases := []struct {
		name string
		in   flexmetal.Plan
		want instanceTypeModel
	}{
		{"from /plans", plan, instanceTypeModel{
			hardwareModel: hardwareModel{
				Name: types.StringValue("bm9.hmm.32"), CPUName: types.StringValue("AMD EPYC 9354P"), CPUClockMHz: types.Int64Value(3250),
				CPUs: types.Int64Value(2), Cores: types.Int64Value(32), Memory: types.Int64Value(256), MemoryType: types.StringValue("ddr5"),
				Disks:             []diskModel{{Type: types.StringValue("nvme"), Size: types.Int64Value(960)}, {Type: types.StringValue("nvme"), Size: types.Int64Value(960)}},
				NetworkInterfaces: []networkModel{{Type: types.StringValue("25 Gbps"), Count: types.Int64Value(2)}},
				GPU:               types.StringNull(), Storage: types.Int64Value(1920), StorageType: types.StringValue("nvme"),
			},
			Availability: types.StringValue("low"),
		}},
		{"mixed disks and a GPU", mixed, instanceTypeModel{
			hardwareModel: hardwareModel{
				Name: types.StringValue("bm9.hmm.32"), CPUName: types.StringValue("AMD EPYC 9354P"), CPUClockMHz: types.Int64Value(3250),
				CPUs: types.Int64Value(2), Cores: types.Int64Value(32), Memory: types.Int64Value(256), MemoryType: types.StringValue("ddr5"),
				Disks:             []diskModel{{Type: types.StringValue("ssd"), Size: types.Int64Value(480)}, {Type: types.StringValue("hdd"), Size: types.Int64Value(4000)}},
				NetworkInterfaces: []networkModel{{Type: types.StringValue("25 Gbps"), Count: types.Int64Value(2)}},
				GPU:               types.StringValue(`{"model":"L4","count":1}`), Storage: types.Int64Value(4480), StorageType: types.StringNull(),
			},
			Availability: types.StringValue("low"),
		}},
		{"from the deprecated endpoint", legacy, instanceTypeModel{
			hardwareModel: hardwareModel{
				Name: types.StringValue("bm7.std.8"), CPUName: types.StringNull(), CPUClockMHz: types.Int64Null(),
				CPUs: types.Int64Value(1), Cores: types.Int64Value(8), Memory: types.Int64Value(32), MemoryType: types.StringValue("DDR4"),
				GPU: types.StringNull(), Storage: types.Int64Value(960), StorageType: types.StringValue("SSD"),
			},
			Availability: types.StringNull(),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := newInstanceTypeModel(c.in, "EU: Rotterdam"); !reflect.DeepEqual(got, c.want) {
				t.Errorf("newInstanceTypeModel =\n%+v\nwant\n%+v", got, c.want)
			}
		})
	}
}

func TestInstanceTypeModelsSortsByName(t *testing.T) {
	at := []flexmetal.PlanLocation{{Name: "X"}}
	models, ids := instanceTypeModels([]flexmetal.Plan{{Name: "bm9.hmm.32", Locations: at}, {Name: "bm7.std.8", Locations: at}, {Name: "bm8.std.32", Locations: at}}, "X")
	if len(models) != 3 || models[0].Name.ValueString() != "bm7.std.8" || models[2].Name.ValueString() != "bm9.hmm.32" {
		t.Errorf("models = %+v, want sorted by name", models)
	}
	if !slices.Equal(ids, []string{"bm7.std.8", "bm8.std.32", "bm9.hmm.32"}) {
		t.Errorf("ids = %q", ids)
	}
}

func TestNewPlanModelSortsLocationsByName(t *testing.T) {
	m := newPlanModel(flexmetal.Plan{Name: "bm7.std.8", Locations: []flexmetal.PlanLocation{
		{Name: "US: Dallas - TX", DCCode: "usdal1", Availability: "medium"},
		{Name: "EU: Rotterdam", DCCode: "nlrtm1", Availability: "high"},
	}})
	want := []planLocationModel{
		{Name: types.StringValue("EU: Rotterdam"), DCCode: types.StringValue("nlrtm1"), Availability: types.StringValue("high")},
		{Name: types.StringValue("US: Dallas - TX"), DCCode: types.StringValue("usdal1"), Availability: types.StringValue("medium")},
	}
	if !reflect.DeepEqual(m.Locations, want) {
		t.Errorf("locations = %+v, want %+v", m.Locations, want)
	}
}

func TestOperatingSystemModels(t *testing.T) {
	oses := []flexmetal.OperatingSystem{
		{ID: 302, Name: "Ubuntu 24.04 LTS", Slug: "ubuntu-2404-lts", OSGroup: 2, Active: true, AvailableForFlexMetal: true},
		{ID: 120, Name: "CentOS 7", Slug: "centos-7", OSGroup: 2, Active: false, AvailableForFlexMetal: true},
		{ID: 210, Name: "Windows Server 2022", Slug: "windows-2022", OSGroup: 1, Active: true, AvailableForFlexMetal: false},
		{ID: 310, Name: "Debian 12", Slug: "debian-12", OSGroup: 2, Active: true, AvailableForFlexMetal: true},
	}
	cases := []struct {
		name               string
		includeUnavailable bool
		wantSlugs          []string
	}{
		{"orderable only", false, []string{"debian-12", "ubuntu-2404-lts"}},
		{"include unavailable", true, []string{"centos-7", "debian-12", "ubuntu-2404-lts", "windows-2022"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			models, ids := operatingSystemModels(oses, c.includeUnavailable)
			var slugs []string
			for _, m := range models {
				slugs = append(slugs, m.Slug.ValueString())
			}
			if !slices.Equal(slugs, c.wantSlugs) || len(ids) != len(c.wantSlugs) {
				t.Errorf("slugs %q ids %q, want %q", slugs, ids, c.wantSlugs)
			}
		})
	}
}

func TestNewOperatingSystemModel(t *testing.T) {
	cases := []struct {
		in   flexmetal.OperatingSystem
		want operatingSystemModel
	}{
		{
			flexmetal.OperatingSystem{ID: 210, Name: "Windows Server 2022", Slug: "windows-2022", OSGroup: 1, IsODP: true, Active: true, AvailableForFlexMetal: false},
			operatingSystemModel{ID: types.Int64Value(210), Name: types.StringValue("Windows Server 2022"), Slug: types.StringValue("windows-2022"), OSGroup: types.Int64Value(1), Active: types.BoolValue(true), AvailableForFlexMetal: types.BoolValue(false)},
		},
		{
			flexmetal.OperatingSystem{ID: 120, Name: "CentOS 7", Slug: "centos-7", OSGroup: 2, Active: false, AvailableForFlexMetal: true},
			operatingSystemModel{ID: types.Int64Value(120), Name: types.StringValue("CentOS 7"), Slug: types.StringValue("centos-7"), OSGroup: types.Int64Value(2), Active: types.BoolValue(false), AvailableForFlexMetal: types.BoolValue(true)},
		},
	}
	for _, c := range cases {
		if got := newOperatingSystemModel(c.in); got != c.want {
			t.Errorf("newOperatingSystemModel(%s) = %+v, want %+v", c.in.Slug, got, c.want)
		}
	}
}
