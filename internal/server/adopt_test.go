package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// removedConfig forgets every instance of flexmetal_server.test without releasing it: the state
// then lacks servers that exist, as after a run killed before Terraform recorded them.
const removedConfig = `
removed {
  from = flexmetal_server.test
  lifecycle {
    destroy = false
  }
}
`

// removedBlocks need Terraform 1.7 or later.
var removedBlocks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)}

// unrecord makes the servers look like the orders of a killed run: each gets back the creation
// tag its create removed (read from the request record) unless keepMark is false, and the next
// step's removed block drops them from the state.
func unrecord(env *acctest.SimEnv, keepMark bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, r := range env.Sim.Requests() {
			i := strings.Index(r.Path, "/tag/"+shared.CreationTagPrefix)
			if r.Method != http.MethodDelete || i < 0 || !keepMark {
				continue
			}
			id := strings.TrimPrefix(r.Path[:i], "/v3/flexMetal/servers/")
			srv, ok := env.Sim.Server(id)
			if !ok {
				return fmt.Errorf("server %s of a creation tag removal is gone", id)
			}
			if err := env.Sim.SetServerTags(id, append(slices.Clone(srv.Tags), r.Path[i+len("/tag/"):])); err != nil {
				return err
			}
		}
		return nil
	}
}

// posts counts the orders the API received.
func posts(env *acctest.SimEnv) int {
	return env.Sim.CountRequests(http.MethodPost, "/v3/flexMetal/servers")
}

// TestAccServer_unrecordedOrderIsAdoptedNotOrderedAgain: a server that a killed run ordered (its
// creation tag still on it, no state records it) is adopted by the next create of the same order,
// with a warning: no second order, and its tag is removed once it is recorded.
func TestAccServer_unrecordedOrderIsAdoptedNotOrderedAgain(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	server := acctest.ServerHCL{Name: "web-1", Extra: `  tags = ["role:web"]`}.Render()
	var first, second string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		TerraformVersionChecks:   removedBlocks,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{Config: env.Config(server), Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &first), unrecord(env, true))},
			{Config: env.Config(removedConfig)},
			{
				Config: env.Config(server),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &second), func(*terraform.State) error {
					if second != first {
						return fmt.Errorf("the create ordered %s instead of adopting %s", second, first)
					}
					if n := posts(env); n != 1 {
						return fmt.Errorf("%d orders, want the one of the first run", n)
					}
					if srv, _ := env.Sim.Server(first); shared.HasCreationTag(srv.Tags) {
						return fmt.Errorf("the adopted server keeps its creation tag: %v", srv.Tags)
					}
					return nil
				}),
			},
		},
	})
}

// TestAccServer_serverWithoutMarkIsNeverAdopted: an identical order placed outside Terraform (no
// creation tag) is not adopted: the create orders its own server.
func TestAccServer_serverWithoutMarkIsNeverAdopted(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	server := acctest.ServerHCL{Name: "web-1"}.Render()
	var first, second string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		TerraformVersionChecks:   removedBlocks,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{Config: env.Config(server), Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &first), unrecord(env, false))},
			{Config: env.Config(removedConfig)},
			{
				Config: env.Config(server),
				Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &second), func(*terraform.State) error {
					if second == first || posts(env) != 2 {
						return fmt.Errorf("server %s (%d orders): an unmarked server was adopted", second, posts(env))
					}
					// The unmanaged twin must not outlive the test.
					return env.Sim.ReleaseServer(first)
				}),
			},
		},
	})
}

// TestAccServer_identicalOrdersAdoptOneServerEach: with count and identical names, one unrecorded
// order is adopted by one instance only; the other instance orders its own, and a second run
// never hands a server of this run to another instance.
func TestAccServer_identicalOrdersAdoptOneServerEach(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	one := acctest.ServerHCL{Name: "twin"}.Render()
	two := strings.Replace(one, `resource "flexmetal_server" "test" {`, "resource \"flexmetal_server\" \"test\" {\n  count = 2", 1)
	var first string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		TerraformVersionChecks:   removedBlocks,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{Config: env.Config(one), Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &first), unrecord(env, true))},
			{Config: env.Config(removedConfig)},
			{
				Config: env.Config(two),
				Check: func(s *terraform.State) error {
					ids := map[string]bool{}
					for i := range 2 {
						rs, ok := s.RootModule().Resources[fmt.Sprintf("%s.%d", acctest.ServerAddr, i)]
						if !ok {
							return fmt.Errorf("instance %d not in state", i)
						}
						ids[rs.Primary.ID] = true
					}
					if len(ids) != 2 || !ids[first] || posts(env) != 2 {
						return fmt.Errorf("instances hold %v after %d orders; want %s adopted once and one new order", ids, posts(env), first)
					}
					return nil
				},
			},
			// A plan of the same configuration is empty: nothing is held twice or ordered again.
			{Config: env.Config(two), PlanOnly: true},
		},
	})
}

// noProviderTagsLeft checks that neither the server nor the account's tag list (which keeps every
// tag a server ever carried) has a temporary tag of the provider left once a create or reinstall
// is recorded.
func noProviderTagsLeft(env *acctest.SimEnv, id string) error {
	if srv, _ := env.Sim.Server(id); slices.ContainsFunc(srv.Tags, shared.ProviderTag) {
		return fmt.Errorf("server %s still carries a temporary tag of the provider: %q", id, srv.Tags)
	}
	if tags := env.Sim.Tags(); slices.ContainsFunc(tags, func(t simulator.Tag) bool { return shared.ProviderTag(t.Tag) }) {
		return fmt.Errorf("the account still lists a temporary tag of the provider: %+v", tags)
	}
	return nil
}

// creationTags returns the creation tags the API reports for a server.
func creationTags(env *acctest.SimEnv, id string) []string {
	srv, _ := env.Sim.Server(id)
	return slices.DeleteFunc(slices.Clone(srv.Tags), func(t string) bool { return !strings.HasPrefix(t, shared.CreationTagPrefix) })
}

// TestAccServer_creationTagNotRemovedIsRemovedByTheNextUpdate: when the API refuses to remove
// the creation tag at the end of a create, the server is still recorded, the tag stays hidden
// (no diff), and the next update of the server removes it, so no identical order can adopt the
// recorded server later.
func TestAccServer_creationTagNotRemovedIsRemovedByTheNextUpdate(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					// The only DELETE of this step is the creation tag's removal: refused, and a
					// 422 is not retried.
					env.Sim.AddFault(simulator.Fault{Method: http.MethodDelete, PathPrefix: "/v3/flexMetal/servers/", Kind: simulator.FaultStatus, Status: http.StatusUnprocessableEntity, Times: 1})
				},
				Config: env.Config(acctest.ServerHCL{Name: "web-1", Extra: `  tags = ["role:web"]`}.Render()),
				Check: resource.ComposeTestCheckFunc(
					acctest.CaptureID(acctest.ServerAddr, &id),
					resource.TestCheckResourceAttr(acctest.ServerAddr, "tags.#", "1"),
					resource.TestCheckResourceAttr(acctest.ServerAddr, "tags.0", "role:web"),
					func(*terraform.State) error {
						if got := creationTags(env, id); len(got) != 1 {
							return fmt.Errorf("server %s carries creation tags %q after a refused removal, want the one of its order", id, got)
						}
						return nil
					},
				),
			},
			{
				Config: env.Config(acctest.ServerHCL{Name: "web-1", Extra: `  tags = ["role:web", "env:prod"]`}.Render()),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error { return noProviderTagsLeft(env, id) },
			},
		},
	})
}
