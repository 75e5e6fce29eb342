package server_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// identityImportHCL is an import block that names the object by its identity.
func identityImportHCL(to, id string) string {
	return fmt.Sprintf(`
import {
  to       = %s
  identity = { id = %q }
}
`, to, id)
}

// TestAccServer_importByIdentity adopts a server that Terraform did not create with an import
// block naming its identity: no API write, no replacement, the identity in state, and an empty
// plan afterwards.
func TestAccServer_importByIdentity(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1})
	existing := env.AddServer(t, simulator.CreateServerRequest{Name: "legacy", Tags: []string{"imported"}})
	cfg := env.Config(identityImportHCL(acctest.ServerAddr, existing.UUID), acctest.ServerHCL{Name: "legacy", Extra: `  tags = ["imported"]`}.Render())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		TerraformVersionChecks:   acctest.IdentityTerraform,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				PreConfig: env.Sim.ResetRequests,
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// ssh_keys, which the API never reports, is adopted from the configuration.
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
					acctest.OnlyReads{Env: env},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(acctest.ServerAddr, map[string]knownvalue.Check{"id": knownvalue.StringExact(existing.UUID)}),
					statecheck.ExpectIdentityValueMatchesState(acctest.ServerAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
				},
				Check: acctest.OnlyReads{Env: env}.Check,
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// TestAccServer_createSetsIdentity: a created server carries its identity, and importing it again
// by that identity plans nothing but the import.
func TestAccServer_createSetsIdentity(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		TerraformVersionChecks:   acctest.IdentityTerraform,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				// A keyless operating system: with nothing configured that the API does not
				// report, an import matches the configuration exactly.
				Config: env.Config(acctest.ServerHCL{Name: "win-1", OS: `{ slug = "windows-2025" }`, SSHKeys: "null"}.Render()),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentityValueMatchesState(acctest.ServerAddr, tfjsonpath.New("id")),
				},
			},
			{
				PreConfig:        env.Sim.ResetRequests,
				ResourceName:     acctest.ServerAddr,
				ImportState:      true,
				ImportStateKind:  resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{acctest.OnlyReads{Env: env}}},
			},
		},
	})
}

func TestAccServer_importByIdentityErrors(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	server := acctest.ServerHCL{Name: "web-1"}.Render()
	for _, c := range []struct {
		name, id, want string
	}{
		{"not a uuid", "web-1", `(?s)Invalid Import ID.*Expected a server UUID, got "web-1"`},
		{"no such server", "019256ab-1554-73a7-b091-f024b0a724ea", `Cannot import non-existent remote object`},
	} {
		t.Run(c.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: env.Factories,
				TerraformVersionChecks:   acctest.IdentityTerraform,
				Steps: []resource.TestStep{{
					Config:      env.Config(identityImportHCL(acctest.ServerAddr, c.id), server),
					ExpectError: acctest.ErrorPattern(c.want),
				}},
			})
		})
	}
}

// TestAccSSHKey_importByIdentity: a stored key is adopted by its identity with a no-op plan.
func TestAccSSHKey_importByIdentity(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	key, err := env.Sim.AddSSHKey("deploy", simulator.ExamplePublicKeyEd25519)
	if err != nil {
		t.Fatal(err)
	}
	keyHCL := acctest.SSHKeyResourceHCL("deploy", fmt.Sprintf("%q", simulator.ExamplePublicKeyEd25519))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		TerraformVersionChecks:   acctest.IdentityTerraform,
		CheckDestroy:             acctest.CheckNoSSHKeys(env),
		Steps: []resource.TestStep{
			{
				PreConfig: env.Sim.ResetRequests,
				Config:    env.Config(identityImportHCL(acctest.SSHKeyAddr, key.UUID), keyHCL),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.SSHKeyAddr, plancheck.ResourceActionNoop),
					acctest.OnlyReads{Env: env},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(acctest.SSHKeyAddr, map[string]knownvalue.Check{"id": knownvalue.StringExact(key.UUID)}),
					statecheck.ExpectKnownValue(acctest.SSHKeyAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-`))),
				},
				Check: acctest.OnlyReads{Env: env}.Check,
			},
			{
				// Import again, by the identity that the state now holds.
				PreConfig:        env.Sim.ResetRequests,
				Config:           env.Config(keyHCL),
				ResourceName:     acctest.SSHKeyAddr,
				ImportState:      true,
				ImportStateKind:  resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{acctest.OnlyReads{Env: env}}},
			},
		},
	})
}
