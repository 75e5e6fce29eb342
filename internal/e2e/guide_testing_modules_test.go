package e2e

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// TestGuide_testingModules runs docs/guides/testing-modules.md on a copy of
// examples/modules/web-tier whose main.tf and suites are the guide's blocks: Terraform uses the
// provider through the guide's dev_overrides CLI configuration, the guide's commands install the
// modules and run the suite against the simulator and the mocked suite (without endpoint or key),
// and the script of "Failed Deliveries" runs as it is, with bash.
func TestGuide_testingModules(t *testing.T) {
	g := readGuide(t, "testing-modules")
	mainTF := g.hcl(t, `resource "flexmetal_server" "web"`)
	simSuite := g.hcl(t, `run "setup"`)
	mockSuite := g.hcl(t, `mock_provider "flexmetal"`)
	cliConfig := g.hcl(t, "dev_overrides")
	runSuite := g.shell(t, "terraform test -filter=tests/simulator.tftest.hcl")
	runMock := g.shell(t, "terraform test -filter=tests/mock.tftest.hcl")
	failedDelivery := g.shell(t, "fail-delivery")
	g.requireAllClaimed(t)
	tf, providerDir := setup(t)

	sim := simulator.New(simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	url, stop := sim.Start()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	dir := t.TempDir()
	copyModule(t, filepath.Join("..", "..", "examples", "modules", "web-tier"), dir)
	writeFiles(t, dir, map[string]string{
		"main.tf":                    mainTF,
		"tests/simulator.tftest.hcl": simSuite,
		"tests/mock.tftest.hcl":      mockSuite,
	})
	ws, err := tfrun.NewWorkspace(tf, dir, providerDir)
	if err != nil {
		t.Fatal(err)
	}
	// The guide's CLI configuration, with this provider's directory.
	override := regexp.MustCompile(`"registry\.terraform\.io/flexmetal/flexmetal" = "[^"]*"`)
	if !override.MatchString(cliConfig) {
		t.Fatalf("the guide's CLI configuration has no dev_overrides entry for registry.terraform.io/flexmetal/flexmetal:\n%s", cliConfig)
	}
	rc := filepath.Join(t.TempDir(), "flexmetal-dev.tfrc")
	entry := `"` + tfrun.RegistryHost(tf) + "/" + tfrun.ProviderAddress + `" = "` + providerDir + `"`
	writeFiles(t, filepath.Dir(rc), map[string]string{filepath.Base(rc): override.ReplaceAllLiteralString(cliConfig, entry)})
	// The mocked suite runs without an endpoint or a key.
	ws.Env = append(withoutEnv(ws.Env, "FLEXMETAL_BASE_URL", "FLEXMETAL_API_KEY"), "TF_CLI_CONFIG_FILE="+rc)
	offline := ws.Env

	// Without terraform get, as the guide warns, even the mocked suite fails.
	mockArgs := append(guideCommands(t, runMock)[0], "-no-color")
	if out, err := ws.Run(ctx, mockArgs...); err == nil || !strings.Contains(out, "Provider type mismatch") {
		t.Errorf("the mocked suite did not fail with Provider type mismatch before terraform get: %v\n%s", err, out)
	}

	// Running a Suite: the guide's exports, with the simulator's address.
	for line := range strings.SplitSeq(runSuite, "\n") {
		if kv, ok := strings.CutPrefix(line, "export "); ok {
			ws.Env = append(ws.Env, strings.Replace(kv, "http://127.0.0.1:PORT", url, 1))
		}
	}
	for _, args := range guideCommands(t, runSuite) {
		out, err := ws.Run(ctx, append(args, "-no-color")...)
		if err != nil {
			t.Fatal(err)
		}
		if args[0] == "test" {
			t.Logf("%s", lastLine(out))
		}
	}
	if live := live(sim); len(live) != 0 {
		t.Errorf("the suite left %d servers behind", len(live))
	}

	apiEnv := ws.Env
	ws.Env = offline
	out, err := ws.Run(ctx, mockArgs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", lastLine(out))

	// Failed Deliveries: the script, with terraform on PATH.
	bin := t.TempDir()
	if err := os.Symlink(tf, filepath.Join(bin, "terraform")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", failedDelivery)
	cmd.Dir = dir
	cmd.Env = append(withoutEnv(apiEnv, "PATH"), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the script of Failed Deliveries failed: %v\n%s", err, out)
	}
	var failed []simulator.ServerSnapshot
	for _, s := range sim.Servers() {
		if strings.Contains(s.Name, "fail-delivery") {
			failed = append(failed, s)
		}
	}
	if len(failed) != 1 || failed[0].DeliveredAt != nil {
		t.Errorf("the script ordered %+v, want one server that failed to deliver", failed)
	}
	if live := live(sim); len(live) != 0 {
		t.Errorf("the script left %d servers behind", len(live))
	}
	if keys := sim.SSHKeys(); len(keys) != 0 {
		t.Errorf("the script left %d SSH keys behind", len(keys))
	}
}

// copyModule copies a module's files, not what terraform left in it.
func copyModule(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && d.Name() == ".terraform":
			return filepath.SkipDir
		case d.IsDir() || strings.HasPrefix(d.Name(), "terraform.tfstate") || d.Name() == ".terraform.lock.hcl":
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		writeFiles(t, to, map[string]string{filepath.ToSlash(rel): string(data)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// withoutEnv returns env without the given variables.
func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, n := range names {
			keep = keep && name != n
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}

// lastLine is the last non-empty line of out, such as terraform test's summary.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}
