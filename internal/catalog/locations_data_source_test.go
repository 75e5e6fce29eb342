package catalog_test

import (
	"cmp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

const locationsAddr = "data.flexmetal_locations.all"

func TestAccLocations_listsSeededLocationsSortedByName(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	seeded := slices.SortedFunc(slices.Values(simulator.Locations()), func(a, b simulator.Location) int { return cmp.Compare(a.Name, b.Name) })
	want := make([]knownvalue.Check, len(seeded))
	for i, l := range seeded {
		want[i] = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":                 knownvalue.Int64Exact(int64(l.ID)),
			"name":               knownvalue.StringExact(l.Name),
			"short_name":         knownvalue.StringExact(l.ShortName),
			"display_name":       knownvalue.StringExact(l.DisplayName),
			"country_id":         knownvalue.Int64Exact(int64(l.CountryID)),
			"country_name":       knownvalue.StringExact(l.CountryName),
			"country_short_name": knownvalue.StringExact(l.CountryShortName),
		})
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	cfg := env.Config(`data "flexmetal_locations" "all" {}`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(locationsAddr, tfjsonpath.New("locations"), knownvalue.ListExact(want)),
					statecheck.ExpectKnownValue(locationsAddr, tfjsonpath.New("locations").AtSliceIndex(slices.IndexFunc(seeded, func(l simulator.Location) bool { return l.Name == simulator.LocationRotterdam })).AtMapKey("id"),
						knownvalue.Int64Exact(simulator.LocationRotterdamID)),
					statecheck.ExpectKnownValue(locationsAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(acctest.ListIDPattern)),
					sameID.AddStateValue(locationsAddr, tfjsonpath.New("id")),
				},
			},
			{
				// The id is a hash of the contents: reading the same list again keeps it.
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(locationsAddr, tfjsonpath.New("id"))},
			},
		},
	})
}
