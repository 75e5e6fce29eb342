package server_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// TestAccServer_erasingChangeReplacesByDefault: without allow_reinstall a change that erases the
// disks is a replacement, which the JSON plan reports as a delete (what policy checks look for),
// and nothing is reinstalled.
func TestAccServer_erasingChangeReplacesByDefault(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				Config: env.Config(acctest.ServerHCL{Name: "immutable"}.Render()),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("allow_reinstall"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("deletion_protection"), knownvalue.Bool(false)),
				},
			},
			{
				Config: env.Config(acctest.ServerHCL{Name: "immutable", OS: `{ slug = "debian-12" }`}.Render()),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
	if n := env.Sim.CountRequests("PATCH", ""); n != 0 {
		t.Errorf("%d PATCH requests; without allow_reinstall = true nothing is reinstalled", n)
	}
}

// TestAccServer_deletionProtection: a protected server cannot be destroyed (even by deleting its
// block), replaced or reinstalled; tags still change; turning protection off sends nothing to
// the API; then the server can be destroyed.
func TestAccServer_deletionProtection(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	protected := acctest.ServerHCL{Name: "precious", Extra: "  deletion_protection = true\n  allow_reinstall     = true\n"}
	const refused = `(?s)Server Is Protected From Deletion.*%s.*but the server has deletion_protection = true.*first set deletion_protection = false and apply that on its own`
	resetRequests := func() { env.Sim.ResetRequests() }
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				Config:            env.Config(protected.Render()),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("deletion_protection"), knownvalue.Bool(true))},
			},
			{
				// The resource block deleted: lifecycle.prevent_destroy would be gone with it.
				PreConfig:   resetRequests,
				Config:      env.Config(),
				ExpectError: acctest.ErrorPattern(fmt.Sprintf(refused, "This plan destroys server") + `.*put it back with deletion_protection = false`),
			},
			{
				PreConfig:   resetRequests,
				Config:      env.Config(acctest.ServerHCL{Name: "precious", OS: `{ slug = "debian-12" }`, Extra: protected.Extra}.Render()),
				ExpectError: acctest.ErrorPattern(fmt.Sprintf(refused, `This plan reinstalls server .* because os.slug changed`)),
			},
			{
				PreConfig:   resetRequests,
				Config:      env.Config(acctest.ServerHCL{Name: "precious", Location: "US: Dallas - TX", Extra: protected.Extra}.Render()),
				ExpectError: acctest.ErrorPattern(fmt.Sprintf(refused, `This plan replaces server .* because location changed`)),
			},
			{
				PreConfig: resetRequests,
				Config:    env.Config(acctest.ServerHCL{Name: "precious", Extra: protected.Extra + "  tags = [\"env:prod\"]\n"}.Render()),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
			},
			{
				// Only the state changes.
				PreConfig: resetRequests,
				Config:    env.Config(acctest.ServerHCL{Name: "precious", Extra: "  tags = [\"env:prod\"]\n"}.Render()),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("deletion_protection"), knownvalue.Bool(false)),
				}},
				Check: acctest.OnlyReads{Env: env}.Check,
			},
		},
	})
	if n := env.Sim.CountRequests("PATCH", ""); n != 0 {
		t.Errorf("%d PATCH requests; a protected server must not be reinstalled", n)
	}
}
