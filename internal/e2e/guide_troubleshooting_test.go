package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// TestGuide_troubleshooting runs docs/guides/troubleshooting.md against the simulator: the
// timeouts block orders a server, and after a lost order answer the guide's data source finds
// the server by its one-time creation tag, and its import and apply adopt it without a reinstall
// or a second order.
func TestGuide_troubleshooting(t *testing.T) {
	g := readGuide(t, "troubleshooting")
	timeouts := g.hcl(t, "timeouts = {")
	lost := g.hcl(t, `data "flexmetal_servers" "lost"`)
	unrecorded := g.hcl(t, `data "flexmetal_servers" "unrecorded"`)
	adopt := g.shell(t, "terraform import flexmetal_server.web")
	g.requireAllClaimed(t)
	tf, providerDir := setup(t)

	// The server's arguments, for the guide's blocks that leave them out.
	const web = `  name          = "web-1"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "ubuntu-2404-lts" }
  ssh_keys      = ["` + simulator.ExamplePublicKeyEd25519 + `"]
`
	newWorkspace := func(t *testing.T) (context.Context, *simulator.Simulator, string, *tfrun.Workspace) {
		t.Helper()
		sim := simulator.New(simulator.Config{StepDuration: -1, ReleaseDuration: -1})
		url, stop := sim.Start()
		t.Cleanup(stop)
		ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		t.Cleanup(cancel)
		return ctx, sim, url, ws
	}

	t.Run("timeouts", func(t *testing.T) {
		ctx, sim, url, ws := newWorkspace(t)
		server := strings.Replace(timeouts, "  # ...\n", web, 1)
		if server == timeouts {
			t.Fatal("the guide's timeouts block has no `# ...` line for the other arguments: change this test with it")
		}
		writeFiles(t, ws.Dir, map[string]string{"main.tf": tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "50ms") + server})
		if _, err := ws.Run(ctx, "apply", "-auto-approve", "-no-color"); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if _, err := ws.Run(ctx, "destroy", "-auto-approve", "-no-color"); err != nil {
				t.Error(err)
			}
		}()
		res, err := ws.State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := regexp.MustCompile(`create\s*=\s*"([^"]+)"`).FindStringSubmatch(timeouts)
		if len(res) != 1 || want == nil {
			t.Fatalf("state holds %v; want the one server of a block that sets timeouts.create", res)
		}
		if got, _ := res[0].Values["timeouts"].(map[string]any); got["create"] != want[1] {
			t.Errorf("the server's timeouts are %v, want create = %q", got, want[1])
		}
		if n := len(sim.Servers()); n != 1 {
			t.Errorf("the simulator holds %d servers, want 1", n)
		}
	})

	t.Run("unable to confirm server creation", func(t *testing.T) {
		ctx, sim, url, ws := newWorkspace(t)
		tag := regexp.MustCompile(`tf-create:[0-9a-f]{24}`).FindString(lost)
		if tag == "" {
			t.Fatal("the guide's data source does not filter by a one-time creation tag: change this test with it")
		}
		// The order whose answer was lost.
		server := seedServers(t, sim, nil, simulator.CreateServerRequest{Name: "web-1", Location: simulator.LocationRotterdam, Tags: []string{tag}})[0]
		writeFiles(t, ws.Dir, map[string]string{
			"main.tf": tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "50ms") + "\nresource \"flexmetal_server\" \"web\" {\n" + web + "}\n",
			"lost.tf": lost,
		})
		// As the guide says, the plan shows the output; it orders nothing.
		out, err := ws.Run(ctx, "plan", "-no-color")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "Changes to Outputs") || !strings.Contains(out, server.UUID) || !strings.Contains(out, `"delivered"`) {
			t.Errorf("the plan's Changes to Outputs do not list %s as delivered:\n%s", server.UUID, out)
		}

		for _, args := range guideCommands(t, adopt) {
			for i := range args {
				args[i] = uuidPattern.ReplaceAllString(args[i], server.UUID)
			}
			if args[0] == "apply" {
				args = append(args, "-auto-approve")
			}
			if out, err = ws.Run(ctx, append(args, "-no-color")...); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.Contains(out, "0 added, 1 changed, 0 destroyed") {
			t.Errorf("the apply after the import is not an in-place update of the arguments the API does not report:\n%s", out)
		}
		if ids := stateIDs(ctx, t, ws); !ids[server.UUID] || len(ids) != 1 {
			t.Errorf("state holds %v, want only %s", ids, server.UUID)
		}
		if n := len(sim.Servers()); n != 1 || sim.CountPatches(server.UUID) != 0 {
			t.Errorf("adopting the server ordered or reinstalled: %d servers, %d reinstalls", n, sim.CountPatches(server.UUID))
		}
	})

	t.Run("orders of a killed run", func(t *testing.T) {
		ctx, sim, url, ws := newWorkspace(t)
		seeded := seedServers(t, sim, nil,
			simulator.CreateServerRequest{Name: "web-1", Location: simulator.LocationRotterdam, Tags: []string{"tf-create:0123456789abcdef01234567"}},
			simulator.CreateServerRequest{Name: "web-2", Location: simulator.LocationRotterdam})
		writeFiles(t, ws.Dir, map[string]string{"main.tf": tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "50ms") + unrecorded})
		out, err := ws.Run(ctx, "plan", "-no-color")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "Changes to Outputs") || !strings.Contains(out, seeded[0].UUID) || strings.Contains(out, seeded[1].UUID) {
			t.Errorf("the plan's outputs do not list just the unrecorded order %s:\n%s", seeded[0].UUID, out)
		}
	})
}
