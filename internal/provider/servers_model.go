package provider

import (
	"cmp"
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// serverListItemModel is one element of flexmetal_servers.servers: the computed attributes of
// the flexmetal_server resource, plus os_slug for the resource's os.slug.
type serverListItemModel struct {
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	Status        types.String `tfsdk:"status"`
	StatusMessage types.String `tfsdk:"status_message"`
	Location      types.String `tfsdk:"location"`
	InstanceType  types.String `tfsdk:"instance_type"`
	OSSlug        types.String `tfsdk:"os_slug"`
	IPAddresses   types.List   `tfsdk:"ip_addresses"`
	IPAddress     types.String `tfsdk:"ip_address"`
	Tags          types.Set    `tfsdk:"tags"`
	ContractID    types.String `tfsdk:"contract_id"`
	CreatedAt     types.String `tfsdk:"created_at"`
	DeliveredAt   types.String `tfsdk:"delivered_at"`
	ReleasedAt    types.String `tfsdk:"released_at"`
}

var serverListItemAttrTypes = map[string]attr.Type{
	"id":             types.StringType,
	"name":           types.StringType,
	"status":         types.StringType,
	"status_message": types.StringType,
	"location":       types.StringType,
	"instance_type":  types.StringType,
	"os_slug":        types.StringType,
	"ip_addresses":   types.ListType{ElemType: types.StringType},
	"ip_address":     types.StringType,
	"tags":           types.SetType{ElemType: types.StringType},
	"contract_id":    types.StringType,
	"created_at":     types.StringType,
	"delivered_at":   types.StringType,
	"released_at":    types.StringType,
}

// newServerListItemModel maps one listed server. The provider's one-time creation tag is hidden,
// as in the flexmetal_server resource.
func newServerListItemModel(ctx context.Context, srv *flexmetal.Server) (serverListItemModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	ips := srv.IPAddresses
	if ips == nil {
		ips = []string{}
	}
	ipList, d := types.ListValueFrom(ctx, types.StringType, ips)
	diags.Append(d...)
	tags, d := types.SetValueFrom(ctx, types.StringType, visibleTags(srv.Tags))
	diags.Append(d...)
	m := serverListItemModel{
		ID:            types.StringValue(srv.UUID),
		Name:          types.StringValue(srv.Name),
		Status:        types.StringValue(srv.Status),
		StatusMessage: types.StringValue(srv.StatusMessage),
		Location:      stringOrNull(srv.Location),
		InstanceType:  stringOrNull(srv.InstanceType),
		OSSlug:        stringOrNull(srv.OSSlug),
		IPAddresses:   ipList,
		IPAddress:     types.StringNull(),
		Tags:          tags,
		ContractID:    stringOrNull(srv.ContractID),
		CreatedAt:     timeValue(&srv.CreatedAt),
		DeliveredAt:   timeValue(srv.DeliveredAt),
		ReleasedAt:    timeValue(srv.ReleasedAt),
	}
	if len(ips) > 0 {
		m.IPAddress = types.StringValue(ips[0])
	}
	return m, diags
}

// serversValue maps listed servers to the list attribute, oldest first (ties by id) so the
// output does not depend on paging. It also returns the ids the data source's id is built from.
func serversValue(ctx context.Context, servers []*flexmetal.Server) (types.List, []string, diag.Diagnostics) {
	var diags diag.Diagnostics
	sorted := slices.SortedFunc(slices.Values(servers), func(a, b *flexmetal.Server) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.UUID, b.UUID))
	})
	models := make([]serverListItemModel, len(sorted))
	ids := make([]string, len(sorted))
	for i, srv := range sorted {
		m, d := newServerListItemModel(ctx, srv)
		diags.Append(d...)
		models[i] = m
		ids[i] = srv.UUID
	}
	list, d := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: serverListItemAttrTypes}, models)
	diags.Append(d...)
	return list, ids, diags
}
