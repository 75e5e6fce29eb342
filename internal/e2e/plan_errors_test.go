package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// TestPlan_fleetErrorsOncePerCause: a plan of three servers that all meet the same cause (the
// API unreachable, the key refused, an instance type no location offers) shows one error block
// for it, not one per server and attribute, fails, and writes nothing to the API.
func TestPlan_fleetErrorsOncePerCause(t *testing.T) {
	tf, providerDir := setup(t)
	sim := simulator.New(simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	url, stop := sim.Start()
	t.Cleanup(stop)
	// A simulator stopped before the plan: nothing listens at its address any more.
	stopped := simulator.New(simulator.Config{})
	goneURL, stopGone := stopped.Start()
	stopGone()

	cases := []struct {
		name, url, key, instanceType, want string
	}{
		{"unreachable", goneURL, simulator.DefaultAPIKey, "bm7.std.8", "Error: Unable to Reach the FlexMetal API"},
		{"refused key", url, "not-the-key", "bm7.std.8", "Error: FlexMetal API Refused the Credentials"},
		{"instance type nowhere", url, simulator.DefaultAPIKey, "bm99.std.8", "Error: Instance Type Not Offered Anywhere"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if err := ws.WriteConfig(tfrun.ProviderBlock(c.url, c.key, "50ms") + fmt.Sprintf(`
resource "flexmetal_server" "web" {
  count         = 3
  name          = "web-${count.index}"
  location      = "EU: Rotterdam"
  instance_type = %q
  os            = { slug = "ubuntu-2404-lts" }
  ssh_keys      = [%q]
}
`, c.instanceType, simulator.ExamplePublicKeyEd25519)); err != nil {
				t.Fatal(err)
			}
			out, err := ws.Run(ctx, "plan", "-no-color")
			if err == nil {
				t.Fatalf("plan succeeded:\n%s", out)
			}
			if n := strings.Count(out, "Error: "); n != 1 || !strings.Contains(out, c.want) {
				t.Errorf("plan shows %d error blocks, want exactly one, %q:\n%s", n, c.want, out)
			}
		})
	}
	for _, r := range sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("a failed plan wrote to the API: %s %s", r.Method, r.Path)
		}
	}
}
