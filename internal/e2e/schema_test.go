package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// TestSchema_builtProviderLoadsUnderDevOverrides checks that terraform loads the provider binary
// through a dev_overrides CLI configuration (no init, no registry) and reports its schema.
func TestSchema_builtProviderLoadsUnderDevOverrides(t *testing.T) {
	tf, providerDir := setup(t)
	ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteConfig(`
terraform {
  required_providers {
    flexmetal = { source = "flexmetal/flexmetal" }
  }
}
`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := ws.Command(ctx, "providers", "schema", "-json").Output()
	if err != nil {
		t.Fatalf("providers schema -json: %v", err)
	}
	var doc struct {
		ProviderSchemas map[string]struct {
			Provider struct {
				Block struct {
					Attributes map[string]struct {
						Optional  bool `json:"optional"`
						Sensitive bool `json:"sensitive"`
					} `json:"attributes"`
				} `json:"block"`
			} `json:"provider"`
			ResourceSchemas   map[string]json.RawMessage `json:"resource_schemas"`
			DataSourceSchemas map[string]json.RawMessage `json:"data_source_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("decoding the schema: %v", err)
	}
	var found bool
	for addr, s := range doc.ProviderSchemas {
		if addr != "registry.terraform.io/flexmetal/flexmetal" && addr != "registry.opentofu.org/flexmetal/flexmetal" {
			continue
		}
		found = true
		attrs := s.Provider.Block.Attributes
		for _, name := range []string{"api_key", "base_url", "poll_interval"} {
			if a, ok := attrs[name]; !ok || !a.Optional {
				t.Errorf("provider attribute %s missing or not optional: %+v", name, a)
			}
		}
		if !attrs["api_key"].Sensitive {
			t.Errorf("api_key is not sensitive")
		}
		for _, r := range []string{"flexmetal_server", "flexmetal_ssh_key"} {
			if _, ok := s.ResourceSchemas[r]; !ok {
				t.Errorf("resource %s missing from the schema", r)
			}
		}
		for _, d := range []string{"flexmetal_locations", "flexmetal_instance_types", "flexmetal_operating_systems", "flexmetal_ssh_keys", "flexmetal_ssh_key", "flexmetal_servers"} {
			if _, ok := s.DataSourceSchemas[d]; !ok {
				t.Errorf("data source %s missing from the schema", d)
			}
		}
	}
	if !found {
		t.Fatalf("the flexmetal provider is not in the schema output: %s", out)
	}
}
