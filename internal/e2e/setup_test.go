package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// providerDir holds the provider built once for the package's tests; TestMain removes it.
var providerDir string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if os.Getenv("TF_ACC") != "" {
		dir, err := os.MkdirTemp("", "flexmetal-e2e-provider-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		if providerDir, err = tfrun.BuildProvider(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

// setup skips unless TF_ACC is set (these tests run terraform) and returns the terraform binary
// and the directory holding the provider built from this repository.
func setup(t *testing.T) (tf, dir string) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs terraform: set TF_ACC=1 (make test does)")
	}
	tf, err := tfrun.Binary()
	if err != nil {
		t.Fatalf("no terraform binary: %v", err)
	}
	return tf, providerDir
}
