package live_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/live"
)

// TestMain runs the live tests, or the sweepers with -sweep (resource.TestMain), after the gate:
// a sweep without FLEXMETAL_LIVE=1 exits 1 before any request; tests without it skip (so
// `go test ./...` stays free), and `make testacc-live` refuses to start them at all. A run that
// passes the gate prints where it goes and what it orders before its first request.
func TestMain(m *testing.M) {
	flag.Parse()
	sweeping := flag.Lookup("sweep").Value.String() != ""
	if sweeping {
		if !live.Enabled() {
			fmt.Fprintln(os.Stderr, live.Refusal("sweep"))
			os.Exit(1)
		}
		settings, err := live.SettingsFromEnv()
		if err != nil {
			fmt.Fprintf(os.Stderr, "sweep: refusing to start: %v\n", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "sweep: against %s: releasing servers and deleting SSH keys and tags whose name starts with %q, nothing else\n", settings.BaseURL, live.Prefix)
		resource.TestMain(m)
		return
	}
	if live.Enabled() && os.Getenv(resource.EnvTfAcc) != "" {
		settings, err := live.SettingsFromEnv()
		if err != nil {
			fmt.Fprintf(os.Stderr, "live tests: refusing to start: %v\n", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "live tests: against %s: ordering %d server (%s) and creating SSH keys and tags, all named %s*; each test destroys what it made (`make sweep` cleans up after an interrupted run)\n",
			settings.BaseURL, live.Servers, settings.Order(), live.Prefix)
	}
	os.Exit(runWithEmptyCLIConfig(m))
}

// runWithEmptyCLIConfig runs the tests with Terraform pointed at an empty CLI configuration: a
// developer's ~/.terraformrc (dev_overrides, mirrors) must not change what a live run installs or
// talks to, and the machine's TF_CLI_CONFIG_FILE may name a missing file.
func runWithEmptyCLIConfig(m *testing.M) int {
	dir, err := os.MkdirTemp("", "flexmetal-live-tfcli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	cfg := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cfg)
	return m.Run()
}
