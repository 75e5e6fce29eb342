package server

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// guardServer is a server's values for ModifyPlan: what the tests below vary.
type guardServer struct {
	name, location, slug      string
	allowReinstall, protected bool
	failed                    bool
	tags                      []string
}

// raw builds a flexmetal_server object with these values; every other attribute is null.
func (g guardServer) raw(t *testing.T) tftypes.Value {
	t.Helper()
	ctx := context.Background()
	s := serverResourceSchema(ctx)
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	osTypes := serverOSAttrTypes()
	osValue := types.ObjectValueMust(osTypes, map[string]attr.Value{
		"slug":            types.StringValue(g.slug),
		"kernel_params":   nullList(osTypes["kernel_params"]),
		"partitions":      nullList(osTypes["partitions"]),
		"ipxe_script_url": types.StringNull(),
	})
	var diags diag.Diagnostics
	for p, v := range map[string]any{
		"id": "0192aaaa-0000-7000-8000-000000000001", "status": map[bool]string{false: "delivered", true: "failed"}[g.failed], "name": g.name,
		"location": g.location, "instance_type": "bm7.std.8", "os": osValue,
		"allow_reinstall": g.allowReinstall, "deletion_protection": g.protected,
	} {
		diags.Append(state.SetAttribute(ctx, path.Root(p), v)...)
	}
	if g.tags != nil {
		diags.Append(state.SetAttribute(ctx, path.Root("tags"), g.tags)...)
	}
	if diags.HasError() {
		t.Fatal(diags)
	}
	return state.Raw
}

var guardBase = guardServer{name: "web-1", location: "EU: Rotterdam", slug: "ubuntu-2404-lts"}

// modifyPlan runs ModifyPlan from state to plan (nil: destroy), the configuration being the plan.
func modifyPlan(t *testing.T, state guardServer, plan *guardServer) *resource.ModifyPlanResponse {
	t.Helper()
	ctx := context.Background()
	s := serverResourceSchema(ctx)
	planRaw := tftypes.NewValue(s.Type().TerraformType(ctx), nil)
	if plan != nil {
		planRaw = plan.raw(t)
	}
	req := resource.ModifyPlanRequest{
		State:  tfsdk.State{Schema: s, Raw: state.raw(t)},
		Plan:   tfsdk.Plan{Schema: s, Raw: planRaw},
		Config: tfsdk.Config{Schema: s, Raw: planRaw},
	}
	resp := &resource.ModifyPlanResponse{Plan: req.Plan}
	(&serverResource{}).ModifyPlan(ctx, req, resp)
	return resp
}

func TestModifyPlan_guardRails(t *testing.T) {
	with := func(f func(*guardServer)) *guardServer {
		g := guardBase
		f(&g)
		return &g
	}
	cases := []struct {
		name         string
		state        guardServer
		plan         *guardServer
		wantReplace  []string
		wantWarning  string // summary and a phrase of the detail; "" for no warning
		wantError    string // phrase of the detail; "" for no error
		wantNoChange bool   // the planned status stays known (no reinstall)
	}{
		{
			name:        "an erasing change replaces by default, with a warning naming allow_reinstall",
			state:       guardBase,
			plan:        with(func(g *guardServer) { g.slug = "debian-12" }),
			wantReplace: []string{"os.slug"},
			wantWarning: "Server Will Be Replaced|because os.slug changed|Setting allow_reinstall = true would instead reinstall this server in place, keeping it and its IP addresses",
		},
		{
			name:        "allow_reinstall = true reinstalls in place",
			state:       *with(func(g *guardServer) { g.allowReinstall = true }),
			plan:        with(func(g *guardServer) { g.allowReinstall = true; g.name = "web-2" }),
			wantWarning: `Server "web-1" Will Be Reinstalled|because name changed`,
		},
		{
			name:        "a change that replaces anyway has no allow_reinstall warning",
			state:       guardBase,
			plan:        with(func(g *guardServer) { g.slug = "debian-12"; g.location = "US: Dallas - TX" }),
			wantReplace: []string{"location", "os.slug"},
		},
		{
			name:        "a failed server is replaced without the allow_reinstall warning",
			state:       *with(func(g *guardServer) { g.failed = true }),
			plan:        with(func(g *guardServer) { g.failed = true; g.slug = "debian-12" }),
			wantReplace: []string{"status", "os.slug"},
		},
		{
			name:      "protection refuses a replacement for an erasing change",
			state:     *with(func(g *guardServer) { g.protected = true }),
			plan:      with(func(g *guardServer) { g.protected = true; g.slug = "debian-12" }),
			wantError: "This plan replaces server 0192aaaa-0000-7000-8000-000000000001 (web-1) because os.slug changed, but the server has deletion_protection = true. To go ahead, first set deletion_protection = false and apply that on its own",
		},
		{
			name:      "protection refuses a reinstall",
			state:     *with(func(g *guardServer) { g.protected = true; g.allowReinstall = true }),
			plan:      with(func(g *guardServer) { g.protected = true; g.allowReinstall = true; g.name = "web-2" }),
			wantError: "This plan reinstalls server 0192aaaa-0000-7000-8000-000000000001 (web-1) because name changed, but the server has deletion_protection = true",
		},
		{
			name:      "protection refuses a replacement for location",
			state:     *with(func(g *guardServer) { g.protected = true }),
			plan:      with(func(g *guardServer) { g.protected = true; g.location = "US: Dallas - TX" }),
			wantError: "replaces server 0192aaaa-0000-7000-8000-000000000001 (web-1) because location changed",
		},
		{
			name:      "protection in the state counts even when the same plan turns it off",
			state:     *with(func(g *guardServer) { g.protected = true }),
			plan:      with(func(g *guardServer) { g.slug = "debian-12" }),
			wantError: "replaces server",
		},
		{
			name:         "protection allows tag changes",
			state:        *with(func(g *guardServer) { g.protected = true }),
			plan:         with(func(g *guardServer) { g.protected = true; g.tags = []string{"env:prod"} }),
			wantNoChange: true,
		},
		{
			name:         "turning protection off is allowed",
			state:        *with(func(g *guardServer) { g.protected = true }),
			plan:         &guardBase,
			wantNoChange: true,
		},
		{
			name:      "protection refuses a destroy",
			state:     *with(func(g *guardServer) { g.protected = true }),
			wantError: "This plan destroys server 0192aaaa-0000-7000-8000-000000000001 (web-1), but the server has deletion_protection = true",
		},
		{
			name:  "an unprotected server may be destroyed",
			state: guardBase,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := modifyPlan(t, c.state, c.plan)
			var replace []string
			for _, p := range resp.RequiresReplace {
				replace = append(replace, p.String())
			}
			if c.wantError == "" && strings.Join(replace, ",") != strings.Join(c.wantReplace, ",") {
				t.Errorf("RequiresReplace = %v, want %v", replace, c.wantReplace)
			}
			errs := resp.Diagnostics.Errors()
			switch {
			case c.wantError == "" && len(errs) > 0:
				t.Errorf("errors: %v", errs)
			case c.wantError != "" && (len(errs) != 1 || errs[0].Summary() != "Server Is Protected From Deletion" || !strings.Contains(errs[0].Detail(), c.wantError)):
				t.Errorf("errors = %v, want one Server Is Protected From Deletion saying %q", errs, c.wantError)
			case c.wantError != "" && c.plan != nil:
				if d, ok := errs[0].(diag.DiagnosticWithPath); !ok || !d.Path().Equal(path.Root("deletion_protection")) {
					t.Errorf("error %v does not point at deletion_protection", errs[0])
				}
			}
			warnings := resp.Diagnostics.Warnings()
			if c.wantWarning == "" {
				if c.wantError == "" && len(warnings) > 0 {
					t.Errorf("warnings: %v", warnings)
				}
			} else {
				parts := strings.Split(c.wantWarning, "|")
				if len(warnings) != 1 || warnings[0].Summary() != parts[0] {
					t.Fatalf("warnings = %v, want one %q", warnings, parts[0])
				}
				for _, phrase := range parts[1:] {
					if !strings.Contains(warnings[0].Detail(), phrase) {
						t.Errorf("warning %q does not say %q", warnings[0].Detail(), phrase)
					}
				}
			}
			if c.wantNoChange && c.plan != nil {
				var status types.String
				resp.Diagnostics.Append(resp.Plan.GetAttribute(context.Background(), path.Root("status"), &status)...)
				if status.IsUnknown() {
					t.Error("status planned unknown: the server would be reinstalled")
				}
			}
		})
	}
}
