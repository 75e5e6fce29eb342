package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// fleetConfig is env's provider block with the given settings (default_tags,
// ignore_tag_prefixes), followed by parts.
func fleetConfig(env *acctest.SimEnv, settings string, parts ...string) string {
	provider := strings.Replace(env.ProviderConfig(), "provider \"flexmetal\" {\n", "provider \"flexmetal\" {\n"+settings+"\n", 1)
	return provider + strings.Join(parts, "\n")
}

func tagSet(tags ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(tags))
	for i, t := range tags {
		checks[i] = knownvalue.StringExact(t)
	}
	return knownvalue.SetExact(checks)
}

// serverTags checks the tags the simulator's server carries, in any order.
func serverTags(env *acctest.SimEnv, id *string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		srv, ok := env.Sim.Server(*id)
		if !ok {
			return fmt.Errorf("server %s not found", *id)
		}
		got := slices.Sorted(slices.Values(srv.Tags))
		slices.Sort(want)
		if !slices.Equal(got, want) {
			return fmt.Errorf("server %s carries tags %v, want %v", *id, got, want)
		}
		return nil
	}
}

// TestAccServer_defaultTags: every server carries default_tags besides its own tags, a tag may be
// in both lists, changing default_tags only changes tags, and a default tag removed outside
// Terraform is drift. After every step the plan is empty (terraform-plugin-testing checks).
func TestAccServer_defaultTags(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	server := acctest.ServerHCL{Name: "tagged", Extra: `  tags = ["env:prod", "role:web"]`}.Render()
	var id string
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				Config: fleetConfig(env, `  default_tags = ["team:infra", "env:prod"]`, server),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags_all"), tagSet("env:prod", "role:web", "team:infra")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(acctest.ServerAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), tagSet("env:prod", "role:web")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags_all"), tagSet("env:prod", "role:web", "team:infra")),
				},
				Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &id), serverTags(env, &id, "env:prod", "role:web", "team:infra")),
			},
			{
				Config: fleetConfig(env, `  default_tags = ["team:platform", "env:prod"]`, server),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags_all"), tagSet("env:prod", "role:web", "team:platform")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(acctest.ServerAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), tagSet("env:prod", "role:web")),
				},
				Check: serverTags(env, &id, "env:prod", "role:web", "team:platform"),
			},
			{
				// env:prod leaves tags but is still a default tag: only the state changes.
				PreConfig: env.Sim.ResetRequests,
				Config:    fleetConfig(env, `  default_tags = ["team:platform", "env:prod"]`, acctest.ServerHCL{Name: "tagged", Extra: `  tags = ["role:web"]`}.Render()),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(acctest.ServerAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), tagSet("role:web")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags_all"), tagSet("env:prod", "role:web", "team:platform")),
				},
				Check: resource.ComposeTestCheckFunc(acctest.OnlyReads{Env: env}.Check, serverTags(env, &id, "env:prod", "role:web", "team:platform")),
			},
			{
				// A default tag removed in the console is put back.
				PreConfig: func() {
					if err := env.Sim.SetServerTags(id, []string{"env:prod", "role:web"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: fleetConfig(env, `  default_tags = ["team:platform", "env:prod"]`, acctest.ServerHCL{Name: "tagged", Extra: `  tags = ["role:web"]`}.Render()),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
				Check: serverTags(env, &id, "env:prod", "role:web", "team:platform"),
			},
		},
	})
	if n := env.Sim.CountRequests("PATCH", ""); n != 0 {
		t.Errorf("%d PATCH requests; tag changes never reinstall", n)
	}
}

// TestAccServer_defaultTagsKnownOnlyAfterApply: default_tags and tags that depend on a resource
// leave tags_all unknown in the plan, and the apply sets them without an inconsistent plan or
// result; changing them later updates the server in place.
func TestAccServer_defaultTagsKnownOnlyAfterApply(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	cfg := func(team, role string) string {
		return fleetConfig(env, `  default_tags = [terraform_data.team.output, "env:prod"]`, fmt.Sprintf(`
resource "terraform_data" "team" {
  input = %q
}

resource "terraform_data" "role" {
  input = %q
}
`, team, role), acctest.ServerHCL{Name: "later", Extra: `  tags = [terraform_data.role.output, "env:prod"]`}.Render())
	}
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				Config: cfg("team:infra", "role:web"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(acctest.ServerAddr, tfjsonpath.New("tags_all")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), tagSet("env:prod", "role:web")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags_all"), tagSet("env:prod", "role:web", "team:infra")),
				},
				Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &id), serverTags(env, &id, "env:prod", "role:web", "team:infra")),
			},
			{
				Config: cfg("team:platform", "role:db"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(acctest.ServerAddr, tfjsonpath.New("tags_all")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), tagSet("env:prod", "role:db")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags_all"), tagSet("env:prod", "role:db", "team:platform")),
				},
				Check: serverTags(env, &id, "env:prod", "role:db", "team:platform"),
			},
		},
	})
	if n := env.Sim.CountRequests("PATCH", ""); n != 0 {
		t.Errorf("%d PATCH requests; tag changes never reinstall", n)
	}
}

// TestAccServer_ignoreTagPrefixes: tags another tool sets are neither drift nor removed by an
// apply, and configuring such a tag fails the plan.
func TestAccServer_ignoreTagPrefixes(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	const settings = `  ignore_tag_prefixes = ["backup:", "mon-"]`
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				Config: fleetConfig(env, settings, acctest.ServerHCL{Name: "watched", Extra: `  tags = ["role:web"]`}.Render()),
				Check:  acctest.CaptureID(acctest.ServerAddr, &id),
			},
			{
				// Another tool tags the server: the plan is empty.
				PreConfig: func() {
					if err := env.Sim.SetServerTags(id, []string{"role:web", "backup:daily", "mon-on"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:   fleetConfig(env, settings, acctest.ServerHCL{Name: "watched", Extra: `  tags = ["role:web"]`}.Render()),
				PlanOnly: true,
			},
			{
				// Changing tags keeps the other tool's.
				Config: fleetConfig(env, settings, acctest.ServerHCL{Name: "watched", Extra: `  tags = ["role:db"]`}.Render()),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), tagSet("role:db")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags_all"), tagSet("role:db")),
				},
				Check: serverTags(env, &id, "backup:daily", "mon-on", "role:db"),
			},
			{
				Config:      fleetConfig(env, settings, acctest.ServerHCL{Name: "watched", Extra: `  tags = ["role:db", "backup:weekly"]`}.Render()),
				ExpectError: acctest.ErrorPattern(`(?s)Tag Is Ignored by the Provider.*Tag "backup:weekly" starts with "backup:", one of the provider's ignore_tag_prefixes`),
			},
			{
				Config:      fleetConfig(env, settings+"\n"+`  default_tags = ["mon-off"]`, acctest.ServerHCL{Name: "watched", Extra: `  tags = ["role:db"]`}.Render()),
				ExpectError: acctest.ErrorPattern(`(?s)Default Tag Is Ignored.*Default tag "mon-off" starts with "mon-"`),
			},
			{
				// A valid configuration again, for the destroy that follows; still no change.
				Config:   fleetConfig(env, settings, acctest.ServerHCL{Name: "watched", Extra: `  tags = ["role:db"]`}.Render()),
				PlanOnly: true,
			},
		},
	})
}
