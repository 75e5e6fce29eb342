package server_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

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

func TestAccServer_createWaitsForDeliveryAndImports(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	cfg := env.Config(acctest.ServerHCL{Name: "web-1", Extra: `
  tags                = ["env:test", "role_web"]
  post_install_script = "#!/bin/bash\necho hi"
`}.Render())
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("status_message"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("ip_address"), knownvalue.StringRegexp(ipv4Pattern)),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("ipv4_address"), knownvalue.StringRegexp(ipv4Pattern)),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("ipv6_address"), knownvalue.StringRegexp(ipv6Pattern)),
					statecheck.CompareValuePairs(acctest.ServerAddr, tfjsonpath.New("ip_address"), acctest.ServerAddr, tfjsonpath.New("ipv4_address"), compare.ValuesSame()),
					// An IPv4 and an IPv6 address, as i3D.net's own provider tests expect of the API.
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("ip_addresses"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("env:test"), knownvalue.StringExact("role_web")})),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`))),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("delivered_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("released_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("location"), knownvalue.StringExact("EU: Rotterdam")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("os").AtMapKey("slug"), knownvalue.StringExact("ubuntu-2404-lts")),
				},
				Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &id), matchesSimulator(env), func(*terraform.State) error {
					live := env.LiveServers()
					if len(live) != 1 || live[0].UUID != id || live[0].Status != "delivered" {
						return fmt.Errorf("simulator servers = %+v, want exactly %s delivered", live, id)
					}
					if err := noProviderTagsLeft(env, id); err != nil {
						return err
					}
					if live[0].PostInstallScript != "#!/bin/bash\necho hi" || !slices.Equal(live[0].SSHKeys, []string{acctest.TestPublicKey}) {
						return fmt.Errorf("order did not carry the script and key: %+v", live[0])
					}
					return nil
				}),
			},
			{
				// A refresh right after apply must plan nothing: nothing the API omits may drift.
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
			{
				ResourceName:            acctest.ServerAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"ssh_keys", "post_install_script", "timeouts"},
			},
		},
	})
}

func TestAccServer_tagsUpdateInPlace(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	withTags := func(tags string) string {
		return env.Config(acctest.ServerHCL{Name: "tagged", Extra: "  tags = " + tags}.Render())
	}
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{Config: withTags(`["a", "b"]`), Check: acctest.CaptureID(acctest.ServerAddr, &id)},
			{
				PreConfig: env.Sim.ResetRequests,
				Config:    withTags(`["b", "c:d"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					srv, ok := env.Sim.Server(id)
					if !ok || !slices.Equal(acctest.SortedCopy(srv.Tags), []string{"b", "c:d"}) {
						return fmt.Errorf("simulator tags = %v, want [b c:d]", srv.Tags)
					}
					if n := env.Sim.CountRequests("POST", "/v3/flexMetal/servers/"+id+"/tag/"); n != 1 {
						return fmt.Errorf("%d tag additions, want 1", n)
					}
					if n := env.Sim.CountRequests("DELETE", "/v3/flexMetal/servers/"+id+"/tag/"); n != 1 {
						return fmt.Errorf("%d tag removals, want 1", n)
					}
					if n := env.Sim.CountRequests("POST", "/v3/flexMetal/servers"); n != 1 {
						return fmt.Errorf("%d POSTs, want only the tag addition (no new server)", n)
					}
					return nil
				},
			},
			{
				// Someone edits tags in the console: the next plan shows the drift and fixes it.
				PreConfig: func() {
					if err := env.Sim.SetServerTags(id, []string{"b", "c:d", "manual"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: withTags(`["b", "c:d"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("b"), knownvalue.StringExact("c:d")})),
				}},
				Check: func(*terraform.State) error {
					srv, _ := env.Sim.Server(id)
					if slices.Contains(srv.Tags, "manual") {
						return fmt.Errorf("manual tag not removed: %v", srv.Tags)
					}
					return nil
				},
			},
			{
				Config: env.Config(acctest.ServerHCL{Name: "tagged"}.Render()),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					if srv, _ := env.Sim.Server(id); len(srv.Tags) != 0 {
						return fmt.Errorf("tags left after removing the attribute: %v", srv.Tags)
					}
					return nil
				},
			},
		},
	})
}

// TestAccServer_changesThatForceReplacement: location, instance_type, contract_id and overflow
// always replace; name, os, ssh_keys and post_install_script replace with allow_reinstall = false.
func TestAccServer_changesThatForceReplacement(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	const immutable = "  allow_reinstall = false\n"
	base := acctest.ServerHCL{Name: "replace-me", Extra: immutable}
	cases := []struct {
		name string
		hcl  acctest.ServerHCL
	}{
		{"name", acctest.ServerHCL{Name: "replace-me-2", Extra: immutable}},
		{"location", acctest.ServerHCL{Name: "replace-me", Location: "US: Dallas - TX"}},
		{"instance_type", acctest.ServerHCL{Name: "replace-me", InstanceType: "bm8.std.32"}},
		{"os.slug", acctest.ServerHCL{Name: "replace-me", OS: `{ slug = "debian-12" }`, Extra: immutable}},
		{"os.partitions", acctest.ServerHCL{Name: "replace-me", OS: `{
    slug       = "ubuntu-2404-lts"
    partitions = [{ target = "/data", filesystem = "xfs", size = -1 }]
  }`, Extra: immutable}},
		{"os.kernel_params", acctest.ServerHCL{Name: "replace-me", OS: `{
    slug          = "ubuntu-2404-lts"
    kernel_params = [{ key = "console", value = "ttyS0" }]
  }`, Extra: immutable}},
		{"ssh_keys", acctest.ServerHCL{Name: "replace-me", SSHKeys: fmt.Sprintf("[%q]", acctest.TestPublicKey2), Extra: immutable}},
		{"post_install_script", acctest.ServerHCL{Name: "replace-me", Extra: immutable + `  post_install_script = "echo changed"`}},
		{"contract_id", acctest.ServerHCL{Name: "replace-me", Extra: `  contract_id = "CONTRACT-2"`}},
		{"overflow", acctest.ServerHCL{Name: "replace-me", Extra: `  overflow = true`}},
	}
	steps := []resource.TestStep{{Config: env.Config(base.Render())}}
	for _, c := range cases {
		steps = append(steps,
			resource.TestStep{
				Config: env.Config(c.hcl.Render()),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
			// Back to the base config (another replacement), so each case changes one thing.
			resource.TestStep{Config: env.Config(base.Render())},
		)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps:                    steps,
	})
	if n := env.Sim.CountRequests("PATCH", ""); n != 0 {
		t.Errorf("%d PATCH requests; with allow_reinstall = false nothing is reinstalled", n)
	}
}

func TestAccServer_failedDeliveryTaintsResource(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{FailNamePattern: regexp.MustCompile(`^never$`)})
	cfg := env.Config(acctest.ServerHCL{Name: "doomed"}.Render())
	var failedID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { env.Sim.SetFailNamePattern(regexp.MustCompile(`^doomed$`)) },
				Config:      cfg,
				ExpectError: acctest.ErrorPattern(`(?s)Server Delivery Did Not Complete.*failed during delivery: status "failed", message ".+".*tainted`),
			},
			{
				// The failed server is in state, tainted: the plan replaces it.
				PreConfig: func() {
					live := env.LiveServers()
					if len(live) != 1 || live[0].Status != "failed" {
						t.Fatalf("after the failed apply the simulator has %+v, want one failed server", live)
					}
					failedID = live[0].UUID
					env.Sim.SetFailNamePattern(regexp.MustCompile(`^never$`))
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(*terraform.State) error {
					if s, ok := env.Sim.Server(failedID); ok && s.Status != "released" {
						return fmt.Errorf("failed server %s is %q, want released by the next apply", failedID, s.Status)
					}
					if live := env.LiveServers(); len(live) != 1 || live[0].Status != "delivered" {
						return fmt.Errorf("want exactly one delivered server, got %+v", live)
					}
					return nil
				},
			},
		},
	})
}

func TestAccServer_createTimeoutTaintsResource(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StuckNamePattern: regexp.MustCompile(`^slow$`)})
	cfg := env.Config(acctest.ServerHCL{Name: "slow", Extra: `  timeouts = { create = "1s" }`}.Render())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				// "OK", the API's message when it has nothing to say, is not quoted.
				ExpectError: acctest.ErrorPattern(`(?s)create timeout of 1s ran out with the server in status "provisioning"\. The server is recorded in the state as tainted`),
			},
			{
				PreConfig: func() {
					if live := env.LiveServers(); len(live) != 1 {
						t.Fatalf("want the stuck server to exist exactly once, got %+v", live)
					}
					env.Sim.SetStuckNamePattern(regexp.MustCompile(`^never$`))
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
				},
			},
		},
	})
}

// TestAccServer_createTimeoutWhileAPIUnreachableSaysSo: a delivery wait that runs out while the
// API does not answer says that the API could not be reached, since when and with what error,
// rather than blaming a status it never saw.
func TestAccServer_createTimeoutWhileAPIUnreachableSaysSo(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StuckNamePattern: regexp.MustCompile(`^slow$`)})
	cfg := env.Config(acctest.ServerHCL{Name: "slow", Extra: `  timeouts = { create = "2s" }`}.Render())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				// The order goes through; every status check after it loses its connection.
				PreConfig: func() {
					env.Sim.AddFault(simulator.Fault{Method: "GET", PathPrefix: "/v3/flexMetal/servers", Kind: simulator.FaultDropBeforeHandling})
				},
				Config:      cfg,
				ExpectError: acctest.ErrorPattern(`(?s)Server Delivery Did Not Complete.*the create timeout of 2s ran out while the FlexMetal API could not be reached since \d\d:\d\d:\d\d UTC \(\d+ status checks? failed, the last with: GET /v3/flexMetal/servers.*No status check got an answer; the order was accepted with status "[a-z_]+"\..*tainted.*check base_url and the network`),
			},
			{
				PreConfig: func() {
					env.Sim.ClearFaults()
					env.Sim.SetStuckNamePattern(regexp.MustCompile(`^never$`))
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
				},
			},
		},
	})
}

func TestAccServer_goneOutsideTerraformIsRecreated(t *testing.T) {
	for _, tc := range []struct {
		name   string
		remove func(sim *simulator.Simulator, id string) error
	}{
		{"released", (*simulator.Simulator).ReleaseServer},
		{"vanished", (*simulator.Simulator).RemoveServer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewSimEnv(t, simulator.Config{})
			cfg := env.Config(acctest.ServerHCL{Name: "ephemeral"}.Render())
			var first, second string
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: env.Factories,
				CheckDestroy:             env.CheckAllReleased,
				Steps: []resource.TestStep{
					{Config: cfg, Check: acctest.CaptureID(acctest.ServerAddr, &first)},
					{
						PreConfig: func() {
							if err := tc.remove(env.Sim, first); err != nil {
								t.Fatal(err)
							}
						},
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionCreate),
						}},
						Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &second), func(*terraform.State) error {
							if second == first {
								return fmt.Errorf("id unchanged (%s): the server was not recreated", first)
							}
							return nil
						}),
					},
				},
			})
		})
	}
}

func TestAccServer_destroyWaitsForReleased(t *testing.T) {
	// A release that takes a while: a Delete that did not wait would leave it "releasing".
	env := acctest.NewSimEnv(t, simulator.Config{ReleaseDuration: 400 * time.Millisecond})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy: func(s *terraform.State) error {
			if err := env.CheckAllReleased(s); err != nil {
				return err
			}
			releases := 0
			for _, r := range env.Sim.Requests() {
				// A release is a DELETE of the server itself, not of one of its tags or of an
				// account tag.
				if r.Method == "DELETE" && strings.HasPrefix(r.Path, "/v3/flexMetal/servers/") && !strings.Contains(r.Path, "/tag/") {
					releases++
				}
			}
			if releases != 1 {
				return fmt.Errorf("%d release requests, want 1", releases)
			}
			return nil
		},
		Steps: []resource.TestStep{{Config: env.Config(acctest.ServerHCL{Name: "short-lived"}.Render())}},
	})
}

func TestAccServer_flakyAPIStillYieldsOneServer(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	env.Sim.AddFault(simulator.Fault{Method: "POST", PathPrefix: "/v3/flexMetal/servers", Kind: simulator.FaultStatus, Status: 503, Times: 2})
	env.Sim.AddFault(simulator.Fault{Method: "POST", PathPrefix: "/v3/flexMetal/servers", Kind: simulator.FaultRateLimit, RetryAfter: time.Second, Times: 1})
	env.Sim.AddFault(simulator.Fault{Method: "GET", PathPrefix: "/v3/flexMetal/servers/", Kind: simulator.FaultStatus, Status: 502, Times: 3})
	env.Sim.AddFault(simulator.Fault{Method: "GET", PathPrefix: "/v3/flexMetal/servers/", Kind: simulator.FaultStatus, Status: 500, Times: 2})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{{
			Config: env.Config(acctest.ServerHCL{Name: "flaky"}.Render()),
			Check: func(*terraform.State) error {
				if live := env.LiveServers(); len(live) != 1 {
					return fmt.Errorf("want exactly one server despite the faults, got %d: %+v", len(live), live)
				}
				return nil
			},
		}},
	})
}

func TestAccServer_lostCreateAnswerDoesNotDuplicate(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	// The API creates the server, then the connection drops before the answer arrives.
	env.Sim.AddFault(simulator.Fault{Method: "POST", PathPrefix: "/v3/flexMetal/servers", Kind: simulator.FaultDropAfterHandling, Times: 1})
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{{
			Config: env.Config(acctest.ServerHCL{Name: "lost-answer", Extra: `  tags = ["keep"]`}.Render()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("keep")})),
			},
			Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &id), func(*terraform.State) error {
				live := env.LiveServers()
				if len(live) != 1 || live[0].UUID != id {
					return fmt.Errorf("want exactly the one server in state (%s), got %+v", id, live)
				}
				if !slices.Equal(live[0].Tags, []string{"keep"}) {
					return fmt.Errorf("creation tag not removed: %v", live[0].Tags)
				}
				return nil
			}),
		}},
	})
}

func TestAccServer_importAdoptsUnreportedValuesWithoutReplacing(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1})
	existing := env.AddServer(t, simulator.CreateServerRequest{
		Name:              "legacy",
		OS:                simulator.OSRequest{Slug: "ubuntu-2404-lts", Partitions: []simulator.Partition{{Target: "/", Filesystem: "ext4", Size: -1}}},
		PostInstallScript: "echo legacy", Tags: []string{"imported"},
	})
	cfg := env.Config(fmt.Sprintf(`
import {
  to = flexmetal_server.test
  id = %q
}
`, existing.UUID), acctest.ServerHCL{Name: "legacy", OS: `{
    slug       = "ubuntu-2404-lts"
    partitions = [{ target = "/", filesystem = "ext4", size = -1 }]
  }`, Extra: `  tags = ["imported"]
  allow_reinstall = true
  post_install_script = "echo legacy"`}.Render())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				PreConfig: env.Sim.ResetRequests,
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					for _, r := range env.Sim.Requests() {
						if r.Method != "GET" {
							return fmt.Errorf("import made a write to the API: %s %s", r.Method, r.Path)
						}
					}
					return nil
				},
			},
			{Config: cfg, PlanOnly: true},
			{
				// From now on the adopted values are real: changing one reinstalls the server,
				// like any other.
				Config: strings.Replace(cfg, `echo legacy"`, `echo changed"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					last, ok := env.Sim.LastReinstall(existing.UUID)
					switch {
					case env.Sim.CountPatches(existing.UUID) != 1:
						return fmt.Errorf("%d PATCH requests, want 1", env.Sim.CountPatches(existing.UUID))
					case !ok || last.PostInstallScript != "echo changed" || last.OS.Slug != "ubuntu-2404-lts" || len(last.OS.Partitions) != 1:
						return fmt.Errorf("the reinstall sent %+v, want the full desired values", last)
					}
					return nil
				},
			},
		},
	})
}

func TestAccServer_planTimeValidation(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	cases := []struct {
		name string
		hcl  acctest.ServerHCL
		want string
	}{
		{"bad tag", acctest.ServerHCL{Extra: `  tags = ["has space"]`}, `(?s)tags.*must be 1 to 64 characters`},
		{"too many tags", acctest.ServerHCL{Extra: "  tags = [for i in range(61) : \"t${i}\"]"}, `(?s)tags.*at most 60`},
		{"bad filesystem", acctest.ServerHCL{OS: `{
    slug       = "ubuntu-2404-lts"
    partitions = [{ target = "/", filesystem = "ntfs", size = 100 }]
  }`}, `(?s)filesystem.*ext2.*ext3.*ext4.*xfs`},
		{"zero partition size", acctest.ServerHCL{OS: `{
    slug       = "ubuntu-2404-lts"
    partitions = [{ target = "/", filesystem = "ext4", size = 0 }]
  }`}, `(?s)size`},
		{"no ssh keys", acctest.ServerHCL{SSHKeys: "[]"}, `(?s)SSH Keys Required.*\d+:\s+ssh_keys\s+=.*at least 1`},
		{"linux without ssh_keys", acctest.ServerHCL{SSHKeys: "null"}, `(?s)SSH Keys Required.*"ubuntu-2404-lts".*at least 1`},
		{"private key", acctest.ServerHCL{SSHKeys: `["-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----"]`}, `Private Key Given Instead of Public Key`},
		{"ipxe without custom-ipxe", acctest.ServerHCL{OS: `{
    slug            = "ubuntu-2404-lts"
    ipxe_script_url = "https://example.com/boot.ipxe"
  }`}, `(?s)iPXE Script URL Not Allowed.*\d+:\s+os\s+=.*custom-ipxe`},
		{"custom-ipxe without url", acctest.ServerHCL{OS: `{ slug = "custom-ipxe" }`}, `(?s)Missing iPXE Script URL.*\d+:\s+os\s+=`},
		{"unknown location", acctest.ServerHCL{Location: "EU: Roterdam"}, `(?s)Unknown FlexMetal Location.*Did you mean "EU: Rotterdam"`},
		{"instance type elsewhere", acctest.ServerHCL{Location: "JP: Tokyo", InstanceType: "bm9.hmm.32"}, `(?s)Instance Type Not Offered at Location.*not offered at "JP: Tokyo". Did you mean "bm8.std.32"\? Valid values: "bm8.std.32". It is offered at "AE: Dubai", "EU: Rotterdam", "US: Ashburn - VA": choose`},
		{"instance type nowhere", acctest.ServerHCL{Location: "JP: Tokyo", InstanceType: "bm9.hmm.32x"}, `(?s)Instance Type Not Offered Anywhere.*Instance type "bm9.hmm.32x" is not offered at any FlexMetal location. Did you mean "bm9.hmm.32"\? Valid values: "bm7.std.8", "bm8.std.32", "bm9.hmm.32"\.`},
		{"unknown os", acctest.ServerHCL{OS: `{ slug = "ubuntu-2404" }`}, `(?s)Unknown Operating System.*\d+:\s+os\s+=.*os.slug: operating system "ubuntu-2404" does not exist.*Did you mean "ubuntu-2404-lts"`},
		{"inactive os", acctest.ServerHCL{OS: `{ slug = "centos-7" }`}, `(?s)Operating System Not Available for FlexMetal.*\d+:\s+os\s+=.*it is inactive`},
		{"os not offered for flexmetal", acctest.ServerHCL{OS: `{ slug = "windows-2022" }`}, `(?s)Operating System Not Available for FlexMetal.*not offered for FlexMetal servers`},
		{"reserved tag prefix", acctest.ServerHCL{Extra: `  tags = ["tf-create:mine"]`}, `(?s)Reserved Tag Prefix.*"tf-create:mine".*"tf:mine"`},
		{"truncated ssh key", acctest.ServerHCL{SSHKeys: fmt.Sprintf("[%q]", acctest.TestPublicKey[:50])}, `(?s)Invalid SSH Public Key.*ssh_keys\[0\] has key data that is truncated or corrupt`},
		{"malformed ssh key", acctest.ServerHCL{SSHKeys: `["ssh-ed25519"]`}, `(?s)Invalid SSH Public Key.*has a key type but no key data`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.hcl.Name = "invalid"
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: env.Factories,
				Steps: []resource.TestStep{{
					Config:      env.Config(c.hcl.Render()),
					PlanOnly:    true,
					ExpectError: acctest.ErrorPattern(c.want),
				}},
			})
		})
	}
	for _, r := range env.Sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("plan-time validation wrote to the API: %s %s", r.Method, r.Path)
		}
	}
}

func TestAccServer_failedAfterDeliveryIsReplaced(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	cfg := env.Config(acctest.ServerHCL{Name: "breaks-later"}.Render())
	var first, second string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{Config: cfg, Check: acctest.CaptureID(acctest.ServerAddr, &first)},
			{
				// The API reports the server failed: it is of no use, so the plan replaces it.
				PreConfig: func() {
					if err := env.Sim.ForceStatus(first, "failed", "hardware fault"); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &second), func(*terraform.State) error {
					if second == first {
						return fmt.Errorf("failed server %s was kept", first)
					}
					if s, _ := env.Sim.Server(first); s.Status != "released" {
						return fmt.Errorf("failed server is %q, want released", s.Status)
					}
					return nil
				}),
			},
		},
	})
}

// TestAccServer_destroyWaitsUntilTheAPIAllowsRelease: the API refuses to release a server still
// discovering its hardware; destroy waits for the next status, on the simulator's clock, and
// releases it then, instead of failing with "correct the attributes".
func TestAccServer_destroyWaitsUntilTheAPIAllowsRelease(t *testing.T) {
	const step = time.Hour
	clock := simulator.NewRequestClock(acctest.ClockStart, 0)
	env := acctest.NewSimEnv(t, simulator.Config{Clock: clock, StepDuration: step, ReleaseDuration: time.Minute})
	early := env.AddServer(t, simulator.CreateServerRequest{Name: "early"})
	clock.Advance(step) // created -> discovering, where the simulator refuses a release
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy: func(s *terraform.State) error {
			if err := env.CheckAllReleased(s); err != nil {
				return err
			}
			var answers []int
			for _, r := range env.Sim.Requests() {
				if r.Method == http.MethodDelete && r.Path == "/v3/flexMetal/servers/"+early.UUID {
					answers = append(answers, r.Status)
				}
			}
			if len(answers) != 2 || answers[0] != http.StatusUnprocessableEntity || answers[1] != http.StatusOK {
				return fmt.Errorf("release requests answered %v, want one refusal (422) while discovering, then one release", answers)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				// terraform import alone: an apply would wait for the delivery first.
				Config:             env.Config(acctest.ServerHCL{Name: "early"}.Render()),
				ResourceName:       acctest.ServerAddr,
				ImportState:        true,
				ImportStateId:      early.UUID,
				ImportStatePersist: true,
				ImportStateCheck: func([]*terraform.InstanceState) error {
					if s, _ := env.Sim.Server(early.UUID); s.Status != simulator.StatusDiscovering {
						return fmt.Errorf("precondition: server is %q, want discovering", s.Status)
					}
					// From here on each request moves the server's world on by 1/20 of a status:
					// the destroy meets "discovering", then "discovered".
					clock.SetPerRequest(step / 20)
					return nil
				},
			},
		},
	})
}

// TestAccServer_serverStillBeingDeliveredIsWaitedForInPlace: a server in the state that is still
// being delivered (an interrupted apply, or, as here, an import) plans as an in-place update whose
// apply waits for the delivery: the same server, no new order and no release.
func TestAccServer_serverStillBeingDeliveredIsWaitedForInPlace(t *testing.T) {
	const step = time.Hour
	// Each request moves the server's world on by a tenth of a status: the apply's polls see it
	// through to delivered, however fast the machine is.
	clock := simulator.NewRequestClock(acctest.ClockStart, step/10)
	env := acctest.NewSimEnv(t, simulator.Config{Clock: clock, StepDuration: step, ReleaseDuration: time.Minute})
	early := env.AddServer(t, simulator.CreateServerRequest{Name: "early"})
	cfg := env.Config(fmt.Sprintf(`
import {
  to = flexmetal_server.test
  id = %q
}
`, early.UUID), acctest.ServerHCL{Name: "early"}.Render())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				PreConfig: env.Sim.ResetRequests,
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(acctest.ServerAddr, tfjsonpath.New("status")),
					// The delivery gives the server its addresses.
					plancheck.ExpectUnknownValue(acctest.ServerAddr, tfjsonpath.New("ip_addresses")),
					plancheck.ExpectUnknownValue(acctest.ServerAddr, tfjsonpath.New("ip_address")),
					plancheck.ExpectUnknownValue(acctest.ServerAddr, tfjsonpath.New("ipv4_address")),
					plancheck.ExpectUnknownValue(acctest.ServerAddr, tfjsonpath.New("ipv6_address")),
				}},
				ConfigStateChecks: append(addressChecks(),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("id"), knownvalue.StringExact(early.UUID)),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("delivered_at"), knownvalue.NotNull()),
				),
				Check: resource.ComposeTestCheckFunc(matchesSimulator(env), func(*terraform.State) error {
					for _, r := range env.Sim.Requests() {
						if r.Method != http.MethodGet {
							return fmt.Errorf("waiting for a delivery wrote to the API: %s %s", r.Method, r.Path)
						}
					}
					if n := len(env.Sim.Servers()); n != 1 {
						return fmt.Errorf("%d servers in the simulator, want the one", n)
					}
					return nil
				}),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}
