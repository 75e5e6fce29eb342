package server

import (
	"cmp"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// serverListItemModel is one listed server: what the API reports, plus the inputs that the
// flexmetal_server resource takes from its configuration, as the API reports them.
type serverListItemModel struct {
	serverReportedModel
	Name         types.String `tfsdk:"name"`
	Location     types.String `tfsdk:"location"`
	InstanceType types.String `tfsdk:"instance_type"`
	OSSlug       types.String `tfsdk:"os_slug"`
	Tags         types.Set    `tfsdk:"tags"`
	ContractID   types.String `tfsdk:"contract_id"`
}

// serverListItemAttributes describes serverListItemModel's own attributes; serverReportedAttributes
// adds the rest.
var serverListItemAttributes = shared.ComputedAttributes{
	"name":          {Description: "Host name of the server."},
	"location":      {Description: "Name of the server's location, e.g. `EU: Rotterdam`."},
	"instance_type": {Description: "Name of the server's instance type, e.g. `bm7.std.8`."},
	"os_slug":       {Description: "Slug of the installed operating system, e.g. `ubuntu-2404-lts`."},
	"tags":          {Description: "The server's tags.", Kind: shared.StringSetKind},
	"contract_id":   {Description: "Contract the server was ordered from; null when the API reports none."},
}

// newServerListItemModel maps one listed server. The provider's one-time creation tag is hidden,
// as in the flexmetal_server resource.
func newServerListItemModel(srv *flexmetal.Server) serverListItemModel {
	m := serverListItemModel{
		Name:         types.StringValue(srv.Name),
		Location:     shared.StringOrNull(srv.Location),
		InstanceType: shared.StringOrNull(srv.InstanceType),
		OSSlug:       shared.StringOrNull(srv.OSSlug),
		Tags:         shared.StringSetValue(shared.VisibleTags(srv.Tags)),
		ContractID:   shared.StringOrNull(srv.ContractID),
	}
	m.fromAPI(srv)
	return m
}

// serverListItems maps listed servers, oldest first (ties by id) so the output does not depend
// on paging, and returns their ids.
func serverListItems(servers []*flexmetal.Server) ([]serverListItemModel, []string) {
	return shared.SortedItems(servers, compareServers, func(s *flexmetal.Server) string { return s.UUID }, newServerListItemModel)
}

// compareServers orders servers oldest first, ties by id, so that lists do not depend on paging.
func compareServers(a, b *flexmetal.Server) int {
	return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.UUID, b.UUID))
}
