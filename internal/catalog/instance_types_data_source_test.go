package catalog_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

func instanceTypesHCL(label, location string) string {
	return fmt.Sprintf(`
data "flexmetal_instance_types" %[1]q {
  location = %[2]q
}
`, label, location)
}

func TestAccInstanceTypes_listsRotterdam(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	seeded := slices.SortedFunc(slices.Values(simulator.InstanceTypesAt(simulator.LocationRotterdamID)), func(a, b simulator.InstanceType) int { return cmp.Compare(a.Name, b.Name) })
	want := make([]knownvalue.Check, len(seeded))
	for i, it := range seeded {
		want[i] = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":              knownvalue.Int64Exact(int64(it.ID)),
			"name":            knownvalue.StringExact(it.Name),
			"sockets":         knownvalue.Int64Exact(int64(it.Sockets)),
			"cores":           knownvalue.Int64Exact(int64(it.Cores)),
			"memory":          knownvalue.Int64Exact(int64(it.Memory)),
			"memory_type":     knownvalue.StringExact(it.MemoryType),
			"storage":         knownvalue.Int64Exact(int64(it.Storage)),
			"storage_type":    knownvalue.StringExact(it.StorageType),
			"generation_name": knownvalue.StringExact(it.GenerationName),
		})
	}
	const addr = "data.flexmetal_instance_types.rtm"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(instanceTypesHCL("rtm", simulator.LocationRotterdam)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("location"), knownvalue.StringExact(simulator.LocationRotterdam)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("instance_types"), knownvalue.ListExact(want)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("instance_types").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact(simulator.InstanceTypeBM7Std8)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(acctest.ListIDPattern)),
			},
		}},
	})
}

func TestAccInstanceTypes_unknownLocationListsValidNames(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.Test(t, resource.TestCase{
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
// API once for the locations and once per location for its instance types.
func TestAccInstanceTypes_catalogCachedPerProcess(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	cfg := env.Config(
		`data "flexmetal_locations" "all" {}`,
		instanceTypesHCL("a", simulator.LocationRotterdam),
		instanceTypesHCL("b", simulator.LocationRotterdam),
		instanceTypesHCL("tokyo", simulator.LocationTokyo),
	)
	tokyoID := 0
	for _, l := range simulator.Locations() {
		if l.Name == simulator.LocationTokyo {
			tokyoID = l.ID
		}
	}
	checkRequests := func(*terraform.State) error {
		locationLists := 0
		for _, r := range env.Sim.Requests() {
			if r.Method == "GET" && r.Path == "/v3/flexMetal/location" {
				locationLists++
			}
		}
		if locationLists != 1 {
			return fmt.Errorf("%d GET /v3/flexMetal/location, want 1", locationLists)
		}
		for _, id := range []int{simulator.LocationRotterdamID, tokyoID} {
			p := fmt.Sprintf("/v3/flexMetal/location/%d/instanceTypes", id)
			if n := env.Sim.CountRequests("GET", p); n != 1 {
				return fmt.Errorf("%d GET %s, want 1", n, p)
			}
		}
		if n := env.Sim.CountRequests("GET", "/v3/flexMetal/location/"); n != 2 {
			return fmt.Errorf("%d instance type requests in all, want 2 (Rotterdam and Tokyo)", n)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
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
