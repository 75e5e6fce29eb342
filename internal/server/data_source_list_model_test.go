package server

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

func TestNewServerListItemModel(t *testing.T) {
	ctx := context.Background()
	created := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	delivered := created.Add(10 * time.Minute)
	released := created.Add(time.Hour)
	stringList := func(v ...string) types.List {
		l, _ := types.ListValueFrom(ctx, types.StringType, append([]string{}, v...))
		return l
	}
	stringSet := func(v ...string) types.Set {
		s, _ := types.SetValueFrom(ctx, types.StringType, append([]string{}, v...))
		return s
	}
	// The element type comes from the data source's schema, as the framework derives it.
	var schemaResp datasource.SchemaResponse
	(&serversDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &schemaResp)
	listType, _ := schemaResp.Schema.Attributes["servers"].GetType().(types.ListType)
	itemType, _ := listType.ElemType.(types.ObjectType)
	cases := []struct {
		name string
		in   flexmetal.Server
		want serverListItemModel
	}{
		{
			name: "delivered",
			in: flexmetal.Server{
				UUID: "s-1", Name: "web-1", Status: "delivered", StatusMessage: "OK", Location: "EU: Rotterdam", InstanceType: "bm7.std.8",
				OSSlug: "ubuntu-2404-lts", IPAddresses: []string{"2001:db8::10", "192.0.2.10"}, Tags: []string{"role:web", shared.CreationTagPrefix + "abc", "env:prod"},
				CreatedAt: created, DeliveredAt: &delivered, ContractID: "POOL-1",
			},
			want: serverListItemModel{
				serverReportedModel: serverReportedModel{
					ID: types.StringValue("s-1"), Status: types.StringValue("delivered"), StatusMessage: types.StringValue("OK"),
					IPAddresses: stringList("2001:db8::10", "192.0.2.10"), IPAddress: types.StringValue("192.0.2.10"),
					IPv4Address: types.StringValue("192.0.2.10"), IPv6Address: types.StringValue("2001:db8::10"),
					CreatedAt: types.StringValue("2025-03-04T05:06:07Z"), DeliveredAt: types.StringValue("2025-03-04T05:16:07Z"), ReleasedAt: types.StringNull(),
				},
				Name: types.StringValue("web-1"), Location: types.StringValue("EU: Rotterdam"), InstanceType: types.StringValue("bm7.std.8"), OSSlug: types.StringValue("ubuntu-2404-lts"),
				Tags: stringSet("env:prod", "role:web"), ContractID: types.StringValue("POOL-1"),
			},
		},
		{
			name: "new server with nothing yet",
			in:   flexmetal.Server{UUID: "s-2", Name: "new", Status: "created", CreatedAt: created},
			want: serverListItemModel{
				serverReportedModel: serverReportedModel{
					ID: types.StringValue("s-2"), Status: types.StringValue("created"), StatusMessage: types.StringValue(""),
					IPAddresses: stringList(), IPAddress: types.StringNull(), IPv4Address: types.StringNull(), IPv6Address: types.StringNull(),
					CreatedAt: types.StringValue("2025-03-04T05:06:07Z"), DeliveredAt: types.StringNull(), ReleasedAt: types.StringNull(),
				},
				Name: types.StringValue("new"), Location: types.StringNull(), InstanceType: types.StringNull(), OSSlug: types.StringNull(),
				Tags: stringSet(), ContractID: types.StringNull(),
			},
		},
		{
			name: "released",
			in: flexmetal.Server{UUID: "s-3", Name: "old", Status: "released", StatusMessage: "OK", Location: "JP: Tokyo", InstanceType: "bm8.std.32",
				OSSlug: "debian-12", IPAddresses: []string{}, Tags: []string{shared.CreationTagPrefix + "only"}, CreatedAt: created, DeliveredAt: &delivered, ReleasedAt: &released},
			want: serverListItemModel{
				serverReportedModel: serverReportedModel{
					ID: types.StringValue("s-3"), Status: types.StringValue("released"), StatusMessage: types.StringValue("OK"),
					IPAddresses: stringList(), IPAddress: types.StringNull(), IPv4Address: types.StringNull(), IPv6Address: types.StringNull(),
					CreatedAt: types.StringValue("2025-03-04T05:06:07Z"), DeliveredAt: types.StringValue("2025-03-04T05:16:07Z"), ReleasedAt: types.StringValue("2025-03-04T06:06:07Z"),
				},
				Name: types.StringValue("old"), Location: types.StringValue("JP: Tokyo"), InstanceType: types.StringValue("bm8.std.32"), OSSlug: types.StringValue("debian-12"),
				Tags: stringSet(), ContractID: types.StringNull(),
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := newServerListItemModel(&c.in)
			gotObj, d1 := types.ObjectValueFrom(ctx, itemType.AttrTypes, got)
			wantObj, d2 := types.ObjectValueFrom(ctx, itemType.AttrTypes, c.want)
			if d1.HasError() || d2.HasError() {
				t.Fatal(d1, d2)
			}
			if !gotObj.Equal(wantObj) {
				t.Errorf("newServerListItemModel =\n%s\nwant\n%s", gotObj, wantObj)
			}
		})
	}
}

func TestServerListItemsSortsByCreatedThenID(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	servers := []*flexmetal.Server{
		{UUID: "c", Name: "late", CreatedAt: t0.Add(time.Minute)},
		{UUID: "b", Name: "early-b", CreatedAt: t0},
		{UUID: "a", Name: "early-a", CreatedAt: t0},
	}
	models, ids := serverListItems(servers)
	var names []string
	for _, m := range models {
		names = append(names, m.Name.ValueString())
	}
	if !slices.Equal(names, []string{"early-a", "early-b", "late"}) || !slices.Equal(ids, []string{"a", "b", "c"}) {
		t.Errorf("names %q ids %q, want early-a, early-b, late", names, ids)
	}
	if servers[0].UUID != "c" {
		t.Error("serverListItems reordered the caller's slice")
	}
}
