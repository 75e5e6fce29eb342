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

func operatingSystemHCL(label, slug string) string {
	return fmt.Sprintf(`
data "flexmetal_operating_system" %[1]q {
  slug = %[2]q
}
`, label, slug)
}

// seededOperatingSystem returns the simulator's operating system with this slug.
func seededOperatingSystem(t *testing.T, slug string) simulator.OperatingSystem {
	t.Helper()
	for _, o := range simulator.OperatingSystems() {
		if o.Slug == slug {
			return o
		}
	}
	t.Fatalf("the simulator seeds no operating system %q", slug)
	return simulator.OperatingSystem{}
}

// expectOperatingSystem checks every attribute of a flexmetal_operating_system.
func expectOperatingSystem(addr string, o simulator.OperatingSystem) []statecheck.StateCheck {
	want := map[string]knownvalue.Check{
		"id":                      knownvalue.Int64Exact(int64(o.ID)),
		"name":                    knownvalue.StringExact(o.Name),
		"slug":                    knownvalue.StringExact(o.Slug),
		"os_group":                knownvalue.Int64Exact(int64(o.OSGroup)),
		"active":                  knownvalue.Bool(o.Active == 1),
		"available_for_flexmetal": knownvalue.Bool(o.AvailableForFlexMetal == 1),
	}
	checks := make([]statecheck.StateCheck, 0, len(want))
	for attr, check := range want {
		checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), check))
	}
	return checks
}

// TestAccOperatingSystem_foundBySlug looks up an orderable operating system and two that cannot
// be ordered, next to the list data source, over two applies: all from one cached list.
func TestAccOperatingSystem_foundBySlug(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	cfg := env.Config(
		`data "flexmetal_operating_systems" "orderable" {}`,
		operatingSystemHCL("ubuntu", simulator.OSUbuntu2404),
		operatingSystemHCL("inactive", simulator.OSCentOS7),
		operatingSystemHCL("not_flexmetal", simulator.OSWindows2022),
	)
	checkOneList := func(*terraform.State) error {
		if n := env.Sim.CountRequests("GET", "/v3/operatingsystem"); n != 1 {
			return fmt.Errorf("%d GET /v3/operatingsystem, want 1", n)
		}
		return nil
	}
	var checks []statecheck.StateCheck
	checks = append(checks, expectOperatingSystem("data.flexmetal_operating_system.ubuntu", seededOperatingSystem(t, simulator.OSUbuntu2404))...)
	checks = append(checks, expectOperatingSystem("data.flexmetal_operating_system.inactive", seededOperatingSystem(t, simulator.OSCentOS7))...)
	checks = append(checks, expectOperatingSystem("data.flexmetal_operating_system.not_flexmetal", seededOperatingSystem(t, simulator.OSWindows2022))...)
	// Spelled out, so the test does not only trust the seed data for what "not orderable" means.
	checks = append(checks,
		statecheck.ExpectKnownValue("data.flexmetal_operating_system.inactive", tfjsonpath.New("active"), knownvalue.Bool(false)),
		statecheck.ExpectKnownValue("data.flexmetal_operating_system.not_flexmetal", tfjsonpath.New("available_for_flexmetal"), knownvalue.Bool(false)),
	)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{Config: cfg, ConfigStateChecks: checks, Check: checkOneList},
			{Config: cfg, Check: checkOneList},
		},
	})
}

func TestAccOperatingSystem_unknownSlugSuggestsOrderable(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config:      env.Config(operatingSystemHCL("typo", "ubuntu-2404")),
			ExpectError: acctest.ErrorPattern(`(?s)Unknown Operating System.*with data.flexmetal_operating_system.typo.*slug = "ubuntu-2404".*Operating system "ubuntu-2404" does not exist. Did you mean "ubuntu-2404-lts"\? Valid values: "custom-ipxe", .*"windows-2025"\. Only orderable slugs are suggested; flexmetal_operating_systems with include_unavailable = true lists the others too\.`),
		}},
	})
}

func TestAccOperatingSystem_apiFailureIsReadError(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	env.Sim.AddFault(simulator.Fault{Method: "GET", PathPrefix: "/v3/operatingsystem", Kind: simulator.FaultStatus, Status: 503})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config:      env.Config(operatingSystemHCL("ubuntu", simulator.OSUbuntu2404)),
			ExpectError: acctest.ErrorPattern(`(?s)Unable to Read FlexMetal Operating Systems.*Listing the operating systems, to find "ubuntu-2404-lts", failed.*API response: GET /v3/operatingsystem: HTTP 503.*The API failed after several retries`),
		}},
	})
}
