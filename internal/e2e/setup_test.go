package e2e

import (
	"os"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// setup skips unless TF_ACC is set (these tests run terraform) and returns the terraform binary
// and the directory holding the provider built from this repository.
func setup(t *testing.T) (tf, providerDir string) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs terraform: set TF_ACC=1 (make test does)")
	}
	tf, err := tfrun.Binary()
	if err != nil {
		t.Fatalf("no terraform binary: %v", err)
	}
	providerDir, err = tfrun.BuildProvider()
	if err != nil {
		t.Fatal(err)
	}
	return tf, providerDir
}
