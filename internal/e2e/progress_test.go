package e2e

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// TestProgress_statusTransitionsLoggedAtInfo checks that TF_LOG=INFO shows where a delivery
// and a release are, status by status, and that the API key never reaches the log.
func TestProgress_statusTransitionsLoggedAtInfo(t *testing.T) {
	tf, providerDir := setup(t)
	// The simulator's time moves one second per request it receives: each status lasts two
	// polls, whatever the wall clock does, so none is skipped on a busy machine.
	clock := simulator.NewRequestClock(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), time.Second)
	sim := simulator.New(simulator.Config{Clock: clock, StepDuration: 2 * time.Second, ReleaseDuration: 2 * time.Second})
	url, stop := sim.Start()
	defer stop()
	ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir, "TF_LOG=INFO", "FLEXMETAL_API_KEY="+simulator.DefaultAPIKey)
	if err != nil {
		t.Fatal(err)
	}
	err = ws.WriteConfig(tfrun.ProviderBlock(url, "", "20ms") + fmt.Sprintf(`
resource "flexmetal_server" "web" {
  name          = "progress"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "ubuntu-2404-lts" }
  ssh_keys      = [%q]
}
`, simulator.ExamplePublicKeyEd25519))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	applyLog, err := ws.Run(ctx, "apply", "-auto-approve")
	if err != nil {
		t.Fatal(err)
	}
	destroyLog, err := ws.Run(ctx, "destroy", "-auto-approve")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`FlexMetal server ordered`,
		`FlexMetal server [0-9a-f-]{36}: provisioning`,
		`FlexMetal server [0-9a-f-]{36}: delivered`,
	} {
		if !regexp.MustCompile(want).MatchString(applyLog) {
			t.Errorf("apply log at INFO lacks %q", want)
		}
	}
	if !regexp.MustCompile(`FlexMetal server [0-9a-f-]{36}: released`).MatchString(destroyLog) {
		t.Errorf("destroy log at INFO lacks the released status")
	}
	if regexp.MustCompile(regexp.QuoteMeta(simulator.DefaultAPIKey)).MatchString(applyLog + destroyLog) {
		t.Errorf("the API key appears in the log")
	}
}

// TestProgress_retriesLoggedAtWarn checks that TF_LOG=WARN shows each retry of a failing
// request, so a struggling API never looks like a hang.
func TestProgress_retriesLoggedAtWarn(t *testing.T) {
	tf, providerDir := setup(t)
	sim := simulator.New(simulator.Config{})
	url, stop := sim.Start()
	defer stop()
	sim.AddFault(simulator.Fault{Method: "GET", PathPrefix: "/v3/flexMetal/location", Kind: simulator.FaultStatus, Status: 503, Times: 2})
	ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir, "TF_LOG=WARN")
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteConfig(tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "1s") + "data \"flexmetal_locations\" \"all\" {}\n"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	log, err := ws.Run(ctx, "plan")
	if err != nil {
		t.Fatal(err)
	}
	retries := regexp.MustCompile(`\[WARN\]\s+provider\.terraform-provider-flexmetal[^:]*: FlexMetal API request failed; retrying: .*attempt=(\d)`).FindAllStringSubmatch(log, -1)
	if len(retries) != 2 || retries[0][1] != "1" || retries[1][1] != "2" {
		t.Errorf("want two WARN retry lines (attempts 1 and 2), got %q in:\n%s", retries, log)
	}
}
