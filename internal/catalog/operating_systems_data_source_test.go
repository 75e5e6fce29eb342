package catalog_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// osSlugs checks a list of operating systems by slug, in order.
func osSlugs(slugs ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(slugs))
	for i, s := range slugs {
		checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"slug": knownvalue.StringExact(s)})
	}
	return knownvalue.ListExact(checks)
}

func TestAccOperatingSystems_defaultListsOnlyOrderable(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	const (
		defaults = "data.flexmetal_operating_systems.default"
		explicit = "data.flexmetal_operating_systems.explicit_false"
	)
	differentIDs := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "flexmetal_operating_systems" "default" {}
data "flexmetal_operating_systems" "explicit_false" {
  include_unavailable = false
}
data "flexmetal_operating_systems" "all" {
  include_unavailable = true
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(defaults, tfjsonpath.New("operating_systems"), osSlugs(
					simulator.OSCustomIPXE, simulator.OSDebian12, simulator.OSTalosOmni1116, simulator.OSTalosOmni1123, simulator.OSTalosOmni184,
					simulator.OSUbuntu2204, simulator.OSUbuntu2404, simulator.OSWindows2025)),
				statecheck.ExpectKnownValue(explicit, tfjsonpath.New("operating_systems"), knownvalue.ListSizeExact(8)),
				statecheck.ExpectKnownValue(defaults, tfjsonpath.New("operating_systems").AtSliceIndex(6), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":                      knownvalue.Int64Exact(302),
					"name":                    knownvalue.StringExact("Ubuntu 24.04 LTS"),
					"slug":                    knownvalue.StringExact(simulator.OSUbuntu2404),
					"os_group":                knownvalue.Int64Exact(2),
					"active":                  knownvalue.Bool(true),
					"available_for_flexmetal": knownvalue.Bool(true),
				})),
				statecheck.ExpectKnownValue(defaults, tfjsonpath.New("id"), knownvalue.StringRegexp(acctest.ListIDPattern)),
				differentIDs.AddStateValue(defaults, tfjsonpath.New("id")),
				differentIDs.AddStateValue("data.flexmetal_operating_systems.all", tfjsonpath.New("id")),
			},
		}},
	})
}

func TestAccOperatingSystems_includeUnavailableListsAll(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	const addr = "data.flexmetal_operating_systems.all"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "flexmetal_operating_systems" "all" {
  include_unavailable = true
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("operating_systems"), osSlugs(
					simulator.OSCentOS7, simulator.OSCustomIPXE, simulator.OSDebian12, simulator.OSTalosOmni1116, simulator.OSTalosOmni1123,
					simulator.OSTalosOmni184, simulator.OSUbuntu2204, simulator.OSUbuntu2404, simulator.OSWindows2022, simulator.OSWindows2025)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("operating_systems").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"slug":                    knownvalue.StringExact(simulator.OSCentOS7),
					"active":                  knownvalue.Bool(false),
					"available_for_flexmetal": knownvalue.Bool(true),
				})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("operating_systems").AtSliceIndex(8), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"slug":                    knownvalue.StringExact(simulator.OSWindows2022),
					"os_group":                knownvalue.Int64Exact(1),
					"active":                  knownvalue.Bool(true),
					"available_for_flexmetal": knownvalue.Bool(false),
				})),
			},
		}},
	})
}
