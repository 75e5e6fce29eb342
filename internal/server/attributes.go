package server

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
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
	IPv4Address   types.String `tfsdk:"ipv4_address"`
	IPv6Address   types.String `tfsdk:"ipv6_address"`
	CreatedAt     types.String `tfsdk:"created_at"`
	DeliveredAt   types.String `tfsdk:"delivered_at"`
	ReleasedAt    types.String `tfsdk:"released_at"`
}

// serverReportedAttributes describes serverReportedModel's attributes for every schema.
var serverReportedAttributes = shared.ComputedAttributes{
	"id":             {Description: "The server's UUID."},
	"status":         {Description: "Delivery status: `delivered` once the server is ready; `failed` if delivery failed."},
	"status_message": {Description: "The API's message for the status, e.g. why a delivery failed."},
	"ip_addresses":   {Description: "IP addresses of the server, IPv4 and IPv6, as the API lists them; empty until its network is configured.", Kind: shared.StringListKind},
	"ip_address":     {Description: "The server's IPv4 address, the same as `ipv4_address` (kept for configurations written before it); null while there is none."},
	"ipv4_address":   {Description: "The server's IPv4 address: the first IPv4 address in `ip_addresses`; null while there is none."},
	"ipv6_address":   {Description: "The server's IPv6 address: the first IPv6 address in `ip_addresses`; null while there is none."},
	"created_at":     {Description: "When the server was ordered (RFC 3339)."},
	"delivered_at":   {Description: "When the server was delivered (RFC 3339), which is when billing starts; null until then."},
	"released_at":    {Description: "When the server was released (RFC 3339), which is when billing ends; null while the server is in use."},
}

// fromAPI sets every reported attribute from the API's server.
func (m *serverReportedModel) fromAPI(srv *flexmetal.Server) {
	m.ID = types.StringValue(srv.UUID)
	m.Status = types.StringValue(srv.Status)
	m.StatusMessage = types.StringValue(srv.StatusMessage)
	m.IPAddresses = shared.StringListValue(srv.IPAddresses)
	m.IPv4Address = shared.StringOrNull(srv.IPv4Address())
	m.IPv6Address = shared.StringOrNull(srv.IPv6Address())
	m.IPAddress = m.IPv4Address
	m.CreatedAt = shared.TimeValue(&srv.CreatedAt)
	m.DeliveredAt = shared.TimeValue(srv.DeliveredAt)
	m.ReleasedAt = shared.TimeValue(srv.ReleasedAt)
}
