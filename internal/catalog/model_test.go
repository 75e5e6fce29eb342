package catalog

import (
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
	got := newInstanceTypeModel(flexmetal.InstanceType{ID: 131, LocationID: 18, Name: "bm9.hmm.32", Sockets: 1, Cores: 32, Memory: 256, MemoryType: "DDR5", Storage: 1920, StorageType: "NVME", GenerationName: "Genoa"})
	want := instanceTypeModel{
		ID:             types.Int64Value(131),
		Name:           types.StringValue("bm9.hmm.32"),
		Sockets:        types.Int64Value(1),
		Cores:          types.Int64Value(32),
		Memory:         types.Int64Value(256),
		MemoryType:     types.StringValue("DDR5"),
		Storage:        types.Int64Value(1920),
		StorageType:    types.StringValue("NVME"),
		GenerationName: types.StringValue("Genoa"),
	}
	if got != want {
		t.Errorf("newInstanceTypeModel = %+v, want %+v", got, want)
	}
}

func TestInstanceTypeModelsSortsByName(t *testing.T) {
	models, ids := instanceTypeModels([]flexmetal.InstanceType{{ID: 131, Name: "bm9.hmm.32"}, {ID: 129, Name: "bm7.std.8"}, {ID: 130, Name: "bm8.std.32"}})
	if len(models) != 3 || models[0].Name.ValueString() != "bm7.std.8" || models[2].Name.ValueString() != "bm9.hmm.32" {
		t.Errorf("models = %+v, want sorted by name", models)
	}
	if !slices.Equal(ids, []string{"129", "130", "131"}) {
		t.Errorf("ids = %q", ids)
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
