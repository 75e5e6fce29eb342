package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// TestMain points Terraform at an empty CLI configuration: the machine's TF_CLI_CONFIG_FILE may
// name a missing file, whose warning some Terraform builds print on stdout, and a developer's own
// ~/.terraformrc (dev_overrides, mirrors) must not leak into the tests.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "flexmetal-tfcli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cfg)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// simEnv is one simulator and the provider factories that talk to it.
type simEnv struct {
	sim       *simulator.Simulator
	url       string
	factories map[string]func() (tfprotov6.ProviderServer, error)
	// cfg is the simulator's configuration after newSimEnv's test defaults.
	cfg simulator.Config
}

// testStep and testPoll keep acceptance tests quick: the simulator moves a server one status
// per step, and the provider checks at most every testPoll.
const (
	testStep = 20 * time.Millisecond
	testPoll = 50 * time.Millisecond
)

// newSimEnv starts a simulator on loopback for one test and builds provider factories whose
// client retries fast, so fault tests do not wait for production backoff.
func newSimEnv(t *testing.T, cfg simulator.Config) *simEnv {
	t.Helper()
	if cfg.StepDuration == 0 {
		cfg.StepDuration = testStep
	}
	if cfg.ReleaseDuration == 0 {
		cfg.ReleaseDuration = testStep
	}
	sim := simulator.New(cfg)
	url, stop := sim.Start()
	t.Cleanup(stop)
	opts := []flexmetal.Option{
		flexmetal.WithRetryPolicy(flexmetal.RetryPolicy{MaxRetries: 8, MinDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond, MaxRetryAfter: 2 * time.Second}),
		flexmetal.WithMinPollInterval(10 * time.Millisecond),
	}
	catalogs := shared.NewCatalogRegistry()
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		TypeName: providerserver.NewProtocol6WithError(&flexmetalProvider{version: "test", clientOptions: opts, catalogs: catalogs}),
	}
	return &simEnv{sim: sim, url: url, factories: factories, cfg: cfg}
}

// addServer orders a server in the simulator without HTTP, as if from the console: Rotterdam,
// bm7.std.8, Ubuntu 24.04 and the test key unless req says otherwise.
//
// Terraform reads it an unknown number of milliseconds later, so its status must not depend on
// the wall clock: the test fails unless delivery is immediate (StepDuration < 0, the server is
// delivered, failed or stuck at once) or the clock is a ManualClock that the test advances.
func (e *simEnv) addServer(t *testing.T, req simulator.CreateServerRequest) simulator.ServerSnapshot {
	t.Helper()
	if _, manual := e.cfg.Clock.(*simulator.ManualClock); !manual && e.cfg.StepDuration >= 0 {
		t.Fatalf("addServer on the wall clock with StepDuration %s: the server's status would depend on how fast this machine is. "+
			"Use simulator.Config{StepDuration: -1} (delivered at once) or a ManualClock.", e.cfg.StepDuration)
	}
	if req.Location == "" {
		req.Location = simulator.LocationRotterdam
	}
	if req.InstanceType == "" {
		req.InstanceType = simulator.InstanceTypeBM7Std8
	}
	if req.OS.Slug == "" {
		req.OS.Slug = simulator.OSUbuntu2404
	}
	if req.SSHKey == nil {
		req.SSHKey = []string{testPublicKey}
	}
	s, err := e.sim.AddServer(req)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// providerConfig is the provider block for this simulator.
func (e *simEnv) providerConfig() string {
	return fmt.Sprintf(`
provider "flexmetal" {
  base_url      = %q
  api_key       = %q
  poll_interval = %q
}
`, e.url, simulator.DefaultAPIKey, testPoll.String())
}

// accPreCheck skips acceptance tests unless TF_ACC is set, as terraform-plugin-testing expects.
func accPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests need TF_ACC=1 (make test sets it)")
	}
}

func TestAccProvider_missingAPIKeyIsAttributeError(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	t.Setenv(shared.EnvAPIKey, "")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "flexmetal" {
  base_url = %q
}
data "flexmetal_locations" "all" {}
`, env.url),
			ExpectError: errorPattern(`(?s)Missing FlexMetal API Key.*FLEXMETAL_API_KEY`),
		}},
	})
}

func TestAccProvider_plainHTTPRefusedForRemoteHost(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{{
			Config: `
provider "flexmetal" {
  base_url = "http://api.example.com"
  api_key  = "k"
}
data "flexmetal_locations" "all" {}
`,
			ExpectError: errorPattern(`(?s)Invalid FlexMetal Base URL.*plain http is refused`),
		}},
	})
}

func TestAccProvider_invalidPollIntervalIsAttributeError(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "flexmetal" {
  base_url      = %q
  api_key       = "k"
  poll_interval = "ten seconds"
}
data "flexmetal_locations" "all" {}
`, env.url),
			ExpectError: errorPattern(`(?s)Invalid Duration.*"ten seconds" is not a duration`),
		}},
	})
}

func TestCheckBaseURL(t *testing.T) {
	cases := []struct {
		url  string
		want string // substring of the complaint, "" for accepted
	}{
		{"https://api.i3d.net", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://localhost:8080", ""},
		{"http://[::1]:8080", ""},
		{"http://api.i3d.net", "plain http is refused"},
		{"http://10.0.0.1", "plain http is refused"},
		{"api.i3d.net", "absolute URL"},
		{"ftp://api.i3d.net", "absolute URL"},
		{"https://api.i3d.net/?x=1", "query string"},
	}
	for _, c := range cases {
		got := shared.CheckBaseURL(c.url)
		if c.want == "" && got != "" || c.want != "" && !regexp.MustCompile(regexp.QuoteMeta(c.want)).MatchString(got) {
			t.Errorf("checkBaseURL(%q) = %q, want %q", c.url, got, c.want)
		}
	}
}

// errorPattern compiles an ExpectError pattern in which each space matches any run of white
// space: Terraform wraps diagnostic text at its own line width.
func errorPattern(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`))
}

// listIDPattern is what every list data source's id looks like.
var listIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)
