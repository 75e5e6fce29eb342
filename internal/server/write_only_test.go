package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// absent checks that none of the secrets appears anywhere in a plan or state, as Terraform
// shows them in JSON (terraform show -json).
type absent []string

var (
	_ plancheck.PlanCheck   = absent{}
	_ statecheck.StateCheck = absent{}
)

func (a absent) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = a.check("plan", req.Plan)
}

func (a absent) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = a.check("state", req.State)
}

func (a absent) check(what string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	for _, secret := range a {
		if i := strings.Index(string(raw), secret); i >= 0 {
			return fmt.Errorf("the %s contains the secret %q: %s", what, secret, string(raw)[max(0, i-300):i+50])
		}
	}
	return nil
}

// scriptVariable declares the ephemeral variable the write-only script comes from. A literal in
// the configuration would be in the plan anyway (plan files carry the configuration), and so would
// a variable that is not ephemeral (plan files carry their values).
const scriptVariable = `
variable "script" {
  type      = string
  ephemeral = true
}
`

// writeOnlyScript renders the write-only post-install script attributes, the script taken
// from var.script.
func writeOnlyScript(version int) string {
	return fmt.Sprintf("  post_install_script_wo         = var.script\n  post_install_script_wo_version = %d\n", version)
}

// scriptVars sets var.script.
func scriptVars(script string) config.Variables {
	return config.Variables{"script": config.StringVariable(script)}
}

// scriptSent checks the script the simulator got with the server's order (reinstall false) or
// its last reinstall, and the number of reinstalls.
func scriptSent(e *acctest.SimEnv, id *string, reinstall bool, patches int, script string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := e.Sim.CountPatches(*id); n != patches {
			return fmt.Errorf("%d PATCH requests for server %s, want %d", n, *id, patches)
		}
		got := ""
		if reinstall {
			last, _ := e.Sim.LastReinstall(*id)
			got = last.PostInstallScript
		} else {
			s, _ := e.Sim.Server(*id)
			got = s.PostInstallScript
		}
		if got != script {
			return fmt.Errorf("server %s got the post-install script %q, want %q", *id, got, script)
		}
		return nil
	}
}

// TestAccServer_writeOnlyPostInstallScript: the write-only script is sent with the order and with
// every reinstall, never reaches a plan or the state, and only a new version reinstalls (with
// allow_reinstall = true; with false, it replaces).
func TestAccServer_writeOnlyPostInstallScript(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	secrets := absent{"secret-v1", "secret-v2", "secret-v3"}
	var id, replacement string
	noSecrets := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{secrets}, PostApplyPostRefresh: []plancheck.PlanCheck{secrets}}
	stateWithVersion := func(version int64) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			secrets,
			statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("post_install_script_wo"), knownvalue.Null()),
			statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("post_install_script"), knownvalue.Null()),
			statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("post_install_script_wo_version"), knownvalue.Int64Exact(version)),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				Config:            env.Config(scriptVariable, acctest.ServerHCL{Name: "wo", Extra: inPlace + writeOnlyScript(1)}.Render()),
				ConfigVariables:   scriptVars("echo secret-v1"),
				ConfigPlanChecks:  noSecrets,
				ConfigStateChecks: stateWithVersion(1),
				Check:             resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &id), scriptSent(env, &id, false, 0, "echo secret-v1")),
			},
			{
				// A new script without a new version: Terraform cannot tell, nothing happens.
				Config:          env.Config(scriptVariable, acctest.ServerHCL{Name: "wo", Extra: inPlace + writeOnlyScript(1)}.Render()),
				ConfigVariables: scriptVars("echo secret-v2"),
				PlanOnly:        true,
			},
			{
				Config:          env.Config(scriptVariable, acctest.ServerHCL{Name: "wo", Extra: inPlace + writeOnlyScript(2)}.Render()),
				ConfigVariables: scriptVars("echo secret-v2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					secrets,
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: stateWithVersion(2),
				Check:             scriptSent(env, &id, true, 1, "echo secret-v2"),
			},
			{
				// Any reinstall sends the whole installation, the current write-only script too.
				Config:            env.Config(scriptVariable, acctest.ServerHCL{Name: "wo", OS: `{ slug = "debian-12" }`, Extra: inPlace + writeOnlyScript(2)}.Render()),
				ConfigVariables:   scriptVars("echo secret-v3"),
				ConfigPlanChecks:  noSecrets,
				ConfigStateChecks: stateWithVersion(2),
				Check:             scriptSent(env, &id, true, 2, "echo secret-v3"),
			},
			{
				Config:          env.Config(scriptVariable, acctest.ServerHCL{Name: "wo", OS: `{ slug = "debian-12" }`, Extra: "  allow_reinstall = false\n" + writeOnlyScript(3)}.Render()),
				ConfigVariables: scriptVars("echo secret-v3"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					secrets,
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: stateWithVersion(3),
				Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &replacement), func(*terraform.State) error {
					if replacement == id {
						return fmt.Errorf("server %s was kept, want a replacement", id)
					}
					return nil
				}, scriptSent(env, &replacement, false, 0, "echo secret-v3")),
			},
		},
	})
}

// TestAccServer_writeOnlyMigrationWithoutReinstall: moving a server's script from
// post_install_script to post_install_script_wo reinstalls it, unless Terraform forgets the
// server and imports it again, as the secrets guide describes: the import adopts the version.
func TestAccServer_writeOnlyMigrationWithoutReinstall(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1})
	existing := env.AddServer(t, simulator.CreateServerRequest{Name: "move", PostInstallScript: "echo secret-token"})
	id := existing.UUID
	importBlock := fmt.Sprintf(`
import {
  to = flexmetal_server.test
  id = %q
}
`, id)
	stored := env.Config(importBlock, acctest.ServerHCL{Name: "move", Extra: `  post_install_script = "echo secret-token"`}.Render())
	writeOnly := acctest.ServerHCL{Name: "move", Extra: writeOnlyScript(1)}.Render()
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{Config: stored},
			{
				// Switching in place is a change of post_install_script: a reinstall.
				Config:             env.Config(scriptVariable, writeOnly),
				ConfigVariables:    scriptVars("echo secret-token"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: env.Config(`
removed {
  from = flexmetal_server.test
  lifecycle {
    destroy = false
  }
}
`),
			},
			{
				Config:          env.Config(scriptVariable, importBlock, writeOnly),
				ConfigVariables: scriptVars("echo secret-token"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					absent{"secret-token"},
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					absent{"secret-token"},
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("post_install_script_wo_version"), knownvalue.Int64Exact(1)),
				},
				Check: scriptSent(env, &id, false, 0, "echo secret-token"),
			},
		},
	})
}

// TestAccServer_writeOnlyPostInstallScriptValidation: both scripts, or a version without the
// write-only script, fail the plan with errors that say what to do.
func TestAccServer_writeOnlyPostInstallScriptValidation(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{
				Config:          env.Config(scriptVariable, acctest.ServerHCL{Name: "both", Extra: `  post_install_script = "echo stored"` + "\n" + writeOnlyScript(1)}.Render()),
				ConfigVariables: scriptVars("echo secret"),
				PlanOnly:        true,
				ExpectError:     acctest.ErrorPattern(`(?s)Conflicting Post-Install Scripts.*post_install_script and post_install_script_wo both set the post-install script: keep one`),
			},
			{
				Config:      env.Config(acctest.ServerHCL{Name: "version-only", Extra: `  post_install_script_wo_version = 1`}.Render()),
				PlanOnly:    true,
				ExpectError: acctest.ErrorPattern(`(?s)Attribute "post_install_script_wo" must be specified when "post_install_script_wo_version" is specified`),
			},
		},
	})
	if n := len(env.Sim.Servers()); n != 0 {
		t.Errorf("%d servers ordered by plans that must fail", n)
	}
}

// TestAccServer_writeOnlyNeedsTerraform111: Terraform before 1.11 would store a write-only value
// like any other, so the plan refuses it. (It runs with the compatibility suite's 1.5.7.)
func TestAccServer_writeOnlyNeedsTerraform111(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipAbove(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config:      env.Config(acctest.ServerHCL{Name: "old-cli", Extra: `  post_install_script_wo = "echo secret"`}.Render()),
			PlanOnly:    true,
			ExpectError: acctest.ErrorPattern(`(?s)WriteOnly Attribute Not Allowed.*only supported in Terraform 1.11 and later`),
		}},
	})
}
