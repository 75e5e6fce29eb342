package catalog_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// seededLocation returns the simulator's location with this name.
func seededLocation(t *testing.T, name string) simulator.Location {
	t.Helper()
	for _, l := range simulator.Locations() {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("the simulator seeds no location %q", name)
	return simulator.Location{}
}

// expectLocation checks every attribute of a flexmetal_location against the seeded location.
func expectLocation(addr string, l simulator.Location) []statecheck.StateCheck {
	want := map[string]knownvalue.Check{
		"id":                 knownvalue.Int64Exact(int64(l.ID)),
		"name":               knownvalue.StringExact(l.Name),
		"short_name":         knownvalue.StringExact(l.ShortName),
		"display_name":       knownvalue.StringExact(l.DisplayName),
		"country_id":         knownvalue.Int64Exact(int64(l.CountryID)),
		"country_name":       knownvalue.StringExact(l.CountryName),
		"country_short_name": knownvalue.StringExact(l.CountryShortName),
	}
	checks := make([]statecheck.StateCheck, 0, len(want))
	for attr, check := range want {
		checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), check))
	}
	return checks
}

// countLocationLists counts GET /v3/flexMetal/location itself, not the instance type paths
// under it.
func countLocationLists(sim *simulator.Simulator) int {
	n := 0
	for _, r := range sim.Requests() {
		if r.Method == "GET" && r.Path == "/v3/flexMetal/location" {
			n++
		}
	}
	return n
}

// TestAccLocation_byNameAndByID looks locations up both ways next to the list data source, over
// two applies: every lookup is answered from the one cached location list.
func TestAccLocation_byNameAndByID(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	rotterdam := seededLocation(t, simulator.LocationRotterdam)
	tokyo := seededLocation(t, simulator.LocationTokyo)
	cfg := env.Config(fmt.Sprintf(`
data "flexmetal_locations" "all" {}

data "flexmetal_location" "by_name" {
  name = %[1]q
}

data "flexmetal_location" "by_id" {
  id = %[2]d
}
`, simulator.LocationRotterdam, tokyo.ID))
	checkOneList := func(*terraform.State) error {
		if n := countLocationLists(env.Sim); n != 1 {
			return fmt.Errorf("%d GET /v3/flexMetal/location, want 1", n)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: append(
					expectLocation("data.flexmetal_location.by_name", rotterdam),
					expectLocation("data.flexmetal_location.by_id", tokyo)...),
				Check: checkOneList,
			},
			{Config: cfg, Check: checkOneList},
		},
	})
}

func TestAccLocation_unknownNameSuggestsClosest(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "flexmetal_location" "typo" {
  name = "EU: Roterdam"
}
`),
			ExpectError: acctest.ErrorPattern(`(?s)Unknown FlexMetal Location.*with data.flexmetal_location.typo.*name = "EU: Roterdam".*Location "EU: Roterdam" does not exist. Did you mean "EU: Rotterdam"\? Valid values: "AE: Dubai", .*"US: Los Angeles - CA"\.`),
		}},
	})
}

func TestAccLocation_unknownIDListsIDsWithNames(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "flexmetal_location" "typo" {
  id = 99
}
`),
			ExpectError: acctest.ErrorPattern(`(?s)Unknown FlexMetal Location.*with data.flexmetal_location.typo.*id = 99.*No location has the id 99. Valid ids: 18 \("EU: Rotterdam"\), 24 \("EU: Montreuil 1"\), .*71 \("AE: Dubai"\). Look the location up by name`),
		}},
	})
}

func TestAccLocation_needsExactlyOneOfNameAndID(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{
				Config:      env.Config(`data "flexmetal_location" "neither" {}`),
				ExpectError: acctest.ErrorPattern(`(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured: \[id,name\]`),
			},
			{
				Config: env.Config(fmt.Sprintf(`
data "flexmetal_location" "both" {
  id   = %[1]d
  name = %[2]q
}
`, simulator.LocationRotterdamID, simulator.LocationRotterdam)),
				ExpectError: acctest.ErrorPattern(`(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured: \[id,name\]`),
			},
		},
	})
}

func TestAccLocation_apiFailureIsReadError(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	env.Sim.AddFault(simulator.Fault{Method: "GET", PathPrefix: "/v3/flexMetal/location", Kind: simulator.FaultStatus, Status: 503})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{
				Config:      env.Config(`data "flexmetal_location" "rtm" { name = "EU: Rotterdam" }`),
				ExpectError: acctest.ErrorPattern(`(?s)Unable to Read FlexMetal Locations.*Listing the FlexMetal locations, to find "EU: Rotterdam", failed.*API response: GET /v3/flexMetal/location: HTTP 503.*The API failed after several retries`),
			},
			{
				Config:      env.Config(`data "flexmetal_location" "rtm" { id = 18 }`),
				ExpectError: acctest.ErrorPattern(`(?s)Unable to Read FlexMetal Locations.*Listing the FlexMetal locations, to find the one with id 18, failed.*API response: GET /v3/flexMetal/location: HTTP 503`),
			},
		},
	})
}
