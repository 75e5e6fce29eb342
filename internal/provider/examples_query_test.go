package provider_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"

	fwaction "github.com/hashicorp/terraform-plugin-framework/action"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/provider"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// TestExamples_coverListResourcesAndActions keeps examples/list-resources and examples/actions in
// step with the registered list resources and actions, as TestExamples_coverEveryType does for
// the other kinds: the docs generator takes each type's example from there.
func TestExamples_coverListResourcesAndActions(t *testing.T) {
	ctx := t.Context()
	examples := filepath.Join(examplesRepoRoot(t), "examples")
	p, ok := provider.New("test")().(interface {
		fwprovider.ProviderWithListResources
		fwprovider.ProviderWithActions
	})
	if !ok {
		t.Fatal("the provider registers no list resources or actions")
	}
	var lists, actions []string
	for _, newList := range p.ListResources(ctx) {
		var resp fwresource.MetadataResponse
		newList().Metadata(ctx, fwresource.MetadataRequest{ProviderTypeName: provider.TypeName}, &resp)
		lists = append(lists, resp.TypeName)
	}
	for _, newAction := range p.Actions(ctx) {
		var resp fwaction.MetadataResponse
		newAction().Metadata(ctx, fwaction.MetadataRequest{ProviderTypeName: provider.TypeName}, &resp)
		actions = append(actions, resp.TypeName)
	}
	for _, c := range []struct {
		kind, dir, file string
		types           []string
	}{
		{"list resource", "list-resources", "list-resource.tfquery.hcl", lists},
		{"action", "actions", "action.tf", actions},
	} {
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
}

// TestExamples_queryFilesFormattedAndValid runs `terraform fmt -check` and `terraform validate
// -query` on every list resource example (.tfquery.hcl), with a generated provider configuration
// beside it. Only Terraform 1.14 and later read query files.
func TestExamples_queryFilesFormattedAndValid(t *testing.T) {
	acctest.PreCheck(t)
	tf, err := tfrun.Binary()
	if err != nil {
		t.Fatalf("no terraform binary: %v", err)
	}
	ok, version, err := tfrun.SupportsQuery(tf)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Skipf("%s %s cannot read query files: they need Terraform 1.14 or later (make test-query)", filepath.Base(tf), version)
	}
	files, err := filepath.Glob(filepath.Join(examplesRepoRoot(t), "examples", "list-resources", "*", "*.tfquery.hcl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no list resource examples found (%v)", err)
	}
	providerDir, err := tfrun.BuildProvider(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name, _ := filepath.Rel(filepath.Join(examplesRepoRoot(t), "examples"), file)
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			work := t.TempDir()
			writeExampleFile(t, filepath.Join(work, filepath.Base(file)), string(data))
			writeExampleFile(t, filepath.Join(work, "zz_provider_for_validate.tf"), snippetProviderConfig)
			ws, err := tfrun.NewWorkspace(tf, work, providerDir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ws.Run(t.Context(), "fmt", "-check", "-diff", "-no-color"); err != nil {
				t.Errorf("%v\nrun terraform fmt (1.14 or later) on %s", err, name)
			}
			if _, err := ws.Run(t.Context(), "validate", "-query", "-no-color"); err != nil {
				t.Errorf("validate -query %s: %v", name, err)
			}
		})
	}
}

// TestExamples_importByIdentityValid validates each resource's import-by-identity.tf with the
// rest of its example in place of import-by-string-id.tf (both import the same resource). Import
// blocks by identity need Terraform or OpenTofu 1.12 or later.
func TestExamples_importByIdentityValid(t *testing.T) {
	acctest.PreCheck(t)
	tf, err := tfrun.Binary()
	if err != nil {
		t.Fatalf("no terraform binary: %v", err)
	}
	version, err := tfrun.Version(tf)
	if err != nil {
		t.Fatal(err)
	}
	if !tfrun.AtLeast(version, 1, 12) {
		t.Skipf("%s %s has no import blocks by identity: they need Terraform or OpenTofu 1.12 or later", filepath.Base(tf), version)
	}
	files, err := filepath.Glob(filepath.Join(examplesRepoRoot(t), "examples", "resources", "*", importByIdentityExample))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s examples found (%v)", importByIdentityExample, err)
	}
	providerDir, err := tfrun.BuildProvider(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		dir := filepath.Dir(file)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			copyExampleTFFiles(t, dir, work)
			if err := os.Remove(filepath.Join(work, "import-by-string-id.tf")); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			writeExampleFile(t, filepath.Join(work, importByIdentityExample), string(data))
			writeExampleFile(t, filepath.Join(work, "zz_provider_for_validate.tf"), snippetProviderConfig)
			ws, err := tfrun.NewWorkspace(tf, work, providerDir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ws.Run(t.Context(), "fmt", "-check", "-diff", "-no-color", importByIdentityExample); err != nil {
				t.Errorf("%v\nrun `make generate` to format %s", err, file)
			}
			if _, err := ws.Run(t.Context(), "validate", "-no-color"); err != nil {
				t.Errorf("validate %s: %v", file, err)
			}
		})
	}
}
