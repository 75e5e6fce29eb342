package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// actionConfig is a managed server and reinstall actions: one for it with its own keys, one
// without keys, and one for another server by id, with another operating system.
func actionConfig(url string) string {
	return tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "50ms") + fmt.Sprintf(`
variable "other_id" {
  type    = string
  default = "019256ab-1554-73a7-b091-f024b0a724ea"
}

resource "flexmetal_server" "web" {
  name          = "web-1"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "ubuntu-2404-lts" }
  ssh_keys      = [%[1]q]
}

action "flexmetal_server_reinstall" "web" {
  config {
    server_id = flexmetal_server.web.id
    ssh_keys  = flexmetal_server.web.ssh_keys
  }
}

action "flexmetal_server_reinstall" "keyless" {
  config {
    server_id = flexmetal_server.web.id
  }
}

action "flexmetal_server_reinstall" "other" {
  config {
    server_id = var.other_id
    os        = { slug = "debian-12", partitions = [{ target = "/", filesystem = "xfs", size = -1 }] }
    ssh_keys  = [%[1]q]
  }
}
`, simulator.ExamplePublicKeyEd25519)
}

// TestAction_reinstallInvoke runs the flexmetal_server_reinstall action with terraform apply
// -invoke: one PATCH with the server's name and OS and the given keys, progress on the way, and a
// managed server whose plan stays empty; a keyless reinstall of Ubuntu fails at plan, with no
// write; another server gets the configured OS.
func TestAction_reinstallInvoke(t *testing.T) {
	tf, providerDir := setup(t)
	requireQueryTerraform(t, tf)
	// The simulator's time moves 10 ms per request it receives, not with the wall clock: a
	// reinstall step lasts ten requests, so the action's polls see "provisioning" however busy
	// the machine is.
	clock := simulator.NewRequestClock(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), 10*time.Millisecond)
	sim := simulator.New(simulator.Config{Clock: clock, StepDuration: 10 * time.Millisecond, ReleaseDuration: 10 * time.Millisecond, ReinstallStepDuration: 100 * time.Millisecond})
	url, stop := sim.Start()
	defer stop()
	ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	seeded := seedServers(t, sim, func() { clock.Advance(time.Minute) },
		simulator.CreateServerRequest{Name: "legacy-1", Location: simulator.LocationMontreuil},
		// The simulator fails reinstalls that send this name.
		simulator.CreateServerRequest{Name: "fail-reinstall-1", Location: simulator.LocationMontreuil})
	other, failing := seeded[0], seeded[1]

	if err := ws.WriteConfig(actionConfig(url)); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Run(ctx, "apply", "-auto-approve", "-no-color"); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := ws.Run(ctx, "destroy", "-auto-approve", "-no-color"); err != nil {
			t.Error(err)
		}
	}()
	ids := stateIDs(ctx, t, ws)
	if len(ids) != 1 {
		t.Fatalf("state holds %v, want the one server", ids)
	}
	var id string
	for id = range ids {
	}
	if n := sim.CountPatches(id); n != 0 {
		t.Fatalf("apply without -invoke sent %d reinstalls", n)
	}

	out, err := ws.Run(ctx, "apply", "-auto-approve", "-no-color", "-invoke=action.flexmetal_server_reinstall.web")
	if err != nil {
		t.Fatal(err)
	}
	last, _ := sim.LastReinstall(id)
	switch {
	case sim.CountPatches(id) != 1:
		t.Errorf("%d PATCH requests for the invoked reinstall, want 1", sim.CountPatches(id))
	case last.Name != "web-1" || last.OS.Slug != "ubuntu-2404-lts" || !slices.Equal(last.SSHKeys, []string{simulator.ExamplePublicKeyEd25519}) || last.PostInstallScript != "":
		t.Errorf("the reinstall sent %+v, want the server's name and OS, the configured key and no script", last)
	case last.State != simulator.CommandFinished:
		t.Errorf("the action returned before the reinstall finished: command %s", last.State)
	}
	if s, _ := sim.Server(id); s.Status != simulator.StatusDelivered {
		t.Errorf("server is %s after the action, want delivered", s.Status)
	}
	for _, want := range []string{
		fmt.Sprintf("Reinstalling server %s (web-1) with ubuntu-2404-lts", id),
		fmt.Sprintf("server %s (web-1) is provisioning (reinstall)", id),
		fmt.Sprintf("Reinstalled server %s (web-1) with ubuntu-2404-lts: delivered.", id),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the invoke's output lacks the progress %q:\n%s", want, out)
		}
	}
	if out, err := ws.Run(ctx, "plan", "-no-color", "-detailed-exitcode"); err != nil {
		t.Errorf("the plan after reinstalling a managed server with its own OS is not empty: %v\n%s", err, out)
	}

	out, err = ws.Run(ctx, "apply", "-auto-approve", "-no-color", "-invoke=action.flexmetal_server_reinstall.keyless")
	if err == nil || !strings.Contains(out, "SSH Keys Required") {
		t.Errorf("a keyless reinstall of Ubuntu did not fail at plan with SSH Keys Required: %v\n%s", err, out)
	}
	if n := sim.CountPatches(id); n != 1 {
		t.Errorf("the refused reinstall reached the API: %d PATCH requests", n)
	}

	if _, err := ws.Run(ctx, "apply", "-auto-approve", "-no-color", "-var=other_id="+other.UUID, "-invoke=action.flexmetal_server_reinstall.other"); err != nil {
		t.Fatal(err)
	}
	last, _ = sim.LastReinstall(other.UUID)
	if sim.CountPatches(other.UUID) != 1 || last.Name != "legacy-1" || last.OS.Slug != "debian-12" || len(last.OS.Partitions) != 1 {
		t.Errorf("the reinstall of the other server sent %+v (%d PATCH), want its name with debian-12 and the partition", last, sim.CountPatches(other.UUID))
	}

	out, err = ws.Run(ctx, "apply", "-auto-approve", "-no-color", "-var=other_id="+failing.UUID, "-invoke=action.flexmetal_server_reinstall.other")
	if err == nil || !strings.Contains(out, "Server Reinstall Failed") || !strings.Contains(out, failing.UUID) {
		t.Errorf("a failed reinstall did not fail the invoke with Server Reinstall Failed: %v\n%s", err, out)
	}
	out, err = ws.Run(ctx, "apply", "-auto-approve", "-no-color", "-invoke=action.flexmetal_server_reinstall.other")
	if err == nil || !strings.Contains(out, "Server Not Found") {
		t.Errorf("an unknown server_id did not fail at plan with Server Not Found: %v\n%s", err, out)
	}
}
