package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// TestAdopt_refreshFalseNeverHandsARecordedServerToAnotherInstance: with -refresh=false the
// provider reads nothing before the create of a new instance whose order is identical to a
// recorded one (same name, count grown); that server carries no creation tag any more, so the
// new instance orders its own.
func TestAdopt_refreshFalseNeverHandsARecordedServerToAnotherInstance(t *testing.T) {
	tf, providerDir := setup(t)
	sim := simulator.New(simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	url, stop := sim.Start()
	defer stop()
	ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	twins := func(count int) string {
		return tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "50ms") + fmt.Sprintf(`
resource "flexmetal_server" "twin" {
  count         = %d
  name          = "twin"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "ubuntu-2404-lts" }
  ssh_keys      = [%q]
}
`, count, simulator.ExamplePublicKeyEd25519)
	}
	for _, step := range []struct {
		count int
		args  []string
	}{
		{1, []string{"apply", "-auto-approve"}},
		{2, []string{"apply", "-auto-approve", "-refresh=false"}},
	} {
		if err := ws.WriteConfig(twins(step.count)); err != nil {
			t.Fatal(err)
		}
		if _, err := ws.Run(ctx, step.args...); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		if _, err := ws.Run(ctx, "destroy", "-auto-approve"); err != nil {
			t.Error(err)
		}
	}()
	ids := stateIDs(ctx, t, ws)
	if len(ids) != 2 || len(live(sim)) != 2 {
		t.Fatalf("state holds %v and the API %d live servers; want two distinct servers", ids, len(live(sim)))
	}
	for _, s := range live(sim) {
		if !ids[s.UUID] {
			t.Errorf("server %s is in no state", s.UUID)
		}
	}
	if out, err := ws.Run(ctx, "plan", "-detailed-exitcode"); err != nil {
		t.Errorf("the plan after is not empty: %v\n%s", err, out)
	}
}
