package server

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestReplacementNeedsQuota(t *testing.T) {
	base := serverModel{Location: types.StringValue("EU: Rotterdam"), InstanceType: types.StringValue("bm7.std.8"), ContractID: types.StringValue("A")}
	base.Status = types.StringValue("delivered")
	cases := []struct {
		name   string
		change func(plan, state *serverModel)
		want   bool
	}{
		{"same quota: the old server's is freed first", func(*serverModel, *serverModel) {}, false},
		{"other location", func(p, _ *serverModel) { p.Location = types.StringValue("JP: Tokyo") }, true},
		{"other instance type", func(p, _ *serverModel) { p.InstanceType = types.StringValue("bm8.std.32") }, true},
		{"other contract", func(p, _ *serverModel) { p.ContractID = types.StringValue("B") }, true},
		{"contract left to the API", func(p, _ *serverModel) { p.ContractID = types.StringUnknown() }, false},
		{"failed server holds no quota", func(_, s *serverModel) { s.Status = types.StringValue("failed") }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan, state := base, base
			c.change(&plan, &state)
			if got := replacementNeedsQuota(plan, state); got != c.want {
				t.Errorf("replacementNeedsQuota = %v, want %v", got, c.want)
			}
		})
	}
}
