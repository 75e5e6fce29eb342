package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// identityTerraform skips tests of import blocks with identity and of identities in state, which
// need Terraform 1.12 or later.
var identityTerraform = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

// onlyReads is a plan check (and, through check, a TestCheckFunc): the API has received nothing
// but GET requests since the step's PreConfig reset the simulator's record.
type onlyReads struct{ env *simEnv }

func (c onlyReads) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c.check(nil)
}

func (c onlyReads) check(*terraform.State) error {
	for _, r := range c.env.sim.Requests() {
		if r.Method != "GET" {
			return fmt.Errorf("the API received a write: %s %s", r.Method, r.Path)
		}
	}
	return nil
}

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
	env := newSimEnv(t, simulator.Config{StepDuration: -1})
	existing := env.addServer(t, simulator.CreateServerRequest{Name: "legacy", Tags: []string{"imported"}})
	cfg := env.config(identityImportHCL(serverAddr, existing.UUID), serverHCL{Name: "legacy", Extra: `  tags = ["imported"]`}.render())
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		TerraformVersionChecks:   identityTerraform,
		CheckDestroy:             env.checkAllReleased,
		Steps: []resource.TestStep{
			{
				PreConfig: env.sim.ResetRequests,
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// ssh_keys, which the API never reports, is adopted from the configuration.
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
					onlyReads{env},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(serverAddr, map[string]knownvalue.Check{"id": knownvalue.StringExact(existing.UUID)}),
					statecheck.ExpectIdentityValueMatchesState(serverAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
				},
				Check: onlyReads{env}.check,
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// TestAccServer_createSetsIdentity: a created server carries its identity, and importing it again
// by that identity plans nothing but the import.
func TestAccServer_createSetsIdentity(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		TerraformVersionChecks:   identityTerraform,
		CheckDestroy:             env.checkAllReleased,
		Steps: []resource.TestStep{
			{
				// A keyless operating system: with nothing configured that the API does not
				// report, an import matches the configuration exactly.
				Config: env.config(serverHCL{Name: "win-1", OS: `{ slug = "windows-2025" }`, SSHKeys: "null"}.render()),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentityValueMatchesState(serverAddr, tfjsonpath.New("id")),
				},
			},
			{
				PreConfig:        env.sim.ResetRequests,
				ResourceName:     serverAddr,
				ImportState:      true,
				ImportStateKind:  resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{onlyReads{env}}},
			},
		},
	})
}

func TestAccServer_importByIdentityErrors(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	server := serverHCL{Name: "web-1"}.render()
	for _, c := range []struct {
		name, id, want string
	}{
		{"not a uuid", "web-1", `(?s)Invalid Import ID.*Expected a server UUID, got "web-1"`},
		{"no such server", "019256ab-1554-73a7-b091-f024b0a724ea", `Cannot import non-existent remote object`},
	} {
		t.Run(c.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { accPreCheck(t) },
				ProtoV6ProviderFactories: env.factories,
				TerraformVersionChecks:   identityTerraform,
				Steps: []resource.TestStep{{
					Config:      env.config(identityImportHCL(serverAddr, c.id), server),
					ExpectError: errorPattern(c.want),
				}},
			})
		})
	}
}

// TestAccSSHKey_importByIdentity: a stored key is adopted by its identity with a no-op plan.
func TestAccSSHKey_importByIdentity(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	key, err := env.sim.AddSSHKey("deploy", simulator.ExamplePublicKeyEd25519)
	if err != nil {
		t.Fatal(err)
	}
	keyHCL := sshKeyResourceHCL("deploy", fmt.Sprintf("%q", simulator.ExamplePublicKeyEd25519))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		TerraformVersionChecks:   identityTerraform,
		CheckDestroy:             env.checkNoSSHKeys,
		Steps: []resource.TestStep{
			{
				PreConfig: env.sim.ResetRequests,
				Config:    env.config(identityImportHCL(sshKeyAddr, key.UUID), keyHCL),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(sshKeyAddr, plancheck.ResourceActionNoop),
					onlyReads{env},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(sshKeyAddr, map[string]knownvalue.Check{"id": knownvalue.StringExact(key.UUID)}),
					statecheck.ExpectKnownValue(sshKeyAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-`))),
				},
				Check: onlyReads{env}.check,
			},
			{
				// Import again, by the identity that the state now holds.
				PreConfig:        env.sim.ResetRequests,
				Config:           env.config(keyHCL),
				ResourceName:     sshKeyAddr,
				ImportState:      true,
				ImportStateKind:  resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{onlyReads{env}}},
			},
		},
	})
}
