package account

import (
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

func TestNewQuotaModel(t *testing.T) {
	cases := []struct {
		name string
		in   flexmetal.Quota
		want quotaModel
	}{
		{"on-demand", flexmetal.Quota{Location: "EU: Rotterdam", InstanceType: "bm7.std.8", Type: flexmetal.QuotaTypeOnDemand, Quota: 5, Usage: 2},
			quotaModel{types.StringValue("EU: Rotterdam"), types.StringValue("bm7.std.8"), types.StringValue("onDemand"), types.StringNull(), types.Int64Value(5), types.Int64Value(2), types.Int64Value(3)}},
		{"commit", flexmetal.Quota{Location: "EU: Rotterdam", InstanceType: "bm7.std.8", Type: flexmetal.QuotaTypeCommit, ContractID: "C-1", Quota: 4, Usage: 4},
			quotaModel{types.StringValue("EU: Rotterdam"), types.StringValue("bm7.std.8"), types.StringValue("commit"), types.StringValue("C-1"), types.Int64Value(4), types.Int64Value(4), types.Int64Value(0)}},
		{"usage above a lowered quota", flexmetal.Quota{Location: "L", InstanceType: "T", Type: flexmetal.QuotaTypeOnDemand, Quota: 1, Usage: 3},
			quotaModel{types.StringValue("L"), types.StringValue("T"), types.StringValue("onDemand"), types.StringNull(), types.Int64Value(1), types.Int64Value(3), types.Int64Value(0)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := newQuotaModel(c.in); got != c.want {
				t.Errorf("newQuotaModel = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestQuotaModels_filtersAndSorts(t *testing.T) {
	q := func(loc, it, typ, contract string) flexmetal.Quota {
		return flexmetal.Quota{Location: loc, InstanceType: it, Type: typ, ContractID: contract}
	}
	in := []flexmetal.Quota{
		q("JP: Tokyo", "bm7.std.8", "onDemand", ""),
		q("EU: Rotterdam", "bm8.std.32", "onDemand", ""),
		q("EU: Rotterdam", "bm7.std.8", "commit", "B"),
		q("EU: Rotterdam", "bm7.std.8", "commit", "A"),
		q("EU: Rotterdam", "bm7.std.8", "onDemand", ""),
	}
	key := func(models []quotaModel) []string {
		out := []string{}
		for _, m := range models {
			out = append(out, m.Location.ValueString()+"|"+m.InstanceType.ValueString()+"|"+m.QuotaType.ValueString()+"|"+m.ContractID.ValueString())
		}
		return out
	}
	cases := []struct {
		name, location, instanceType string
		want                         []string
	}{
		{"no filter", "", "", []string{
			"EU: Rotterdam|bm7.std.8|onDemand|", "EU: Rotterdam|bm7.std.8|commit|A", "EU: Rotterdam|bm7.std.8|commit|B",
			"EU: Rotterdam|bm8.std.32|onDemand|", "JP: Tokyo|bm7.std.8|onDemand|"}},
		{"location", "JP: Tokyo", "", []string{"JP: Tokyo|bm7.std.8|onDemand|"}},
		{"instance type", "", "bm7.std.8", []string{
			"EU: Rotterdam|bm7.std.8|onDemand|", "EU: Rotterdam|bm7.std.8|commit|A", "EU: Rotterdam|bm7.std.8|commit|B", "JP: Tokyo|bm7.std.8|onDemand|"}},
		{"both", "EU: Rotterdam", "bm8.std.32", []string{"EU: Rotterdam|bm8.std.32|onDemand|"}},
		{"nothing matches", "US: Dallas - TX", "", []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			models, ids := quotaModels(in, c.location, c.instanceType)
			if got := key(models); !slices.Equal(got, c.want) {
				t.Errorf("quotas %q, want %q", got, c.want)
			}
			if len(ids) != len(c.want) || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
				t.Errorf("ids %q: want one distinct id per quota", ids)
			}
		})
	}
}

func TestCapacityCommitModels(t *testing.T) {
	c := func(loc, it string, capacity, inUse int64) flexmetal.CapacityCommit {
		return flexmetal.CapacityCommit{Location: flexmetal.Location{Name: loc}, InstanceType: flexmetal.InstanceType{Name: it}, Capacity: capacity, InUse: inUse}
	}
	in := []flexmetal.CapacityCommit{c("JP: Tokyo", "bm7.std.8", 2, 3), c("EU: Rotterdam", "bm8.std.32", 4, 1), c("EU: Rotterdam", "bm7.std.8", 6, 6)}
	models, ids := capacityCommitModels(in, "", "")
	want := []capacityCommitModel{
		{types.StringValue("EU: Rotterdam"), types.StringValue("bm7.std.8"), types.Int64Value(6), types.Int64Value(6), types.Int64Value(0)},
		{types.StringValue("EU: Rotterdam"), types.StringValue("bm8.std.32"), types.Int64Value(4), types.Int64Value(1), types.Int64Value(3)},
		{types.StringValue("JP: Tokyo"), types.StringValue("bm7.std.8"), types.Int64Value(2), types.Int64Value(3), types.Int64Value(0)},
	}
	if !slices.Equal(models, want) || len(ids) != 3 {
		t.Errorf("capacityCommitModels = %+v %q, want %+v", models, ids, want)
	}
	if models, _ := capacityCommitModels(in, "EU: Rotterdam", "bm8.std.32"); !slices.Equal(models, want[1:2]) {
		t.Errorf("filtered = %+v, want %+v", models, want[1:2])
	}
}

func TestTagModels_sortedWithoutCreationTags(t *testing.T) {
	in := []*flexmetal.Tag{{Name: "role:web", Servers: 2}, {Name: shared.CreationTagPrefix + "0a1b2c", Servers: 1}, {Name: "env:dev", Servers: 0}}
	models, ids := tagModels(in)
	want := []tagModel{
		{types.StringValue("env:dev"), types.Int64Value(0)},
		{types.StringValue("role:web"), types.Int64Value(2)},
	}
	if !slices.Equal(models, want) || !slices.Equal(ids, []string{"env:dev", "role:web"}) {
		t.Errorf("tagModels = %+v %q, want %+v", models, ids, want)
	}
}
