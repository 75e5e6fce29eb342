package provider_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/provider"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
	fwdatasource "github.com/hashicorp/terraform-plugin-framework/datasource"
	fwephemeral "github.com/hashicorp/terraform-plugin-framework/ephemeral"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
)

// exampleDir is one directory of examples/ holding Terraform configuration.
type exampleDir struct {
	name string // path relative to examples/, e.g. "resources/flexmetal_server"
	path string
	// snippet is true for resource, data source and ephemeral resource examples: the docs show
	// them without a terraform block, so they are validated together with a generated provider
	// configuration.
	snippet bool
	// actions is true for action examples, snippets too, which Terraform before 1.14 cannot
	// validate.
	actions bool
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
	acctest.PreCheck(t)
	root := examplesRepoRoot(t)
	tf, err := tfrun.Binary()
	if err != nil {
		t.Fatalf("no terraform binary: %v", err)
	}
	providerDir, err := tfrun.BuildProvider(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hasActions, version, err := tfrun.SupportsQuery(tf)
	if err != nil {
		t.Fatal(err)
	}

	for _, dir := range exampleDirs(t, filepath.Join(root, "examples")) {
		t.Run(dir.name, func(t *testing.T) {
			if dir.actions && !hasActions {
				t.Skipf("%s %s cannot validate actions: they need Terraform 1.14 or later (make test-query)", filepath.Base(tf), version)
			}
			t.Parallel()
			content := exampleTFContents(t, dir.path)
			declares := strings.Contains(content, "required_providers")
			switch {
			case dir.snippet && declares:
				t.Errorf("%s declares required_providers; resource, data source and ephemeral resource examples are snippets and must not (the docs show them under the provider's own example)", dir.name)
			case !dir.snippet && !declares:
				t.Errorf("%s is a complete configuration but does not declare required_providers { flexmetal = { source = \"flexmetal/flexmetal\" } }", dir.name)
			}

			// A copy, so that nothing the CLI writes lands in examples/.
			work := t.TempDir()
			copyExampleTFFiles(t, dir.path, work)
			ws, err := tfrun.NewWorkspace(tf, work, providerDir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ws.Run(t.Context(), "fmt", "-check", "-diff", "-no-color"); err != nil {
				t.Errorf("%v\nrun `make generate` (or terraform fmt -recursive examples/) to format %s", err, dir.name)
			}
			if dir.snippet {
				writeExampleFile(t, filepath.Join(work, "zz_provider_for_validate.tf"), snippetProviderConfig)
			}
			if _, err := ws.Run(t.Context(), "validate", "-no-color"); err != nil {
				t.Errorf("validate %s: %v", dir.name, err)
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
	p := provider.New("test")()

	var resources, dataSources, ephemeralResources []string
	for _, newResource := range p.Resources(ctx) {
		var resp fwresource.MetadataResponse
		newResource().Metadata(ctx, fwresource.MetadataRequest{ProviderTypeName: provider.TypeName}, &resp)
		resources = append(resources, resp.TypeName)
	}
	for _, newDataSource := range p.DataSources(ctx) {
		var resp fwdatasource.MetadataResponse
		newDataSource().Metadata(ctx, fwdatasource.MetadataRequest{ProviderTypeName: provider.TypeName}, &resp)
		dataSources = append(dataSources, resp.TypeName)
	}
	withEphemeral, ok := p.(fwprovider.ProviderWithEphemeralResources)
	if !ok {
		t.Fatalf("%T registers no ephemeral resources", p)
	}
	for _, newEphemeral := range withEphemeral.EphemeralResources(ctx) {
		var resp fwephemeral.MetadataResponse
		newEphemeral().Metadata(ctx, fwephemeral.MetadataRequest{ProviderTypeName: provider.TypeName}, &resp)
		ephemeralResources = append(ephemeralResources, resp.TypeName)
	}

	cases := []struct {
		kind, dir, file string
		types           []string
	}{
		{"resource", "resources", "resource.tf", resources},
		{"data source", "data-sources", "data-source.tf", dataSources},
		{"ephemeral resource", "ephemeral-resources", "ephemeral-resource.tf", ephemeralResources},
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
	seen := map[string]bool{}
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
		// A directory's .tf files need not be listed together (tests/ sorts between them).
		if seen[rel] {
			return nil
		}
		seen[rel] = true
		top, _, _ := strings.Cut(rel, "/")
		dirs = append(dirs, exampleDir{
			name:    rel,
			path:    filepath.Dir(path),
			snippet: top == "resources" || top == "data-sources" || top == "ephemeral-resources" || top == "actions",
			actions: top == "actions",
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

// importByIdentityExample is the docs' import block by identity: it imports the same resource as
// import-by-string-id.tf, so TestExamples_importByIdentityValid validates it on its own.
const importByIdentityExample = "import-by-identity.tf"

// exampleTFFiles lists a directory's .tf files, without importByIdentityExample.
func exampleTFFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(files, func(f string) bool { return filepath.Base(f) == importByIdentityExample })
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
