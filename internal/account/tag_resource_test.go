package account_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

const tagAddr = "flexmetal_tag.test"

func tagResourceHCL(name string) string {
	return fmt.Sprintf(`
resource "flexmetal_tag" "test" {
  name = %q
}
`, name)
}

// accountTagNames lists the simulator's account tags.
func accountTagNames(e *acctest.SimEnv) []string {
	var names []string
	for _, t := range e.Sim.Tags() {
		names = append(names, t.Tag)
	}
	return names
}

// expectAccountTags checks the simulator's account tags are exactly names.
func expectAccountTags(e *acctest.SimEnv, names ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := accountTagNames(e); !slices.Equal(got, names) {
			return fmt.Errorf("account tags %q, want %q", got, names)
		}
		return nil
	}
}

// checkNoTagsExcept is a CheckDestroy asking the simulator: only the tags in keep may be left.
func checkNoTagsExcept(e *acctest.SimEnv, keep ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, name := range accountTagNames(e) {
			if !slices.Contains(keep, name) {
				return fmt.Errorf("tag %q still exists after destroy", name)
			}
		}
		return nil
	}
}

// simClient is an API client for the simulator, for changes made outside Terraform.
func simClient(e *acctest.SimEnv, t *testing.T) *flexmetal.Client {
	t.Helper()
	c, err := flexmetal.NewClient(flexmetal.WithBaseURL(e.URL), flexmetal.WithAPIKey(simulator.DefaultAPIKey))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func tagStateChecks(name string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(tagAddr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
		statecheck.ExpectKnownValue(tagAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
	}
}

func TestAccTag_createRenameInPlaceImportDelete(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             checkNoTagsExcept(env),
		Steps: []resource.TestStep{
			{
				Config:            env.Config(tagResourceHCL("team:blue")),
				ConfigStateChecks: tagStateChecks("team:blue"),
				Check:             expectAccountTags(env, "team:blue"),
			},
			{
				Config: env.Config(tagResourceHCL("team:green")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tagAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(tagAddr, tfjsonpath.New("id"), knownvalue.StringExact("team:green")),
				}},
				ConfigStateChecks: tagStateChecks("team:green"),
				Check:             expectAccountTags(env, "team:green"),
			},
			{
				ResourceName:      tagAddr,
				ImportState:       true,
				ImportStateId:     "team:green",
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccTag_goneIsRemovedFromStateAndCreatedAgain(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	cfg := env.Config(tagResourceHCL("env:dev"))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             checkNoTagsExcept(env),
		Steps: []resource.TestStep{
			{Config: cfg, Check: expectAccountTags(env, "env:dev")},
			{
				PreConfig: func() {
					if err := simClient(env, t).Tags.Delete(t.Context(), "env:dev"); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tagAddr, plancheck.ResourceActionCreate),
				}},
				Check: expectAccountTags(env, "env:dev"),
			},
			{
				// Deleted outside Terraform again: destroy takes "already gone" as done.
				PreConfig: func() {
					if err := simClient(env, t).Tags.Delete(t.Context(), "env:dev"); err != nil {
						t.Fatal(err)
					}
				},
				Config:  cfg,
				Destroy: true,
			},
		},
	})
}

func TestAccTag_existingNameIsAttributeError(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	if err := env.Sim.CreateTag("team:red"); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             checkNoTagsExcept(env, "team:red"),
		Steps: []resource.TestStep{
			{
				Config:      env.Config(tagResourceHCL("team:red")),
				ExpectError: acctest.ErrorPattern(`(?s)Tag Already Exists.*with flexmetal_tag.test.*on terraform_plugin_test.tf line \d+.*name = "team:red".*Creating tag "team:red" failed: the account already has tag "team:red".*import it instead.*terraform import ADDRESS "team:red".*409`),
			},
			{Config: env.Config(tagResourceHCL("team:blue"))},
			{
				// A rename to a taken name is refused (409) and keeps the old name.
				Config:      env.Config(tagResourceHCL("team:red")),
				ExpectError: acctest.ErrorPattern(`(?s)Tag Already Exists.*Renaming tag "team:blue" to "team:red" failed; it keeps its old name: the account already has tag "team:red"`),
			},
			{Config: env.Config(tagResourceHCL("team:blue")), PlanOnly: true},
		},
	})
}

func TestAccTag_invalidNameFailsAtPlan(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{Config: env.Config(tagResourceHCL("team blue")), PlanOnly: true, ExpectError: acctest.ErrorPattern(`(?s)Invalid Tag.*It contains white space`)},
			{Config: env.Config(tagResourceHCL(shared.CreationTagPrefix + "x")), PlanOnly: true, ExpectError: acctest.ErrorPattern(`Reserved Tag Prefix`)},
		},
	})
	if n := env.Sim.CountRequests("", "/v3/flexMetal/tags"); n != 0 {
		t.Errorf("%d tag requests, want none: the name is checked at plan time", n)
	}
}

// TestAccTag_renameIsDriftOnServersCarryingIt renames a tag that a server's configuration lists
// by name: the API renames it on the server too, so the server's next plan puts the old tag back.
func TestAccTag_renameIsDriftOnServersCarryingIt(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	server := acctest.ServerHCL{Name: "tagged", Extra: `
  tags       = ["team:blue"]
  depends_on = [flexmetal_tag.test]
`}.Render()
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				Config: env.Config(tagResourceHCL("team:blue"), server),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("team:blue")})),
				},
			},
			{
				Config: env.Config(tagResourceHCL("team:green"), server),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(tagAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("team:blue")})),
					},
				},
				ExpectNonEmptyPlan: true,
				Check: func(*terraform.State) error {
					for _, s := range env.LiveServers() {
						if !slices.Equal(s.Tags, []string{"team:green"}) {
							return fmt.Errorf("server %s carries %q, want the renamed tag", s.Name, s.Tags)
						}
					}
					return nil
				},
			},
		},
	})
}

// TestAccTag_renameFollowedByServersReferringToIt: a server that lists the tag through
// flexmetal_tag's name follows a rename in the same apply, without drift.
func TestAccTag_renameFollowedByServersReferringToIt(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	server := acctest.ServerHCL{Name: "tagged", Extra: `  tags = [flexmetal_tag.test.name, "role:web"]`}.Render()
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{Config: env.Config(tagResourceHCL("team:blue"), server)},
			{
				Config: env.Config(tagResourceHCL("team:green"), server),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tagAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("team:green"), knownvalue.StringExact("role:web")})),
				},
				Check: func(*terraform.State) error {
					for _, s := range env.LiveServers() {
						if got := slices.Sorted(slices.Values(s.Tags)); !slices.Equal(got, []string{"role:web", "team:green"}) {
							return fmt.Errorf("server %s carries %q", s.Name, got)
						}
					}
					return nil
				},
			},
		},
	})
}
