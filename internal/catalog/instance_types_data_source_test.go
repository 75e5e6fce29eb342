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

func instanceTypesHCL(label, location string) string {
	return fmt.Sprintf(`
data "flexmetal_instance_types" %[1]q {
  location = %[2]q
}
`, label, location)
}

func TestAccInstanceTypes_listsRotterdamWithHardwareAndAvailability(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{Availability: map[simulator.QuotaKey]string{
		{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM8Std32}: simulator.AvailabilityLow,
		// Elsewhere: not Rotterdam's.
		{Location: simulator.LocationDubai, InstanceType: simulator.InstanceTypeBM9Hmm32}: simulator.AvailabilityUnavailable,
	}})
	want := []knownvalue.Check{
		knownvalue.ObjectExact(with(expectHardware(t, simulator.InstanceTypeBM7Std8), map[string]knownvalue.Check{"availability": knownvalue.StringExact("high")})),
		knownvalue.ObjectExact(with(expectHardware(t, simulator.InstanceTypeBM8Std32), map[string]knownvalue.Check{"availability": knownvalue.StringExact("low")})),
		knownvalue.ObjectExact(with(expectHardware(t, simulator.InstanceTypeBM9Hmm32), map[string]knownvalue.Check{"availability": knownvalue.StringExact("high")})),
	}
	const addr = "data.flexmetal_instance_types.rtm"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(instanceTypesHCL("rtm", simulator.LocationRotterdam)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("location"), knownvalue.StringExact(simulator.LocationRotterdam)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("instance_types"), knownvalue.ListExact(want)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(acctest.ListIDPattern)),
			},
		}},
	})
}

// TestAccInstanceTypes_olderAPIFallsBackToDeprecatedEndpointOnce runs against an API without
// /plans: the instance types come from the deprecated endpoint, without availability and the
// hardware only /plans reports, and /plans is asked once in all.
func TestAccInstanceTypes_olderAPIFallsBackToDeprecatedEndpointOnce(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{NoPlansEndpoint: true})
	it := seededInstanceType(t, simulator.LocationRotterdamID, simulator.InstanceTypeBM7Std8)
	cfg := env.Config(instanceTypesHCL("rtm", simulator.LocationRotterdam), `data "flexmetal_plans" "all" {}`)
	const addr = "data.flexmetal_instance_types.rtm"
	checkRequests := func(*terraform.State) error {
		if n := env.Sim.CountRequests("GET", "/v3/flexMetal/plans"); n != 1 {
			return fmt.Errorf("%d GET /v3/flexMetal/plans, want 1: its 404 holds for the run", n)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("instance_types"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("instance_types").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name":               knownvalue.StringExact(it.Name),
						"availability":       knownvalue.Null(),
						"cpu_name":           knownvalue.Null(),
						"cpu_clock_mhz":      knownvalue.Null(),
						"cpus":               knownvalue.Int64Exact(int64(it.Sockets)),
						"cores":              knownvalue.Int64Exact(int64(it.Cores)),
						"memory":             knownvalue.Int64Exact(int64(it.Memory)),
						"memory_type":        knownvalue.StringExact(it.MemoryType),
						"disks":              knownvalue.Null(),
						"network_interfaces": knownvalue.Null(),
						"gpu":                knownvalue.Null(),
						"storage":            knownvalue.Int64Exact(int64(it.Storage)),
						"storage_type":       knownvalue.StringExact(it.StorageType),
					})),
					statecheck.ExpectKnownValue("data.flexmetal_plans.all", tfjsonpath.New("plans").AtSliceIndex(0).AtMapKey("locations").AtSliceIndex(0),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"name": knownvalue.StringExact(simulator.LocationSaoPaulo), "dc_code": knownvalue.Null(), "availability": knownvalue.Null(),
						})),
				},
				Check: checkRequests,
			},
			{Config: cfg, Check: checkRequests},
		},
	})
}

func TestAccInstanceTypes_unknownLocationListsValidNames(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config:      env.Config(instanceTypesHCL("typo", "EU: Roterdam")),
			ExpectError: acctest.ErrorPattern(`(?s)Unknown FlexMetal Location.*with data.flexmetal_instance_types.typo.*location.*"EU: Roterdam" does not exist. Did you mean "EU: Rotterdam"\? Valid values: "AE: Dubai", .*"US: Los Angeles - CA"`),
		}},
	})
}

// TestAccInstanceTypes_catalogCachedPerProcess reads locations and the same location's instance
// types twice (plus another location's) across several Terraform commands: the provider asks the
// API once for the locations and once for the plans, never the deprecated endpoint.
func TestAccInstanceTypes_catalogCachedPerProcess(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	cfg := env.Config(
		`data "flexmetal_locations" "all" {}`,
		instanceTypesHCL("a", simulator.LocationRotterdam),
		instanceTypesHCL("b", simulator.LocationRotterdam),
		instanceTypesHCL("tokyo", simulator.LocationTokyo),
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
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.flexmetal_instance_types.a", tfjsonpath.New("instance_types"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue("data.flexmetal_instance_types.b", tfjsonpath.New("instance_types"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue("data.flexmetal_instance_types.tokyo", tfjsonpath.New("instance_types"), knownvalue.ListSizeExact(1)),
				},
				Check: checkRequests,
			},
			// A second apply is another set of Terraform commands against the same provider
			// process: still no new catalog requests.
			{Config: cfg, Check: checkRequests},
		},
	})
}
