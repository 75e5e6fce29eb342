package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// requireQueryTerraform skips unless the CLI is Terraform 1.14 or later, which brought terraform
// query, list resources and actions.
func requireQueryTerraform(t *testing.T, tf string) {
	t.Helper()
	ok, version, err := tfrun.SupportsQuery(tf)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Skipf("%s %s has no terraform query or actions: they need Terraform 1.14 or later (make test-query builds it)", filepath.Base(tf), version)
	}
}

// seedServers adds servers to the simulator as if they were ordered in the console, and checks
// that they are delivered. Terraform reads them an unknown time later, so the simulator must not
// deliver on the wall clock: it delivers at once (StepDuration < 0) or runs on a clock the test
// moves (advance, which runs after the servers are added; nil for none).
func seedServers(t *testing.T, sim *simulator.Simulator, advance func(), reqs ...simulator.CreateServerRequest) []simulator.ServerSnapshot {
	t.Helper()
	var out []simulator.ServerSnapshot
	for _, req := range reqs {
		if req.InstanceType == "" {
			req.InstanceType = "bm7.std.8"
		}
		if req.OS.Slug == "" {
			req.OS.Slug = "ubuntu-2404-lts"
		}
		if req.SSHKey == nil {
			req.SSHKey = []string{simulator.ExamplePublicKeyEd25519}
		}
		s, err := sim.AddServer(req)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if advance != nil {
		advance()
	}
	for i, s := range out {
		got, _ := sim.Server(s.UUID)
		if got.Status != simulator.StatusDelivered {
			t.Fatalf("seeded server %s is %q, want delivered: seed on a clock that does not depend on the machine's speed", s.Name, got.Status)
		}
		out[i] = got
	}
	return out
}

// TestQuery_generatedConfigAdoptsWithoutWrites is the adoption workflow of the guide: terraform
// query finds servers and keys that Terraform does not manage and writes their configuration and
// import blocks; the plan then only imports, the apply sends no write to the API, and the plan
// afterwards is empty.
func TestQuery_generatedConfigAdoptsWithoutWrites(t *testing.T) {
	tf, providerDir := setup(t)
	requireQueryTerraform(t, tf)
	// Seeded servers are delivered, and the released one released, at once.
	sim := simulator.New(simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	url, stop := sim.Start()
	defer stop()
	ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	key, err := sim.AddSSHKey("deploy", simulator.ExamplePublicKeyEd25519)
	if err != nil {
		t.Fatal(err)
	}
	seeded := seedServers(t, sim, nil,
		simulator.CreateServerRequest{Name: "web-1", Location: simulator.LocationRotterdam, Tags: []string{"role:web", "env:prod"}},
		simulator.CreateServerRequest{Name: "web-2", Location: simulator.LocationMontreuil, Tags: []string{"role:web"}},
		simulator.CreateServerRequest{Name: "web-3", Location: simulator.LocationRotterdam, Tags: []string{"role:web"},
			OS: simulator.OSRequest{Slug: "debian-12", Partitions: []simulator.Partition{{Target: "/", Filesystem: "ext4", Size: -1}}}},
		simulator.CreateServerRequest{Name: "db-1", Location: simulator.LocationRotterdam, Tags: []string{"role:db"}},
		simulator.CreateServerRequest{Name: "win-1", Location: simulator.LocationRotterdam, Tags: []string{"role:web"}, OS: simulator.OSRequest{Slug: simulator.OSWindows2025}, SSHKey: []string{}},
		simulator.CreateServerRequest{Name: "gone-1", Location: simulator.LocationRotterdam, Tags: []string{"role:web"}},
	)
	if err := sim.ReleaseServer(seeded[5].UUID); err != nil {
		t.Fatal(err)
	}
	adopted := []simulator.ServerSnapshot{seeded[0], seeded[1], seeded[2], seeded[4]}

	if err := ws.WriteConfig(tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "50ms")); err != nil {
		t.Fatal(err)
	}
	query := `
list "flexmetal_server" "web" {
  provider         = flexmetal
  include_resource = true
  config {
    tags = ["role:web"]
  }
}

list "flexmetal_ssh_key" "deploy" {
  provider         = flexmetal
  include_resource = true
  config {
    name = "deploy"
  }
}
`
	if err := os.WriteFile(filepath.Join(ws.Dir, "adopt.tfquery.hcl"), []byte(query), 0o644); err != nil {
		t.Fatal(err)
	}
	sim.ResetRequests()
	out, err := ws.Run(ctx, "query", "-no-color", "-generate-config-out=generated.tf")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("terraform query:\n%s", out)
	for _, s := range adopted {
		if !strings.Contains(out, s.UUID) || !strings.Contains(out, s.Name+" (") {
			t.Errorf("query output does not list %s (%s)", s.Name, s.UUID)
		}
	}
	for _, s := range []simulator.ServerSnapshot{seeded[3], seeded[5]} {
		if strings.Contains(out, s.UUID) {
			t.Errorf("query lists %s, which the filter (or its release) leaves out", s.Name)
		}
	}
	generated, err := os.ReadFile(filepath.Join(ws.Dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated.tf:\n%s", generated)
	if n := strings.Count(string(generated), "identity = {"); n != len(adopted)+1 {
		t.Errorf("generated.tf has %d import blocks by identity, want %d", n, len(adopted)+1)
	}
	// The query file stays: plans and applies ignore it, as the guide says.
	out, err = ws.Run(ctx, "plan", "-no-color", "-out=adopt.tfplan")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", len(adopted)+1)
	if !strings.Contains(out, want) {
		t.Fatalf("the plan of the generated configuration is not a pure import (want %q):\n%s", want, out)
	}
	if _, err := ws.Run(ctx, "apply", "-no-color", "adopt.tfplan"); err != nil {
		t.Fatal(err)
	}
	for _, r := range sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("query, plan or apply wrote to the API: %s %s", r.Method, r.Path)
		}
	}

	res, err := ws.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inState := map[string]bool{}
	for _, r := range res {
		id, _ := r.Values["id"].(string)
		inState[id] = true
	}
	for _, s := range adopted {
		if !inState[s.UUID] {
			t.Errorf("%s (%s) is not in the state after the apply", s.Name, s.UUID)
		}
	}
	if !inState[key.UUID] || len(res) != len(adopted)+1 {
		t.Errorf("state holds %d resources (%v), want the %d servers and the key", len(res), inState, len(adopted))
	}

	out, err = ws.Run(ctx, "plan", "-no-color", "-detailed-exitcode")
	if err != nil {
		t.Fatalf("the plan after adopting is not empty: %v", err)
	}
	if !regexp.MustCompile(`No changes\.`).MatchString(out) {
		t.Errorf("the plan after adopting is not empty:\n%s", out)
	}
	for _, r := range sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("the API received a write: %s %s", r.Method, r.Path)
		}
	}
}
