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

func instanceTypeHCL(label, location, name string) string {
	return fmt.Sprintf(`
data "flexmetal_instance_type" %[1]q {
  location = %[2]q
  name     = %[3]q
}
`, label, location, name)
}

// expectInstanceType checks every attribute of a flexmetal_instance_type.
func expectInstanceType(t *testing.T, addr, location, name, availability string) []statecheck.StateCheck {
	want := with(expectHardware(t, name), map[string]knownvalue.Check{
		"location":     knownvalue.StringExact(location),
		"availability": knownvalue.StringExact(availability),
	})
	checks := make([]statecheck.StateCheck, 0, len(want))
	for attr, check := range want {
		checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), check))
	}
	return checks
}

// TestAccInstanceType_foundAtLocation looks up the same hardware at two locations, next to the
// list data source, over two applies: the catalog is read once, from /plans, and each lookup
// reports the availability at its own location.
func TestAccInstanceType_foundAtLocation(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{Availability: map[simulator.QuotaKey]string{
		{Location: simulator.LocationAshburn, InstanceType: simulator.InstanceTypeBM9Hmm32}: simulator.AvailabilityMedium,
	}})
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
		if n := env.Sim.CountRequests("GET", "/v3/flexMetal/plans"); n != 1 {
			return fmt.Errorf("%d GET /v3/flexMetal/plans, want 1", n)
		}
		if n := env.Sim.CountRequests("GET", deprecatedPath); n != 0 {
			return fmt.Errorf("%d requests to the deprecated instance-type endpoint, want none", n)
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
					expectInstanceType(t, rtmAddr, simulator.LocationRotterdam, simulator.InstanceTypeBM9Hmm32, "high"),
					expectInstanceType(t, ashAddr, simulator.LocationAshburn, simulator.InstanceTypeBM9Hmm32, "medium")...),
				Check: checkRequests,
			},
			{Config: cfg, Check: checkRequests},
		},
	})
}

func TestAccInstanceType_unknownLocationSuggestsClosest(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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
	const p = "/v3/flexMetal/plans"
	env.Sim.AddFault(simulator.Fault{Method: "GET", PathPrefix: p, Kind: simulator.FaultStatus, Status: 503})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config:      env.Config(instanceTypeHCL("rtm", simulator.LocationRotterdam, simulator.InstanceTypeBM7Std8)),
			ExpectError: acctest.ErrorPattern(`(?s)Unable to Read FlexMetal Instance Types.*Listing the instance types of "EU: Rotterdam", to find "bm7.std.8", failed.*API response: GET ` + p + `: HTTP 503.*The API failed after several retries`),
		}},
	})
}
