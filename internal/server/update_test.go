package server_test

import (
	"fmt"
	"regexp"
	"slices"
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

// inPlace opts in to reinstalls: without it, the changes below would replace the server.
const inPlace = "  allow_reinstall = true\n"

// reinstalled checks that the server has been reinstalled exactly patches times in all, the last
// time with the given name and OS slug.
func reinstalled(e *acctest.SimEnv, id *string, patches int, name, slug string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := e.Sim.CountPatches(*id); n != patches {
			return fmt.Errorf("%d PATCH requests for server %s, want %d", n, *id, patches)
		}
		last, ok := e.Sim.LastReinstall(*id)
		if !ok || last.Name != name || last.OS.Slug != slug {
			return fmt.Errorf("last reinstall %+v, want name %q and os %q", last, name, slug)
		}
		// The reinstall tag is gone once the reinstall is recorded.
		return noProviderTagsLeft(e, *id)
	}
}

// TestAccServer_reinstallInPlace changes each reinstalling attribute in turn: every apply is one
// PATCH with the full desired values, the server keeps its id and IP addresses, and the plan
// afterwards is empty (terraform-plugin-testing checks that after every step).
func TestAccServer_reinstallInPlace(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	var id string
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameIP := statecheck.CompareValue(compare.ValuesSame())
	sameIPv6 := statecheck.CompareValue(compare.ValuesSame())
	kept := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{
			sameID.AddStateValue(acctest.ServerAddr, tfjsonpath.New("id")),
			sameIP.AddStateValue(acctest.ServerAddr, tfjsonpath.New("ip_address")),
			sameIPv6.AddStateValue(acctest.ServerAddr, tfjsonpath.New("ipv6_address")),
			statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
		}
	}
	partitioned := `{
    slug       = "debian-12"
    partitions = [{ target = "/data", filesystem = "xfs", size = -1 }]
  }`
	talos := `{
    slug          = "debian-12"
    partitions    = [{ target = "/data", filesystem = "xfs", size = -1 }]
    kernel_params = [{ key = "console", value = "ttyS0" }]
  }`
	steps := []struct {
		attr string
		hcl  acctest.ServerHCL
		slug string
	}{
		{"name", acctest.ServerHCL{Name: "renamed", Extra: inPlace}, "ubuntu-2404-lts"},
		{"os.slug", acctest.ServerHCL{Name: "renamed", OS: `{ slug = "debian-12" }`, Extra: inPlace}, "debian-12"},
		{"os.partitions", acctest.ServerHCL{Name: "renamed", OS: partitioned, Extra: inPlace}, "debian-12"},
		{"os.kernel_params", acctest.ServerHCL{Name: "renamed", OS: talos, Extra: inPlace}, "debian-12"},
		{"ssh_keys", acctest.ServerHCL{Name: "renamed", OS: talos, SSHKeys: fmt.Sprintf("[%q]", acctest.TestPublicKey2), Extra: inPlace}, "debian-12"},
		{"post_install_script", acctest.ServerHCL{Name: "renamed", OS: talos, SSHKeys: fmt.Sprintf("[%q]", acctest.TestPublicKey2), Extra: inPlace + `  post_install_script = "echo v2"`}, "debian-12"},
	}
	testSteps := []resource.TestStep{{
		Config:            env.Config(acctest.ServerHCL{Name: "original", Extra: inPlace}.Render()),
		Check:             acctest.CaptureID(acctest.ServerAddr, &id),
		ConfigStateChecks: kept(),
	}}
	for i, s := range steps {
		testSteps = append(testSteps, resource.TestStep{
			Config: env.Config(s.hcl.Render()),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue(acctest.ServerAddr, tfjsonpath.New("delivered_at")),
				plancheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("ip_address"), knownvalue.NotNull()),
				plancheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("ipv6_address"), knownvalue.NotNull()),
			}},
			Check:             reinstalled(env, &id, i+1, "renamed", s.slug),
			ConfigStateChecks: kept(),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps:                    testSteps,
	})
	last, _ := env.Sim.LastReinstall(id)
	if !slices.Equal(last.SSHKeys, []string{acctest.TestPublicKey2}) || last.PostInstallScript != "echo v2" || len(last.OS.KernelParams) != 1 || len(last.OS.Partitions) != 1 {
		t.Errorf("the last reinstall sent %+v, want every desired value", last)
	}
}

func TestAccServer_reinstallAndTagsInOneApply(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{Config: env.Config(acctest.ServerHCL{Name: "both", Extra: inPlace + `  tags = ["a", "b"]`}.Render()), Check: acctest.CaptureID(acctest.ServerAddr, &id)},
			{
				Config: env.Config(acctest.ServerHCL{Name: "both", OS: `{ slug = "debian-12" }`, Extra: inPlace + `  tags = ["b", "c"]`}.Render()),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(reinstalled(env, &id, 1, "both", "debian-12"), func(*terraform.State) error {
					s, _ := env.Sim.Server(id)
					if !slices.Equal(acctest.SortedCopy(s.Tags), []string{"b", "c"}) {
						return fmt.Errorf("tags %v, want [b c]", s.Tags)
					}
					return nil
				}),
			},
		},
	})
}

// TestAccServer_failedReinstallLeavesAFailedServerToReplace: the error quotes the API, the
// state keeps the old values, and the failed server is replaced by the next apply.
func TestAccServer_failedReinstallLeavesAFailedServerToReplace(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	var id, replacement string
	failing := env.Config(acctest.ServerHCL{Name: "db-fail-reinstall", OS: `{ slug = "debian-12" }`, Extra: inPlace}.Render())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{Config: env.Config(acctest.ServerHCL{Name: "db", Extra: inPlace}.Render()), Check: acctest.CaptureID(acctest.ServerAddr, &id)},
			{
				Config:      failing,
				ExpectError: acctest.ErrorPattern(`(?s)Server Reinstall Failed.*the API's message: "` + regexp.QuoteMeta(simulator.ReinstallFailureMessage) + `".*next plan shows the change again`),
			},
			{
				// The state kept the old values, and the refreshed status is failed: replace.
				Config: failing,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("name"), knownvalue.StringExact("db-fail-reinstall")),
				}},
				Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &replacement), func(*terraform.State) error {
					if replacement == id {
						return fmt.Errorf("the failed server %s was kept", id)
					}
					return nil
				}),
			},
		},
	})
}

// TestAccServer_failedReinstallOnDeliveredServerIsRetried: when the server stays delivered, the
// next plan shows the same change and the next apply reinstalls again.
func TestAccServer_failedReinstallOnDeliveredServerIsRetried(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{ReinstallFailKeepNamePattern: regexp.MustCompile(`^flaky$`)})
	var id string
	cfg := env.Config(acctest.ServerHCL{Name: "flaky", OS: `{ slug = "debian-12" }`, Extra: inPlace}.Render())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{Config: env.Config(acctest.ServerHCL{Name: "stable", Extra: inPlace}.Render()), Check: acctest.CaptureID(acctest.ServerAddr, &id)},
			{Config: cfg, ExpectError: acctest.ErrorPattern(`(?s)Server Reinstall Failed.*"delivered", the next apply reinstalls it again`)},
			{
				PreConfig: func() {
					env.Sim.SetReinstallFailPatterns(regexp.MustCompile(`^never$`), regexp.MustCompile(`^never$`))
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// The state still holds the old name and OS, though the API reports the new.
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
				Check: reinstalled(env, &id, 2, "flaky", "debian-12"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("name"), knownvalue.StringExact("flaky")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("os").AtMapKey("slug"), knownvalue.StringExact("debian-12")),
				},
			},
		},
	})
}

// TestAccServer_reinstallTimeoutWaitsForTheRunningOne: a reinstall that outlasts timeouts.update
// is an error that keeps the old values; the next apply finds it still running and waits for it
// instead of sending a second PATCH.
func TestAccServer_reinstallTimeoutWaitsForTheRunningOne(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StuckNamePattern: regexp.MustCompile(`^slow$`)})
	var id string
	cfg := env.Config(acctest.ServerHCL{Name: "slow", Extra: inPlace + `  timeouts = { update = "1s" }`}.Render())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{Config: env.Config(acctest.ServerHCL{Name: "quick", Extra: inPlace}.Render()), Check: acctest.CaptureID(acctest.ServerAddr, &id)},
			{Config: cfg, ExpectError: acctest.ErrorPattern(`(?s)Server Reinstall Did Not Complete.*update timeout of 1s ran out.*raise timeouts.update`)},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
				ExpectError: acctest.ErrorPattern(`(?s)Server Reinstall Did Not Complete`),
			},
		},
	})
	if n := env.Sim.CountPatches(id); n != 1 {
		t.Errorf("%d PATCH requests, want 1: the second apply must wait for the running reinstall", n)
	}
}

// TestAccServer_keylessOperatingSystem: Windows takes no SSH keys; unset ssh_keys sends [].
func TestAccServer_keylessOperatingSystem(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
resource "flexmetal_server" "test" {
  name          = "win"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "windows-2025" }
}
`),
				Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &id), func(*terraform.State) error {
					if s, _ := env.Sim.Server(id); len(s.SSHKeys) != 0 || s.Status != "delivered" {
						return fmt.Errorf("server %+v, want delivered without keys", s)
					}
					return nil
				}),
			},
			{
				// A Linux server without keys cannot be logged into: the plan refuses it.
				Config: env.Config(`
resource "flexmetal_server" "linux" {
  name          = "keyless-linux"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "debian-12" }
}
`),
				ExpectError: acctest.ErrorPattern(`(?s)SSH Keys Required.*"debian-12".*Only Windows, Talos and custom iPXE install without keys`),
			},
		},
	})
}

// TestAccServer_reinstallFinishedAfterTimeoutIsRecordedNotRepeated: a reinstall whose wait ran
// out, and which the API then finished, is recorded by the next apply without a second PATCH
// (its disks are not erased twice); the plan after is empty.
func TestAccServer_reinstallFinishedAfterTimeoutIsRecordedNotRepeated(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StuckNamePattern: regexp.MustCompile(`^slow$`)})
	var id string
	cfg := env.Config(acctest.ServerHCL{Name: "slow", Extra: inPlace + `  timeouts = { update = "1s" }`}.Render())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{Config: env.Config(acctest.ServerHCL{Name: "quick", Extra: inPlace}.Render()), Check: acctest.CaptureID(acctest.ServerAddr, &id)},
			{
				Config:      cfg,
				ExpectError: acctest.ErrorPattern(`(?s)Server Reinstall Did Not Complete.*update timeout of 1s ran out`),
			},
			{
				// The hold-up clears and the reinstall finishes without Terraform; then the
				// next apply records it.
				PreConfig: func() {
					if err := env.Sim.Unstick(id); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("name"), knownvalue.StringExact("slow")),
				},
				Check: reinstalled(env, &id, 1, "slow", "ubuntu-2404-lts"),
			},
		},
	})
}
