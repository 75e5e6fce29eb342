package catalog_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

func instanceTypeHCL(label, location, name string) string {
	return fmt.Sprintf(`
data "flexmetal_instance_type" %[1]q {
  location = %[2]q
  name     = %[3]q
}
`, label, location, name)
}

// seededInstanceType returns the simulator's instance type with this name at a location id.
func seededInstanceType(t *testing.T, locationID int, name string) simulator.InstanceType {
	t.Helper()
	for _, it := range simulator.InstanceTypesAt(locationID) {
		if it.Name == name {
			return it
		}
	}
	t.Fatalf("the simulator seeds no instance type %q at location %d", name, locationID)
	return simulator.InstanceType{}
}

// expectInstanceType checks every attribute of a flexmetal_instance_type.
func expectInstanceType(addr, location string, it simulator.InstanceType) []statecheck.StateCheck {
	want := map[string]knownvalue.Check{
		"location":        knownvalue.StringExact(location),
		"id":              knownvalue.Int64Exact(int64(it.ID)),
		"name":            knownvalue.StringExact(it.Name),
		"sockets":         knownvalue.Int64Exact(int64(it.Sockets)),
		"cores":           knownvalue.Int64Exact(int64(it.Cores)),
		"memory":          knownvalue.Int64Exact(int64(it.Memory)),
		"memory_type":     knownvalue.StringExact(it.MemoryType),
		"storage":         knownvalue.Int64Exact(int64(it.Storage)),
		"storage_type":    knownvalue.StringExact(it.StorageType),
		"generation_name": knownvalue.StringExact(it.GenerationName),
	}
	checks := make([]statecheck.StateCheck, 0, len(want))
	for attr, check := range want {
		checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), check))
	}
	return checks
}

// TestAccInstanceType_foundAtLocation looks up the same hardware at two locations, next to the
// list data source, over two applies: each location's instance types are fetched once, and the
// ids differ because an instance type's id names the pair of location and hardware.
func TestAccInstanceType_foundAtLocation(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	ashburn := seededLocation(t, simulator.LocationAshburn)
	const (
		rtmAddr = "data.flexmetal_instance_type.rtm"
		ashAddr = "data.flexmetal_instance_type.ash"
	)
	cfg := env.Config(
		instanceTypesHCL("rtm", simulator.LocationRotterdam),
		instanceTypeHCL("rtm", simulator.LocationRotterdam, simulator.InstanceTypeBM9Hmm32),
		instanceTypeHCL("rtm_again", simulator.LocationRotterdam, simulator.InstanceTypeBM9Hmm32),
		instanceTypeHCL("ash", simulator.LocationAshburn, simulator.InstanceTypeBM9Hmm32),
	)
	checkRequests := func(*terraform.State) error {
		if n := countLocationLists(env.Sim); n != 1 {
			return fmt.Errorf("%d GET /v3/flexMetal/location, want 1", n)
		}
		for _, id := range []int{simulator.LocationRotterdamID, ashburn.ID} {
			p := fmt.Sprintf("/v3/flexMetal/location/%d/instanceTypes", id)
			if n := env.Sim.CountRequests("GET", p); n != 1 {
				return fmt.Errorf("%d GET %s, want 1", n, p)
			}
		}
		return nil
	}
	differentIDs := statecheck.CompareValue(compare.ValuesDiffer())
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: append(append(
					expectInstanceType(rtmAddr, simulator.LocationRotterdam, seededInstanceType(t, simulator.LocationRotterdamID, simulator.InstanceTypeBM9Hmm32)),
					expectInstanceType(ashAddr, simulator.LocationAshburn, seededInstanceType(t, ashburn.ID, simulator.InstanceTypeBM9Hmm32))...),
					differentIDs.AddStateValue(rtmAddr, tfjsonpath.New("id")),
					differentIDs.AddStateValue(ashAddr, tfjsonpath.New("id")),
				),
				Check: checkRequests,
			},
			{Config: cfg, Check: checkRequests},
		},
	})
}

func TestAccInstanceType_unknownLocationSuggestsClosest(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config:      env.Config(instanceTypeHCL("typo", "EU: Roterdam", simulator.InstanceTypeBM7Std8)),
			ExpectError: acctest.ErrorPattern(`(?s)Unknown FlexMetal Location.*with data.flexmetal_instance_type.typo.*location = "EU: Roterdam".*Location "EU: Roterdam" does not exist. Did you mean "EU: Rotterdam"\? Valid values: "AE: Dubai", .*"US: Los Angeles - CA"\.`),
		}},
	})
}

func TestAccInstanceType_notOfferedAtLocationNamesIt(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{
				// bm7.std.8 exists, but Tokyo only offers bm8.std.32.
				Config:      env.Config(instanceTypeHCL("tokyo", simulator.LocationTokyo, simulator.InstanceTypeBM7Std8)),
				ExpectError: acctest.ErrorPattern(`(?s)Instance Type Not Offered at Location.*with data.flexmetal_instance_type.tokyo.*name = "bm7.std.8".*Instance type "bm7.std.8" is not offered at "JP: Tokyo". Did you mean "bm8.std.32"\? Valid values: "bm8.std.32"\.`),
			},
			{
				Config:      env.Config(instanceTypeHCL("typo", simulator.LocationRotterdam, "bm9.hmm.23")),
				ExpectError: acctest.ErrorPattern(`(?s)Instance Type Not Offered at Location.*Instance type "bm9.hmm.23" is not offered at "EU: Rotterdam". Did you mean "bm9.hmm.32"\? Valid values: "bm7.std.8", "bm8.std.32", "bm9.hmm.32"\.`),
			},
		},
	})
}

func TestAccInstanceType_apiFailureIsReadError(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	p := fmt.Sprintf("/v3/flexMetal/location/%d/instanceTypes", simulator.LocationRotterdamID)
	env.Sim.AddFault(simulator.Fault{Method: "GET", PathPrefix: p, Kind: simulator.FaultStatus, Status: 503})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config:      env.Config(instanceTypeHCL("rtm", simulator.LocationRotterdam, simulator.InstanceTypeBM7Std8)),
			ExpectError: acctest.ErrorPattern(`(?s)Unable to Read FlexMetal Instance Types.*Listing the instance types of "EU: Rotterdam", to find "bm7.std.8", failed.*API response: GET ` + p + `: HTTP 503.*The API failed after several retries`),
		}},
	})
}
