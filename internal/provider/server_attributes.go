package provider

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

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// serverReportedModel is what the API reports about a server and nobody configures. The
// flexmetal_server resource and every server that a data source or list lists embed it, so a
// new reported field costs one line here, one in serverReportedAttributes and one in fromAPI.
type serverReportedModel struct {
	ID            types.String `tfsdk:"id"`
	Status        types.String `tfsdk:"status"`
	StatusMessage types.String `tfsdk:"status_message"`
	IPAddresses   types.List   `tfsdk:"ip_addresses"`
	IPAddress     types.String `tfsdk:"ip_address"`
	CreatedAt     types.String `tfsdk:"created_at"`
	DeliveredAt   types.String `tfsdk:"delivered_at"`
	ReleasedAt    types.String `tfsdk:"released_at"`
}

// serverReportedAttributes describes serverReportedModel's attributes for every schema.
var serverReportedAttributes = computedAttributes{
	"id":             {description: "The server's UUID."},
	"status":         {description: "Delivery status: `delivered` once the server is ready; `failed` if delivery failed."},
	"status_message": {description: "The API's message for the status, e.g. why a delivery failed."},
	"ip_addresses":   {description: "IP addresses of the server; empty until its network is configured.", kind: stringListKind},
	"ip_address":     {description: "The first of `ip_addresses`; null while there is none."},
	"created_at":     {description: "When the server was ordered (RFC 3339)."},
	"delivered_at":   {description: "When the server was delivered (RFC 3339), which is when billing starts; null until then."},
	"released_at":    {description: "When the server was released (RFC 3339), which is when billing ends; null while the server is in use."},
}

// fromAPI sets every reported attribute from the API's server.
func (m *serverReportedModel) fromAPI(srv *flexmetal.Server) {
	m.ID = types.StringValue(srv.UUID)
	m.Status = types.StringValue(srv.Status)
	m.StatusMessage = types.StringValue(srv.StatusMessage)
	m.IPAddresses = stringListValue(srv.IPAddresses)
	m.IPAddress = types.StringNull()
	if len(srv.IPAddresses) > 0 {
		m.IPAddress = types.StringValue(srv.IPAddresses[0])
	}
	m.CreatedAt = timeValue(&srv.CreatedAt)
	m.DeliveredAt = timeValue(srv.DeliveredAt)
	m.ReleasedAt = timeValue(srv.ReleasedAt)
}

// attributeKind is the Terraform type of a computed attribute.
type attributeKind int

const (
	stringKind attributeKind = iota
	stringListKind
	stringSetKind
	int64Kind
	boolKind
)

// computedAttribute is a computed attribute's definition, independent of the schema package
// that renders it, so a resource and a data source can show the same attribute from one line.
type computedAttribute struct {
	description string
	kind        attributeKind
}

// computedAttributes maps attribute names to their definitions.
type computedAttributes map[string]computedAttribute

// resource renders the attributes for a resource schema. Their values only change when the
// server does, so plans keep the prior state instead of showing "(known after apply)".
func (c computedAttributes) resource() map[string]schema.Attribute {
	out := make(map[string]schema.Attribute, len(c))
	for name, a := range c {
		switch a.kind {
		case stringListKind:
			out[name] = schema.ListAttribute{MarkdownDescription: a.description, Computed: true, ElementType: types.StringType,
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()}}
		case stringSetKind:
			out[name] = schema.SetAttribute{MarkdownDescription: a.description, Computed: true, ElementType: types.StringType,
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()}}
		case int64Kind:
			out[name] = schema.Int64Attribute{MarkdownDescription: a.description, Computed: true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}}
		case boolKind:
			out[name] = schema.BoolAttribute{MarkdownDescription: a.description, Computed: true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}}
		default:
			out[name] = schema.StringAttribute{MarkdownDescription: a.description, Computed: true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
		}
	}
	return out
}

// dataSource renders the attributes for a data source schema.
func (c computedAttributes) dataSource() map[string]dschema.Attribute {
	out := make(map[string]dschema.Attribute, len(c))
	for name, a := range c {
		switch a.kind {
		case stringListKind:
			out[name] = dschema.ListAttribute{MarkdownDescription: a.description, Computed: true, ElementType: types.StringType}
		case stringSetKind:
			out[name] = dschema.SetAttribute{MarkdownDescription: a.description, Computed: true, ElementType: types.StringType}
		case int64Kind:
			out[name] = dschema.Int64Attribute{MarkdownDescription: a.description, Computed: true}
		case boolKind:
			out[name] = dschema.BoolAttribute{MarkdownDescription: a.description, Computed: true}
		default:
			out[name] = dschema.StringAttribute{MarkdownDescription: a.description, Computed: true}
		}
	}
	return out
}

// withAttributes returns the union of attribute maps; a later map's entry wins.
func withAttributes[A any](sets ...map[string]A) map[string]A {
	out := map[string]A{}
	for _, s := range sets {
		maps.Copy(out, s)
	}
	return out
}

// stringListValue is a list of strings; nil becomes an empty list, never null, so "none yet"
// reads the same everywhere.
func stringListValue(values []string) types.List {
	return types.ListValueMust(types.StringType, stringValues(values))
}

// stringSetValue is a set of strings; nil becomes an empty set.
func stringSetValue(values []string) types.Set {
	return types.SetValueMust(types.StringType, stringValues(values))
}

func stringValues(values []string) []attr.Value {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return elems
}

func timeValue(t *time.Time) types.String {
	if t == nil || t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
