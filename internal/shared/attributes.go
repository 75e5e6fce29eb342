package shared

import (
	"maps"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// AttributeKind is the Terraform type of a computed attribute.
type AttributeKind int

const (
	StringKind AttributeKind = iota
	StringListKind
	StringSetKind
	Int64Kind
	BoolKind
)

// ComputedAttribute is a computed attribute's definition, independent of the schema package
// that renders it, so a resource and a data source can show the same attribute from one line.
type ComputedAttribute struct {
	Description string
	Kind        AttributeKind
}

// ComputedAttributes maps attribute names to their definitions.
type ComputedAttributes map[string]ComputedAttribute

// Resource renders the attributes for a resource schema. Their values only change when the
// server does, so plans keep the prior state instead of showing "(known after apply)".
func (c ComputedAttributes) Resource() map[string]schema.Attribute {
	out := make(map[string]schema.Attribute, len(c))
	for name, a := range c {
		switch a.Kind {
		case StringListKind:
			out[name] = schema.ListAttribute{MarkdownDescription: a.Description, Computed: true, ElementType: types.StringType,
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()}}
		case StringSetKind:
			out[name] = schema.SetAttribute{MarkdownDescription: a.Description, Computed: true, ElementType: types.StringType,
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()}}
		case Int64Kind:
			out[name] = schema.Int64Attribute{MarkdownDescription: a.Description, Computed: true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}}
		case BoolKind:
			out[name] = schema.BoolAttribute{MarkdownDescription: a.Description, Computed: true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}}
		default:
			out[name] = schema.StringAttribute{MarkdownDescription: a.Description, Computed: true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
		}
	}
	return out
}

// DataSource renders the attributes for a data source schema.
func (c ComputedAttributes) DataSource() map[string]dschema.Attribute {
	out := make(map[string]dschema.Attribute, len(c))
	for name, a := range c {
		switch a.Kind {
		case StringListKind:
			out[name] = dschema.ListAttribute{MarkdownDescription: a.Description, Computed: true, ElementType: types.StringType}
		case StringSetKind:
			out[name] = dschema.SetAttribute{MarkdownDescription: a.Description, Computed: true, ElementType: types.StringType}
		case Int64Kind:
			out[name] = dschema.Int64Attribute{MarkdownDescription: a.Description, Computed: true}
		case BoolKind:
			out[name] = dschema.BoolAttribute{MarkdownDescription: a.Description, Computed: true}
		default:
			out[name] = dschema.StringAttribute{MarkdownDescription: a.Description, Computed: true}
		}
	}
	return out
}

// WithAttributes returns the union of attribute maps; a later map's entry wins.
func WithAttributes[A any](sets ...map[string]A) map[string]A {
	out := map[string]A{}
	for _, s := range sets {
		maps.Copy(out, s)
	}
	return out
}

// StringListValue is a list of strings; nil becomes an empty list, never null, so "none yet"
// reads the same everywhere.
func StringListValue(values []string) types.List {
	return types.ListValueMust(types.StringType, stringValues(values))
}

// StringSetValue is a set of strings; nil becomes an empty set.
func StringSetValue(values []string) types.Set {
	return types.SetValueMust(types.StringType, stringValues(values))
}

func stringValues(values []string) []attr.Value {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return elems
}

func TimeValue(t *time.Time) types.String {
	if t == nil || t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

func StringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
