package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// inPlace opts reinstallConfig's servers in to reinstalls.
const inPlace = "  allow_reinstall = true"

func reinstallConfig(url, name, slug, extra string) string {
	return tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "50ms") + fmt.Sprintf(`
resource "flexmetal_server" "web" {
  count         = 2
  name          = "%[1]s-${count.index}"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = %[2]q }
  ssh_keys      = [%[3]q]
%[4]s
}
`, name, slug, simulator.ExamplePublicKeyEd25519, extra)
}

// deliveredFleet applies reinstallConfig's two servers against a fast simulator made from cfg,
// and destroys them when the test ends.
func deliveredFleet(t *testing.T, cfg simulator.Config) (context.Context, *simulator.Simulator, string, *tfrun.Workspace) {
	t.Helper()
	tf, providerDir := setup(t)
	cfg.StepDuration, cfg.ReleaseDuration = 10*time.Millisecond, 10*time.Millisecond
	sim := simulator.New(cfg)
	url, stop := sim.Start()
	t.Cleanup(stop)
	ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	if err := ws.WriteConfig(reinstallConfig(url, "web", "ubuntu-2404-lts", inPlace)); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Run(ctx, "apply", "-auto-approve"); err != nil {
		t.Fatal(err)
	}
	// Registered last, so it runs first: destroy while the simulator still serves.
	t.Cleanup(func() {
		if _, err := ws.Run(ctx, "destroy", "-auto-approve"); err != nil {
			t.Error(err)
		}
	})
	return ctx, sim, url, ws
}

// TestReinstall_planWarnsPerServer: "update in-place" alone reads harmless, so the plan warns,
// per server and naming it, that it will be reinstalled and what changed; the human output shows
// every one of them rather than folding a fleet into "(and 1 more similar warning elsewhere)".
func TestReinstall_planWarnsPerServer(t *testing.T) {
	ctx, sim, url, ws := deliveredFleet(t, simulator.Config{})

	if err := ws.WriteConfig(reinstallConfig(url, "web", "debian-12", inPlace)); err != nil {
		t.Fatal(err)
	}
	human, err := ws.Run(ctx, "plan", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if want := fmt.Sprintf(`Warning: Server "web-%d" Will Be Reinstalled`, i); !strings.Contains(human, want) {
			t.Errorf("human plan output lacks %q:\n%s", want, human)
		}
	}
	if strings.Contains(human, "similar warning") {
		t.Errorf("human plan output folds the reinstall warnings:\n%s", human)
	}
	out, err := ws.Run(ctx, "plan", "-json")
	if err != nil {
		t.Fatal(err)
	}
	warned := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		var msg struct {
			Type       string `json:"type"`
			Diagnostic struct {
				Severity, Summary, Detail, Address string
			} `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil || msg.Type != "diagnostic" || !strings.HasSuffix(msg.Diagnostic.Summary, "Will Be Reinstalled") {
			continue
		}
		if want := fmt.Sprintf(`Server "web-%s" Will Be Reinstalled`, strings.TrimSuffix(strings.TrimPrefix(msg.Diagnostic.Address, "flexmetal_server.web["), "]")); msg.Diagnostic.Summary != want {
			t.Errorf("reinstall warning on %s is titled %q, want %q", msg.Diagnostic.Address, msg.Diagnostic.Summary, want)
		}
		if msg.Diagnostic.Severity != "warning" {
			t.Errorf("reinstall diagnostic is a %s, want a warning", msg.Diagnostic.Severity)
		}
		warned[msg.Diagnostic.Address] = msg.Diagnostic.Detail
	}
	if len(warned) != 2 {
		t.Errorf("reinstall warnings for %d servers, want one per server: %v", len(warned), warned)
	}
	for i := range 2 {
		detail := warned[fmt.Sprintf("flexmetal_server.web[%d]", i)]
		want := fmt.Sprintf(`^Applying this plan reinstalls server [0-9a-f-]{36} \(web-%d\) in place because os\.slug changed: its disks are erased`, i)
		if !regexp.MustCompile(want).MatchString(detail) {
			t.Errorf("warning for flexmetal_server.web[%d] = %q, want it to name the server and os.slug", i, detail)
		}
	}
	if !strings.Contains(out, `"changes":{"add":0,"change":2,"import":0,"remove":0`) {
		t.Errorf("plan does not update both servers in place:\n%s", out)
	}

	// By default (allow_reinstall removed) the servers are replaced, without the reinstall
	// warning but with one saying that a reinstall would keep them.
	if err := ws.WriteConfig(reinstallConfig(url, "web", "debian-12", "")); err != nil {
		t.Fatal(err)
	}
	out, err = ws.Run(ctx, "plan", "-no-color", "-out=tfplan")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "Will Be Reinstalled") || !strings.Contains(out, "2 to add, 0 to change, 2 to destroy") {
		t.Errorf("without allow_reinstall = true the plan should replace both, without a reinstall warning:\n%s", out)
	}
	if !strings.Contains(out, "Server Will Be Replaced") || !strings.Contains(out, "allow_reinstall = true would instead reinstall") {
		t.Errorf("the replacement's plan does not say that allow_reinstall = true would keep the servers:\n%s", out)
	}
	// Policy checks (OPA, Sentinel, conftest) read terraform show -json and look for deletes.
	planJSON, err := ws.Command(ctx, "show", "-json", "tfplan").Output()
	if err != nil {
		t.Fatalf("show -json tfplan: %v", err)
	}
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(planJSON, &plan); err != nil {
		t.Fatal(err)
	}
	deletes := 0
	for _, rc := range plan.ResourceChanges {
		if slices.Contains(rc.Change.Actions, "delete") {
			deletes++
		}
	}
	if deletes != 2 {
		t.Errorf("terraform show -json reports %d deletes, want 2 (one per server whose disks are erased): %+v", deletes, plan.ResourceChanges)
	}
	for _, s := range sim.Servers() {
		if n := sim.CountPatches(s.UUID); n != 0 {
			t.Errorf("plans sent %d PATCH requests", n)
		}
	}
}

// TestReinstall_interruptKeepsServerAndPreviousValues: SIGINT while a reinstall runs leaves the
// server in the state, untainted, with its previous values, so the next plan shows the change.
func TestReinstall_interruptKeepsServerAndPreviousValues(t *testing.T) {
	ctx, sim, url, ws := deliveredFleet(t, simulator.Config{StuckNamePattern: regexp.MustCompile(`^slow-`)})
	before := stateIDs(ctx, t, ws)

	if err := ws.WriteConfig(reinstallConfig(url, "slow", "debian-12", inPlace)); err != nil {
		t.Fatal(err)
	}
	cmd := ws.Command(ctx, "apply", "-auto-approve")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for reinstalling := 0; reinstalling < 2; {
		select {
		case <-ctx.Done():
			t.Fatal("the reinstalls never started")
		case <-tick.C:
		}
		reinstalling = 0
		for id := range before {
			reinstalling += len(sim.Reinstalls(id))
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatalf("interrupted apply succeeded:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "Server Reinstall Did Not Complete") {
		t.Errorf("interrupted apply does not explain the reinstall:\n%s", out.String())
	}

	res, err := ws.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("%d resources in state after the interrupt, want the 2 servers", len(res))
	}
	for _, r := range res {
		id, _ := r.Values["id"].(string)
		name, _ := r.Values["name"].(string)
		if !before[id] || r.Tainted || !strings.HasPrefix(name, "web-") {
			t.Errorf("%s after the interrupt: id %s tainted %v name %q; want the same server, untainted, with its previous name", r.Address, id, r.Tainted, name)
		}
	}
	plan, err := ws.Run(ctx, "plan", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "0 to add, 2 to change, 0 to destroy") {
		t.Errorf("the next plan does not show the reinstall again:\n%s", plan)
	}
}
