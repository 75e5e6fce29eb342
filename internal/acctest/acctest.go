package acctest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/provider"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Main runs a package's tests, as its TestMain, with Terraform pointed at an empty CLI configuration: the machine's TF_CLI_CONFIG_FILE may
// name a missing file, whose warning some Terraform builds print on stdout, and a developer's own
// ~/.terraformrc (dev_overrides, mirrors) must not leak into the tests.
func Main(m *testing.M) {
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

// SimEnv is one simulator and the provider factories that talk to it.
type SimEnv struct {
	// Sim is the simulator, for seeding state, injecting faults and checking requests.
	Sim *simulator.Simulator
	// URL is the simulator's base URL on loopback.
	URL string
	// Factories serve the provider, configured for fast retries, to terraform-plugin-testing.
	Factories map[string]func() (tfprotov6.ProviderServer, error)
	// Cfg is the simulator's configuration after NewSimEnv's test defaults.
	Cfg simulator.Config
}

// Step and Poll keep acceptance tests quick: the simulator moves a server one status
// per step, and the provider checks at most every Poll.
const (
	Step = 20 * time.Millisecond
	Poll = 50 * time.Millisecond
)

// NewSimEnv starts a simulator on loopback for one test and builds provider factories whose
// client retries fast, so fault tests do not wait for production backoff.
func NewSimEnv(t *testing.T, cfg simulator.Config) *SimEnv {
	t.Helper()
	if cfg.StepDuration == 0 {
		cfg.StepDuration = Step
	}
	if cfg.ReleaseDuration == 0 {
		cfg.ReleaseDuration = Step
	}
	sim := simulator.New(cfg)
	url, stop := sim.Start()
	t.Cleanup(stop)
	opts := []flexmetal.Option{
		flexmetal.WithRetryPolicy(flexmetal.RetryPolicy{MaxRetries: 8, MinDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond, MaxRetryAfter: 2 * time.Second}),
		flexmetal.WithMinPollInterval(10 * time.Millisecond),
	}
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		provider.TypeName: providerserver.NewProtocol6WithError(provider.New("test", opts...)()),
	}
	return &SimEnv{Sim: sim, URL: url, Factories: factories, Cfg: cfg}
}

// AddServer orders a server in the simulator without HTTP, as if from the console: Rotterdam,
// bm7.std.8, Ubuntu 24.04 and the test key unless req says otherwise.
//
// Terraform reads it an unknown number of milliseconds later, so its status must not depend on
// the wall clock: the test fails unless delivery is immediate (StepDuration < 0, the server is
// delivered, failed or stuck at once) or the clock is a ManualClock or RequestClock that the test
// drives.
func (e *SimEnv) AddServer(t *testing.T, req simulator.CreateServerRequest) simulator.ServerSnapshot {
	t.Helper()
	_, manual := e.Cfg.Clock.(*simulator.ManualClock)
	_, perRequest := e.Cfg.Clock.(*simulator.RequestClock)
	if !manual && !perRequest && e.Cfg.StepDuration >= 0 {
		t.Fatalf("addServer on the wall clock with StepDuration %s: the server's status would depend on how fast this machine is. "+
			"Use simulator.Config{StepDuration: -1} (delivered at once) or a ManualClock.", e.Cfg.StepDuration)
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
		req.SSHKey = []string{TestPublicKey}
	}
	s, err := e.Sim.AddServer(req)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ProviderConfig is the provider block for this simulator.
func (e *SimEnv) ProviderConfig() string {
	return fmt.Sprintf(`
provider "flexmetal" {
  base_url      = %q
  api_key       = %q
  poll_interval = %q
}
`, e.URL, simulator.DefaultAPIKey, Poll.String())
}

// PreCheck skips acceptance tests unless TF_ACC is set, as terraform-plugin-testing expects.
func PreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests need TF_ACC=1 (make test sets it)")
	}
}

// ErrorPattern compiles an ExpectError pattern in which each space matches any run of white
// space: Terraform wraps diagnostic text at its own line width.
func ErrorPattern(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`))
}

// ListIDPattern is what every list data source's id looks like.
var ListIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

const (
	TestPublicKey  = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHd0Fh2nE0hR9Gg5m6uR0nYBkSx0yZlFf3bXq1Xc0rQp test@example"
	TestPublicKey2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ3vVx0pYbqk5mG0aYlq2iE1q0b7cXh0sD7o1qkq9ZzA other@example"
	ServerAddr     = "flexmetal_server.test"
)

// ServerHCL renders a flexmetal_server with the usual test values; body lines override or add.
type ServerHCL struct {
	Name         string
	Location     string
	InstanceType string
	OS           string // the whole os = {...} value
	SSHKeys      string // the whole list expression
	Extra        string // more attribute lines
}

func (s ServerHCL) Render() string {
	if s.Location == "" {
		s.Location = "EU: Rotterdam"
	}
	if s.InstanceType == "" {
		s.InstanceType = "bm7.std.8"
	}
	if s.OS == "" {
		s.OS = `{ slug = "ubuntu-2404-lts" }`
	}
	if s.SSHKeys == "" {
		s.SSHKeys = fmt.Sprintf("[%q]", TestPublicKey)
	}
	return fmt.Sprintf(`
resource "flexmetal_server" "test" {
  name          = %[1]q
  location      = %[2]q
  instance_type = %[3]q
  os            = %[4]s
  ssh_keys      = %[5]s
%[6]s
}
`, s.Name, s.Location, s.InstanceType, s.OS, s.SSHKeys, s.Extra)
}

func (e *SimEnv) Config(parts ...string) string {
	return e.ProviderConfig() + strings.Join(parts, "\n")
}

// LiveServers returns the simulator's servers that still exist as far as billing goes.
func (e *SimEnv) LiveServers() []simulator.ServerSnapshot {
	var out []simulator.ServerSnapshot
	for _, s := range e.Sim.Servers() {
		if s.Status != "released" && s.Status != "releasing" {
			out = append(out, s)
		}
	}
	return out
}

// CheckAllReleased is a CheckDestroy asking the simulator: nothing may be left running.
func (e *SimEnv) CheckAllReleased(*terraform.State) error {
	for _, s := range e.Sim.Servers() {
		if s.Status != "released" {
			return fmt.Errorf("server %s (%s) is %q after destroy, want released", s.UUID, s.Name, s.Status)
		}
	}
	return nil
}

func SortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

const SSHKeyAddr = "flexmetal_ssh_key.test"

// SSHKeyResourceHCL renders a flexmetal_ssh_key; publicKey is an HCL expression.
func SSHKeyResourceHCL(name, publicKey string) string {
	return fmt.Sprintf(`
resource "flexmetal_ssh_key" "test" {
  name       = %[1]q
  public_key = %[2]s
}
`, name, publicKey)
}

// CaptureID stores a resource's id from state into *v.
func CaptureID(addr string, v *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		*v = rs.Primary.ID
		return nil
	}
}

// ClockStart is where manual simulator clocks start: a whole second, so RFC 3339 times in
// state are predictable.
var ClockStart = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// QueryTerraform skips tests of list resources (terraform query) and actions, which need
// Terraform 1.14 or later.
var QueryTerraform = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// IdentityTerraform skips tests of import blocks with identity and of identities in state, which
// need Terraform 1.12 or later.
var IdentityTerraform = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

// OnlyReads is a plan check (and, through check, a TestCheckFunc): the API has received nothing
// but GET requests since the step's PreConfig reset the simulator's record.
type OnlyReads struct{ Env *SimEnv }

func (c OnlyReads) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c.Check(nil)
}

func (c OnlyReads) Check(*terraform.State) error {
	for _, r := range c.Env.Sim.Requests() {
		if r.Method != "GET" {
			return fmt.Errorf("the API received a write: %s %s", r.Method, r.Path)
		}
	}
	return nil
}

// SeedServer orders a server in the simulator without HTTP, failing the test on error.
func SeedServer(t *testing.T, env *SimEnv, name string, tags ...string) simulator.ServerSnapshot {
	t.Helper()
	return env.AddServer(t, simulator.CreateServerRequest{Name: name, Tags: tags, SSHKey: []string{simulator.ExamplePublicKeyEd25519}})
}

// CheckNoSSHKeys is a CheckDestroy: the simulator holds no SSH key.
func CheckNoSSHKeys(e *SimEnv) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if keys := e.Sim.SSHKeys(); len(keys) != 0 {
			return fmt.Errorf("simulator still holds %d SSH keys after destroy: %+v", len(keys), keys)
		}
		return nil
	}
}
