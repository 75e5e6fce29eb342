package provider

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	fwdatasource "github.com/hashicorp/terraform-plugin-framework/datasource"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
)

// exampleDir is one directory of examples/ holding Terraform configuration.
type exampleDir struct {
	name string // path relative to examples/, e.g. "resources/flexmetal_server"
	path string
	// snippet is true for resource and data source examples: the docs show them without a
	// terraform block, so they are validated together with a generated provider configuration.
	snippet bool
}

// snippetProviderConfig turns a snippet into a complete configuration. The file name sorts last
// so Terraform reports errors against the example's own line numbers.
const snippetProviderConfig = `terraform {
  required_providers {
    flexmetal = {
      source = "flexmetal/flexmetal"
    }
  }
}

provider "flexmetal" {}
`

// TestExamples_formattedAndValid runs `terraform fmt -check` and `terraform validate` on every
// example, against the provider built from this repository through dev_overrides (so without
// `terraform init`, which dev_overrides does not need and which would try the registry).
// Validation runs the provider's own schema and validators, so an example that drifts from the
// schema fails here before it reaches the generated docs.
func TestExamples_formattedAndValid(t *testing.T) {
	accPreCheck(t)
	root := examplesRepoRoot(t)
	tf := examplesTerraformCLI(t)
	cliConfig := examplesCLIConfig(t, root, examplesProviderHost(t, tf))

	for _, dir := range exampleDirs(t, filepath.Join(root, "examples")) {
		t.Run(dir.name, func(t *testing.T) {
			t.Parallel()
			content := exampleTFContents(t, dir.path)
			declares := strings.Contains(content, "required_providers")
			switch {
			case dir.snippet && declares:
				t.Errorf("%s declares required_providers; resource and data source examples are snippets and must not (the docs show them under the provider's own example)", dir.name)
			case !dir.snippet && !declares:
				t.Errorf("%s is a complete configuration but does not declare required_providers { flexmetal = { source = \"flexmetal/flexmetal\" } }", dir.name)
			}

			if out, err := runExamplesTF(t, tf, cliConfig, dir.path, "fmt", "-check", "-diff", "-no-color"); err != nil {
				t.Errorf("terraform fmt -check %s: %v; run `make generate` (or terraform fmt -recursive examples/):\n%s", dir.name, err, out)
			}

			work := t.TempDir()
			copyExampleTFFiles(t, dir.path, work)
			if dir.snippet {
				writeExampleFile(t, filepath.Join(work, "zz_provider_for_validate.tf"), snippetProviderConfig)
			}
			if out, err := runExamplesTF(t, tf, cliConfig, work, "validate", "-no-color"); err != nil {
				t.Errorf("terraform validate %s: %v\n%s", dir.name, err, out)
			}
		})
	}
}

// TestExamples_coverEveryType keeps examples/ and the provider's registered types in step: the
// docs generator silently omits the example of a type that has none, and an example directory
// named after no type is never rendered.
func TestExamples_coverEveryType(t *testing.T) {
	ctx := t.Context()
	examples := filepath.Join(examplesRepoRoot(t), "examples")
	p := New("test", "")()

	var resources, dataSources []string
	for _, newResource := range p.Resources(ctx) {
		var resp fwresource.MetadataResponse
		newResource().Metadata(ctx, fwresource.MetadataRequest{ProviderTypeName: TypeName}, &resp)
		resources = append(resources, resp.TypeName)
	}
	for _, newDataSource := range p.DataSources(ctx) {
		var resp fwdatasource.MetadataResponse
		newDataSource().Metadata(ctx, fwdatasource.MetadataRequest{ProviderTypeName: TypeName}, &resp)
		dataSources = append(dataSources, resp.TypeName)
	}

	cases := []struct {
		kind, dir, file string
		types           []string
	}{
		{"resource", "resources", "resource.tf", resources},
		{"data source", "data-sources", "data-source.tf", dataSources},
	}
	for _, c := range cases {
		for _, typ := range c.types {
			if _, err := os.Stat(filepath.Join(examples, c.dir, typ, c.file)); err != nil {
				t.Errorf("%s %s has no example: add examples/%s/%s/%s", c.kind, typ, c.dir, typ, c.file)
			}
		}
		entries, err := os.ReadDir(filepath.Join(examples, c.dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() && !slices.Contains(c.types, e.Name()) {
				t.Errorf("examples/%s/%s names no registered %s; rename or remove it", c.dir, e.Name(), c.kind)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(examples, "provider", "provider.tf")); err != nil {
		t.Errorf("the provider has no example: add examples/provider/provider.tf")
	}
}

// exampleDirs lists every directory under examples/ with .tf files, in a stable order.
func exampleDirs(t *testing.T, examples string) []exampleDir {
	t.Helper()
	var dirs []exampleDir
	err := filepath.WalkDir(examples, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".terraform" || (strings.HasPrefix(d.Name(), ".") && path != examples)) {
			return filepath.SkipDir
		}
		if d.IsDir() || filepath.Ext(path) != ".tf" {
			return nil
		}
		rel, err := filepath.Rel(examples, filepath.Dir(path))
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if len(dirs) > 0 && dirs[len(dirs)-1].name == rel {
			return nil
		}
		top, _, _ := strings.Cut(rel, "/")
		dirs = append(dirs, exampleDir{
			name:    rel,
			path:    filepath.Dir(path),
			snippet: top == "resources" || top == "data-sources",
		})
		return nil
	})
	if err != nil {
		t.Fatalf("listing examples: %v", err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no examples found under %s", examples)
	}
	return dirs
}

// examplesRepoRoot is the module root: tests run in the package directory.
func examplesRepoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	return root
}

// examplesTerraformCLI is the binary the acceptance tests use: TF_ACC_TERRAFORM_PATH, else terraform on
// PATH.
func examplesTerraformCLI(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatalf("terraform not found on PATH and TF_ACC_TERRAFORM_PATH is unset: %v", err)
	}
	return p
}

// examplesProviderHost is the registry host that "flexmetal/flexmetal" resolves to for this CLI, which
// the dev_overrides key must name: registry.opentofu.org for OpenTofu.
func examplesProviderHost(t *testing.T, tf string) string {
	t.Helper()
	if h := os.Getenv("TF_ACC_PROVIDER_HOST"); h != "" {
		return h
	}
	out, err := exec.CommandContext(t.Context(), tf, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v\n%s", tf, err, out)
	}
	if bytes.HasPrefix(out, []byte("OpenTofu")) {
		return "registry.opentofu.org"
	}
	return "registry.terraform.io"
}

// examplesCLIConfig builds the provider into a temporary directory and returns a CLI
// configuration that makes Terraform use it for flexmetal/flexmetal.
func examplesCLIConfig(t *testing.T, root, host string) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", filepath.Join(bin, "terraform-provider-flexmetal"), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "terraformrc")
	writeExampleFile(t, cfg, fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, host+"/flexmetal/flexmetal", bin))
	return cfg
}

// runExamplesTF runs the CLI in dir with the given CLI configuration and returns its combined output.
func runExamplesTF(t *testing.T, tf, cliConfig, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), tf, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"TF_DATA_DIR="+filepath.Join(t.TempDir(), "data"),
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
	)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func exampleTFFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func exampleTFContents(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, f := range exampleTFFiles(t, dir) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

func copyExampleTFFiles(t *testing.T, from, to string) {
	t.Helper()
	for _, f := range exampleTFFiles(t, from) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeExampleFile(t, filepath.Join(to, filepath.Base(f)), string(data))
	}
}

func writeExampleFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
