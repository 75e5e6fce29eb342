package server

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// configurableInputs lists the paths of the inputs a configuration can set: top-level attributes
// that are required or optional, and, inside a single nested attribute, its own inputs (os.slug,
// os.partitions, ...) rather than the object.
func configurableInputs(attrs map[string]schema.Attribute, parent path.Path) []string {
	var out []string
	for name, a := range attrs {
		p := parent.AtName(name)
		if parent.Equal(path.Empty()) {
			p = path.Root(name)
		}
		if nested, ok := a.(schema.SingleNestedAttribute); ok && name != "timeouts" {
			out = append(out, configurableInputs(nested.Attributes, p)...)
			continue
		}
		if a.IsRequired() || a.IsOptional() {
			out = append(out, p.String())
		}
	}
	slices.Sort(out)
	return out
}

// TestServerInputRules_coverEveryConfigurableAttribute: an input without a rule would be saved
// to state and never sent to the API; a rule without an input decides nothing.
func TestServerInputRules_coverEveryConfigurableAttribute(t *testing.T) {
	inputs := configurableInputs(serverResourceSchema(context.Background()).Attributes, path.Empty())
	var ruled []string
	for _, rule := range serverInputRules {
		ruled = append(ruled, rule.path.String())
	}
	slices.Sort(ruled)
	for _, in := range inputs {
		if _, found := slices.BinarySearch(ruled, in); !found {
			t.Errorf("%s can be configured but has no rule in serverInputRules: say whether a change replaces, reinstalls or updates in place", in)
		}
	}
	for _, r := range ruled {
		if _, found := slices.BinarySearch(inputs, r); !found {
			t.Errorf("serverInputRules has a rule for %s, which is no configurable attribute of flexmetal_server", r)
		}
	}
	if len(inputs) < 10 {
		t.Fatalf("only %d configurable inputs found (%v): the schema walk is broken", len(inputs), inputs)
	}
}
