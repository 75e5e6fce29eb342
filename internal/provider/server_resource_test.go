package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

const (
	testPublicKey  = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHd0Fh2nE0hR9Gg5m6uR0nYBkSx0yZlFf3bXq1Xc0rQp test@example"
	testPublicKey2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ3vVx0pYbqk5mG0aYlq2iE1q0b7cXh0sD7o1qkq9ZzA other@example"
	serverAddr     = "flexmetal_server.test"
)

// serverHCL renders a flexmetal_server with the usual test values; body lines override or add.
type serverHCL struct {
	Name         string
	Location     string
	InstanceType string
	OS           string // the whole os = {...} value
	SSHKeys      string // the whole list expression
	Extra        string // more attribute lines
}

func (s serverHCL) render() string {
	if s.Location == "" {
		s.Location = "EU: Rotterdam"
	}
	if s.InstanceType == "" {
		s.InstanceType = "bm7.std.8"
	}
	if s.OS == "" {
		s.OS = `{ slug = "ubuntu-2404-lts" }`
	}
	if s.SSHKeys == "" {
		s.SSHKeys = fmt.Sprintf("[%q]", testPublicKey)
	}
	return fmt.Sprintf(`
resource "flexmetal_server" "test" {
  name          = %[1]q
  location      = %[2]q
  instance_type = %[3]q
  os            = %[4]s
  ssh_keys      = %[5]s
%[6]s
}
`, s.Name, s.Location, s.InstanceType, s.OS, s.SSHKeys, s.Extra)
}

func (e *simEnv) config(parts ...string) string {
	return e.providerConfig() + strings.Join(parts, "\n")
}

// liveServers returns the simulator's servers that still exist as far as billing goes.
func (e *simEnv) liveServers() []simulator.ServerSnapshot {
	var out []simulator.ServerSnapshot
	for _, s := range e.sim.Servers() {
		if s.Status != "released" && s.Status != "releasing" {
			out = append(out, s)
		}
	}
	return out
}

// checkAllReleased is a CheckDestroy asking the simulator: nothing may be left running.
func (e *simEnv) checkAllReleased(*terraform.State) error {
	for _, s := range e.sim.Servers() {
		if s.Status != "released" {
			return fmt.Errorf("server %s (%s) is %q after destroy, want released", s.UUID, s.Name, s.Status)
		}
	}
	return nil
}

func TestAccServer_createWaitsForDeliveryAndImports(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	cfg := env.config(serverHCL{Name: "web-1", Extra: `
  tags                = ["env:test", "role_web"]
  post_install_script = "#!/bin/bash\necho hi"
`}.render())
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkAllReleased,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("status_message"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("ip_address"), knownvalue.StringRegexp(regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`))),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("ip_addresses"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("env:test"), knownvalue.StringExact("role_web")})),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`))),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("delivered_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("released_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("location"), knownvalue.StringExact("EU: Rotterdam")),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("os").AtMapKey("slug"), knownvalue.StringExact("ubuntu-2404-lts")),
				},
				Check: resource.ComposeTestCheckFunc(captureID(serverAddr, &id), func(*terraform.State) error {
					live := env.liveServers()
					if len(live) != 1 || live[0].UUID != id || live[0].Status != "delivered" {
						return fmt.Errorf("simulator servers = %+v, want exactly %s delivered", live, id)
					}
					if slices.ContainsFunc(live[0].Tags, func(t string) bool { return strings.HasPrefix(t, shared.CreationTagPrefix) }) {
						return fmt.Errorf("creation tag still on the server: %v", live[0].Tags)
					}
					if live[0].PostInstallScript != "#!/bin/bash\necho hi" || !slices.Equal(live[0].SSHKeys, []string{testPublicKey}) {
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
				ResourceName:            serverAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"ssh_keys", "post_install_script", "timeouts"},
			},
		},
	})
}

func TestAccServer_tagsUpdateInPlace(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	withTags := func(tags string) string {
		return env.config(serverHCL{Name: "tagged", Extra: "  tags = " + tags}.render())
	}
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkAllReleased,
		Steps: []resource.TestStep{
			{Config: withTags(`["a", "b"]`), Check: captureID(serverAddr, &id)},
			{
				PreConfig: env.sim.ResetRequests,
				Config:    withTags(`["b", "c:d"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					srv, ok := env.sim.Server(id)
					if !ok || !slices.Equal(sortedCopy(srv.Tags), []string{"b", "c:d"}) {
						return fmt.Errorf("simulator tags = %v, want [b c:d]", srv.Tags)
					}
					if n := env.sim.CountRequests("POST", "/v3/flexMetal/servers/"+id+"/tag/"); n != 1 {
						return fmt.Errorf("%d tag additions, want 1", n)
					}
					if n := env.sim.CountRequests("DELETE", "/v3/flexMetal/servers/"+id+"/tag/"); n != 1 {
						return fmt.Errorf("%d tag removals, want 1", n)
					}
					if n := env.sim.CountRequests("POST", "/v3/flexMetal/servers"); n != 1 {
						return fmt.Errorf("%d POSTs, want only the tag addition (no new server)", n)
					}
					return nil
				},
			},
			{
				// Someone edits tags in the console: the next plan shows the drift and fixes it.
				PreConfig: func() {
					if err := env.sim.SetServerTags(id, []string{"b", "c:d", "manual"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: withTags(`["b", "c:d"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("b"), knownvalue.StringExact("c:d")})),
				}},
				Check: func(*terraform.State) error {
					srv, _ := env.sim.Server(id)
					if slices.Contains(srv.Tags, "manual") {
						return fmt.Errorf("manual tag not removed: %v", srv.Tags)
					}
					return nil
				},
			},
			{
				Config: env.config(serverHCL{Name: "tagged"}.render()),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("tags"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					if srv, _ := env.sim.Server(id); len(srv.Tags) != 0 {
						return fmt.Errorf("tags left after removing the attribute: %v", srv.Tags)
					}
					return nil
				},
			},
		},
	})
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// TestAccServer_changesThatForceReplacement: location, instance_type, contract_id and overflow
// always replace; name, os, ssh_keys and post_install_script replace with allow_reinstall = false.
func TestAccServer_changesThatForceReplacement(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	const immutable = "  allow_reinstall = false\n"
	base := serverHCL{Name: "replace-me", Extra: immutable}
	cases := []struct {
		name string
		hcl  serverHCL
	}{
		{"name", serverHCL{Name: "replace-me-2", Extra: immutable}},
		{"location", serverHCL{Name: "replace-me", Location: "US: Dallas - TX"}},
		{"instance_type", serverHCL{Name: "replace-me", InstanceType: "bm8.std.32"}},
		{"os.slug", serverHCL{Name: "replace-me", OS: `{ slug = "debian-12" }`, Extra: immutable}},
		{"os.partitions", serverHCL{Name: "replace-me", OS: `{
    slug       = "ubuntu-2404-lts"
    partitions = [{ target = "/data", filesystem = "xfs", size = -1 }]
  }`, Extra: immutable}},
		{"os.kernel_params", serverHCL{Name: "replace-me", OS: `{
    slug          = "ubuntu-2404-lts"
    kernel_params = [{ key = "console", value = "ttyS0" }]
  }`, Extra: immutable}},
		{"ssh_keys", serverHCL{Name: "replace-me", SSHKeys: fmt.Sprintf("[%q]", testPublicKey2), Extra: immutable}},
		{"post_install_script", serverHCL{Name: "replace-me", Extra: immutable + `  post_install_script = "echo changed"`}},
		{"contract_id", serverHCL{Name: "replace-me", Extra: `  contract_id = "CONTRACT-2"`}},
		{"overflow", serverHCL{Name: "replace-me", Extra: `  overflow = true`}},
	}
	steps := []resource.TestStep{{Config: env.config(base.render())}}
	for _, c := range cases {
		steps = append(steps,
			resource.TestStep{
				Config: env.config(c.hcl.render()),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
			// Back to the base config (another replacement), so each case changes one thing.
			resource.TestStep{Config: env.config(base.render())},
		)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkAllReleased,
		Steps:                    steps,
	})
	if n := env.sim.CountRequests("PATCH", ""); n != 0 {
		t.Errorf("%d PATCH requests; with allow_reinstall = false nothing is reinstalled", n)
	}
}

func TestAccServer_failedDeliveryTaintsResource(t *testing.T) {
	env := newSimEnv(t, simulator.Config{FailNamePattern: regexp.MustCompile(`^never$`)})
	cfg := env.config(serverHCL{Name: "doomed"}.render())
	var failedID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkAllReleased,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { env.sim.SetFailNamePattern(regexp.MustCompile(`^doomed$`)) },
				Config:      cfg,
				ExpectError: errorPattern(`(?s)Server Delivery Did Not Complete.*failed during delivery: status "failed", message ".+".*tainted`),
			},
			{
				// The failed server is in state, tainted: the plan replaces it.
				PreConfig: func() {
					live := env.liveServers()
					if len(live) != 1 || live[0].Status != "failed" {
						t.Fatalf("after the failed apply the simulator has %+v, want one failed server", live)
					}
					failedID = live[0].UUID
					env.sim.SetFailNamePattern(regexp.MustCompile(`^never$`))
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(*terraform.State) error {
					if s, ok := env.sim.Server(failedID); ok && s.Status != "released" {
						return fmt.Errorf("failed server %s is %q, want released by the next apply", failedID, s.Status)
					}
					if live := env.liveServers(); len(live) != 1 || live[0].Status != "delivered" {
						return fmt.Errorf("want exactly one delivered server, got %+v", live)
					}
					return nil
				},
			},
		},
	})
}

func TestAccServer_createTimeoutTaintsResource(t *testing.T) {
	env := newSimEnv(t, simulator.Config{StuckNamePattern: regexp.MustCompile(`^slow$`)})
	cfg := env.config(serverHCL{Name: "slow", Extra: `  timeouts = { create = "1s" }`}.render())
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkAllReleased,
		Steps: []resource.TestStep{
			{
				Config:      cfg,
				ExpectError: errorPattern(`(?s)create timeout of 1s ran out with the server in status "provisioning".*tainted`),
			},
			{
				PreConfig: func() {
					if live := env.liveServers(); len(live) != 1 {
						t.Fatalf("want the stuck server to exist exactly once, got %+v", live)
					}
					env.sim.SetStuckNamePattern(regexp.MustCompile(`^never$`))
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
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
			env := newSimEnv(t, simulator.Config{})
			cfg := env.config(serverHCL{Name: "ephemeral"}.render())
			var first, second string
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { accPreCheck(t) },
				ProtoV6ProviderFactories: env.factories,
				CheckDestroy:             env.checkAllReleased,
				Steps: []resource.TestStep{
					{Config: cfg, Check: captureID(serverAddr, &first)},
					{
						PreConfig: func() {
							if err := tc.remove(env.sim, first); err != nil {
								t.Fatal(err)
							}
						},
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionCreate),
						}},
						Check: resource.ComposeTestCheckFunc(captureID(serverAddr, &second), func(*terraform.State) error {
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
	env := newSimEnv(t, simulator.Config{ReleaseDuration: 400 * time.Millisecond})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy: func(s *terraform.State) error {
			if err := env.checkAllReleased(s); err != nil {
				return err
			}
			releases := 0
			for _, r := range env.sim.Requests() {
				if r.Method == "DELETE" && !strings.Contains(r.Path, "/tag/") {
					releases++
				}
			}
			if releases != 1 {
				return fmt.Errorf("%d release requests, want 1", releases)
			}
			return nil
		},
		Steps: []resource.TestStep{{Config: env.config(serverHCL{Name: "short-lived"}.render())}},
	})
}

func TestAccServer_flakyAPIStillYieldsOneServer(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	env.sim.AddFault(simulator.Fault{Method: "POST", PathPrefix: "/v3/flexMetal/servers", Kind: simulator.FaultStatus, Status: 503, Times: 2})
	env.sim.AddFault(simulator.Fault{Method: "POST", PathPrefix: "/v3/flexMetal/servers", Kind: simulator.FaultRateLimit, RetryAfter: time.Second, Times: 1})
	env.sim.AddFault(simulator.Fault{Method: "GET", PathPrefix: "/v3/flexMetal/servers/", Kind: simulator.FaultStatus, Status: 502, Times: 3})
	env.sim.AddFault(simulator.Fault{Method: "GET", PathPrefix: "/v3/flexMetal/servers/", Kind: simulator.FaultStatus, Status: 500, Times: 2})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkAllReleased,
		Steps: []resource.TestStep{{
			Config: env.config(serverHCL{Name: "flaky"}.render()),
			Check: func(*terraform.State) error {
				if live := env.liveServers(); len(live) != 1 {
					return fmt.Errorf("want exactly one server despite the faults, got %d: %+v", len(live), live)
				}
				return nil
			},
		}},
	})
}

func TestAccServer_lostCreateAnswerDoesNotDuplicate(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	// The API creates the server, then the connection drops before the answer arrives.
	env.sim.AddFault(simulator.Fault{Method: "POST", PathPrefix: "/v3/flexMetal/servers", Kind: simulator.FaultDropAfterHandling, Times: 1})
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkAllReleased,
		Steps: []resource.TestStep{{
			Config: env.config(serverHCL{Name: "lost-answer", Extra: `  tags = ["keep"]`}.render()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("keep")})),
			},
			Check: resource.ComposeTestCheckFunc(captureID(serverAddr, &id), func(*terraform.State) error {
				live := env.liveServers()
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
	env := newSimEnv(t, simulator.Config{StepDuration: -1})
	existing := env.addServer(t, simulator.CreateServerRequest{
		Name:              "legacy",
		OS:                simulator.OSRequest{Slug: "ubuntu-2404-lts", Partitions: []simulator.Partition{{Target: "/", Filesystem: "ext4", Size: -1}}},
		PostInstallScript: "echo legacy", Tags: []string{"imported"},
	})
	cfg := env.config(fmt.Sprintf(`
import {
  to = flexmetal_server.test
  id = %q
}
`, existing.UUID), serverHCL{Name: "legacy", OS: `{
    slug       = "ubuntu-2404-lts"
    partitions = [{ target = "/", filesystem = "ext4", size = -1 }]
  }`, Extra: `  tags = ["imported"]
  post_install_script = "echo legacy"`}.render())
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkAllReleased,
		Steps: []resource.TestStep{
			{
				PreConfig: env.sim.ResetRequests,
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					for _, r := range env.sim.Requests() {
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
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					last, ok := env.sim.LastReinstall(existing.UUID)
					switch {
					case env.sim.CountPatches(existing.UUID) != 1:
						return fmt.Errorf("%d PATCH requests, want 1", env.sim.CountPatches(existing.UUID))
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
	env := newSimEnv(t, simulator.Config{})
	cases := []struct {
		name string
		hcl  serverHCL
		want string
	}{
		{"bad tag", serverHCL{Extra: `  tags = ["has space"]`}, `(?s)tags.*must be 1 to 64 characters`},
		{"too many tags", serverHCL{Extra: "  tags = [for i in range(61) : \"t${i}\"]"}, `(?s)tags.*at most 60`},
		{"bad filesystem", serverHCL{OS: `{
    slug       = "ubuntu-2404-lts"
    partitions = [{ target = "/", filesystem = "ntfs", size = 100 }]
  }`}, `(?s)filesystem.*ext2.*ext3.*ext4.*xfs`},
		{"zero partition size", serverHCL{OS: `{
    slug       = "ubuntu-2404-lts"
    partitions = [{ target = "/", filesystem = "ext4", size = 0 }]
  }`}, `(?s)size`},
		{"no ssh keys", serverHCL{SSHKeys: "[]"}, `(?s)SSH Keys Required.*\d+:\s+ssh_keys\s+=.*at least 1`},
		{"linux without ssh_keys", serverHCL{SSHKeys: "null"}, `(?s)SSH Keys Required.*"ubuntu-2404-lts".*at least 1`},
		{"private key", serverHCL{SSHKeys: `["-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----"]`}, `Private Key Given Instead of Public Key`},
		{"ipxe without custom-ipxe", serverHCL{OS: `{
    slug            = "ubuntu-2404-lts"
    ipxe_script_url = "https://example.com/boot.ipxe"
  }`}, `(?s)iPXE Script URL Not Allowed.*\d+:\s+os\s+=.*custom-ipxe`},
		{"custom-ipxe without url", serverHCL{OS: `{ slug = "custom-ipxe" }`}, `(?s)Missing iPXE Script URL.*\d+:\s+os\s+=`},
		{"unknown location", serverHCL{Location: "EU: Roterdam"}, `(?s)Unknown FlexMetal Location.*Did you mean "EU: Rotterdam"`},
		{"instance type elsewhere", serverHCL{Location: "JP: Tokyo", InstanceType: "bm9.hmm.32x"}, `(?s)Instance Type Not Offered at Location.*not offered at "JP: Tokyo"`},
		{"unknown os", serverHCL{OS: `{ slug = "ubuntu-2404" }`}, `(?s)Unknown Operating System.*\d+:\s+os\s+=.*os.slug: operating system "ubuntu-2404" does not exist.*Did you mean "ubuntu-2404-lts"`},
		{"inactive os", serverHCL{OS: `{ slug = "centos-7" }`}, `(?s)Operating System Not Available for FlexMetal.*\d+:\s+os\s+=.*it is inactive`},
		{"os not offered for flexmetal", serverHCL{OS: `{ slug = "windows-2022" }`}, `(?s)Operating System Not Available for FlexMetal.*not offered for FlexMetal servers`},
		{"reserved tag prefix", serverHCL{Extra: `  tags = ["tf-create:mine"]`}, `(?s)Reserved Tag Prefix.*"tf-create:mine".*"tf:mine"`},
		{"truncated ssh key", serverHCL{SSHKeys: fmt.Sprintf("[%q]", testPublicKey[:50])}, `(?s)Invalid SSH Public Key.*ssh_keys\[0\] has key data that is truncated or corrupt`},
		{"malformed ssh key", serverHCL{SSHKeys: `["ssh-ed25519"]`}, `(?s)Invalid SSH Public Key.*has a key type but no key data`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.hcl.Name = "invalid"
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { accPreCheck(t) },
				ProtoV6ProviderFactories: env.factories,
				Steps: []resource.TestStep{{
					Config:      env.config(c.hcl.render()),
					PlanOnly:    true,
					ExpectError: errorPattern(c.want),
				}},
			})
		})
	}
	for _, r := range env.sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("plan-time validation wrote to the API: %s %s", r.Method, r.Path)
		}
	}
}

func TestAccServer_failedAfterDeliveryIsReplaced(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	cfg := env.config(serverHCL{Name: "breaks-later"}.render())
	var first, second string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkAllReleased,
		Steps: []resource.TestStep{
			{Config: cfg, Check: captureID(serverAddr, &first)},
			{
				// The API reports the server failed: it is of no use, so the plan replaces it.
				PreConfig: func() {
					if err := env.sim.ForceStatus(first, "failed", "hardware fault"); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(captureID(serverAddr, &second), func(*terraform.State) error {
					if second == first {
						return fmt.Errorf("failed server %s was kept", first)
					}
					if s, _ := env.sim.Server(first); s.Status != "released" {
						return fmt.Errorf("failed server is %q, want released", s.Status)
					}
					return nil
				}),
			},
		},
	})
}
