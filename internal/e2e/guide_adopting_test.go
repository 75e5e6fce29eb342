package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// TestGuide_adoptingServers runs docs/guides/adopting-servers.md. Against a simulator holding
// the servers and the key of the guide's samples, terraform query prints the guide's sample
// output, -generate-config-out writes its sample block (web_0 is web-2), the plan imports what
// the guide says, and the reinstall action of "After Adopting" installs the adopted key while
// the server's own ssh_keys fail with SSH Keys Required (Terraform 1.14). The import blocks of
// "Without terraform query" adopt a server by id (Terraform 1.5) and by identity (1.12).
func TestGuide_adoptingServers(t *testing.T) {
	g := readGuide(t, "adopting-servers")
	query := g.hcl(t, `list "flexmetal_server" "web"`)
	queryCmd := g.shell(t, "terraform query\n")
	queryOut := g.text(t, "list.flexmetal_server.web")
	generateCmd := g.shell(t, "-generate-config-out=")
	generated := g.hcl(t, `resource "flexmetal_server" "web_0"`)
	planCmd := g.shell(t, "terraform plan\n")
	planOut := g.text(t, "to import,")
	action := g.hcl(t, `action "flexmetal_server_reinstall"`)
	invokeCmd := g.shell(t, "-invoke=action.")
	byIdentity := g.hcl(t, "identity = { id =")
	byID := g.hcl(t, "\n  id = \"")
	g.requireAllClaimed(t)
	tf, providerDir := setup(t)

	t.Run("query", func(t *testing.T) {
		requireQueryTerraform(t, tf)
		sim := simulator.New(simulator.Config{StepDuration: -1, ReleaseDuration: -1})
		url, stop := sim.Start()
		defer stop()
		ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()

		// The guide's samples: web-2 was ordered first, db-1 has another role.
		key, err := sim.AddSSHKey("deploy", simulator.ExamplePublicKeyEd25519)
		if err != nil {
			t.Fatal(err)
		}
		seeded := seedServers(t, sim, nil,
			simulator.CreateServerRequest{Name: "web-2", Location: simulator.LocationMontreuil, Tags: []string{"role:web", "env:prod"}},
			simulator.CreateServerRequest{Name: "web-1", Location: simulator.LocationRotterdam, Tags: []string{"role:web"}},
			simulator.CreateServerRequest{Name: "web-3", Location: simulator.LocationRotterdam, Tags: []string{"role:web"}, OS: simulator.OSRequest{Slug: "debian-12"}},
			simulator.CreateServerRequest{Name: "db-1", Location: simulator.LocationRotterdam, Tags: []string{"role:db"}},
			simulator.CreateServerRequest{Name: "win-1", Location: simulator.LocationRotterdam, Tags: []string{"role:web"}, OS: simulator.OSRequest{Slug: simulator.OSWindows2025}, SSHKey: []string{}},
		)
		web2 := seeded[0]

		writeFiles(t, ws.Dir, map[string]string{
			"main.tf":           tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "50ms"),
			"adopt.tfquery.hcl": query,
		})
		out := runGuideCommand(ctx, t, ws, queryCmd)
		if got, want := listedLines(out), listedLines(queryOut); !slices.Equal(got, want) {
			t.Errorf("terraform query lists (ids as UUID):\n%s\nthe guide shows:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		runGuideCommand(ctx, t, ws, generateCmd)
		adopted, err := os.ReadFile(filepath.Join(ws.Dir, "adopted.tf"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(anonymizeUUIDs(string(adopted)), anonymizeUUIDs(generated)) {
			t.Errorf("the generated adopted.tf lacks the guide's sample block (ids as UUID):\n%s\nadopted.tf:\n%s", generated, adopted)
		}

		out = runGuideCommand(ctx, t, ws, planCmd)
		if want := strings.TrimSpace(planOut); !strings.Contains(out, want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
		if _, err := ws.Run(ctx, "apply", "-auto-approve", "-no-color"); err != nil {
			t.Fatal(err)
		}
		if out, err := ws.Run(ctx, "plan", "-no-color"); err != nil || !strings.Contains(out, "No changes.") {
			t.Errorf("the plan after the apply is not empty: %v\n%s", err, out)
		}

		// After Adopting: the action with the adopted key reinstalls web-2 with that key.
		writeFiles(t, ws.Dir, map[string]string{"actions.tf": action})
		runGuideCommand(ctx, t, ws, invokeCmd)
		last, _ := sim.LastReinstall(web2.UUID)
		if n := sim.CountPatches(web2.UUID); n != 1 || last.Name != "web-2" || !slices.Equal(last.SSHKeys, []string{key.UUID}) {
			t.Errorf("the invoke sent %d reinstalls of web-2, the last %+v; want one with its name and the adopted key %s", n, last, key.UUID)
		}
		// With the adopted server's own (null) ssh_keys, as the guide warns, it fails at plan.
		keyless := strings.Replace(action, "[flexmetal_ssh_key.deploy_0.id]", "flexmetal_server.web_0.ssh_keys", 1)
		if keyless == action {
			t.Fatal("the guide's action no longer passes [flexmetal_ssh_key.deploy_0.id]: change this test with it")
		}
		writeFiles(t, ws.Dir, map[string]string{"actions.tf": keyless})
		args := append(guideCommands(t, invokeCmd)[0], "-auto-approve", "-no-color")
		if out, err := ws.Run(ctx, args...); err == nil || !strings.Contains(out, "SSH Keys Required") {
			t.Errorf("a reinstall with the adopted server's own ssh_keys did not fail with SSH Keys Required: %v\n%s", err, out)
		}
		if n := sim.CountPatches(web2.UUID); n != 1 {
			t.Errorf("the refused reinstall reached the API: %d reinstalls of web-2", n)
		}
	})

	// Without terraform query: an import block and a configuration written by hand.
	for _, c := range []struct {
		name         string
		block        string
		major, minor int
	}{
		{"import by id", byID, 1, 5},
		{"import by identity", byIdentity, 1, 12},
	} {
		t.Run(c.name, func(t *testing.T) {
			sim := simulator.New(simulator.Config{StepDuration: -1, ReleaseDuration: -1})
			url, stop := sim.Start()
			defer stop()
			ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			skipBelow(t, ctx, ws, c.major, c.minor, "this import block")
			server := seedServers(t, sim, nil, simulator.CreateServerRequest{Name: "web-1", Location: simulator.LocationRotterdam, Tags: []string{"role:web"}})[0]
			writeFiles(t, ws.Dir, map[string]string{
				"main.tf": tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "50ms") + `
resource "flexmetal_server" "web" {
  name          = "web-1"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "ubuntu-2404-lts" }
  tags          = ["role:web"]
}
`,
				"import.tf": uuidPattern.ReplaceAllString(c.block, server.UUID),
			})
			out, err := ws.Run(ctx, "apply", "-auto-approve", "-no-color")
			if err != nil {
				t.Fatal(err)
			}
			if want := "1 imported, 0 added, 0 changed, 0 destroyed."; !strings.Contains(out, want) {
				t.Errorf("the apply of the import block did not say %q:\n%s", want, out)
			}
			if ids := stateIDs(ctx, t, ws); !ids[server.UUID] || len(ids) != 1 {
				t.Errorf("state holds %v, want only %s", ids, server.UUID)
			}
			for _, r := range sim.Requests() {
				if r.Method != "GET" {
					t.Errorf("the import wrote to the API: %s %s", r.Method, r.Path)
				}
			}
		})
	}
}

// runGuideCommand runs the one terraform command of a guide's shell block, without colors and,
// for apply, without asking.
func runGuideCommand(ctx context.Context, t *testing.T, ws *tfrun.Workspace, shell string) string {
	t.Helper()
	cmds := guideCommands(t, shell)
	if len(cmds) != 1 {
		t.Fatalf("want one command, the guide shows %d:\n%s", len(cmds), shell)
	}
	args := cmds[0]
	if args[0] == "apply" {
		args = append(args, "-auto-approve")
	}
	out, err := ws.Run(ctx, append(args, "-no-color")...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// listedLines returns the result lines of terraform query's output with ids as UUID and runs of
// spaces as one.
func listedLines(out string) []string {
	var lines []string
	for line := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(line, "list.") {
			lines = append(lines, strings.Join(strings.Fields(anonymizeUUIDs(line)), " "))
		}
	}
	// Terraform runs the list blocks concurrently and prints each block's results as they come:
	// the order within a block is the provider's (oldest first), the order of the blocks is not.
	slices.SortStableFunc(lines, func(a, b string) int {
		return strings.Compare(strings.Fields(a)[0], strings.Fields(b)[0])
	})
	return lines
}

// anonymizeUUIDs replaces every UUID with "UUID", so that a guide's sample compares with output
// from the simulator, which makes up its own.
func anonymizeUUIDs(s string) string { return uuidPattern.ReplaceAllString(s, "UUID") }
