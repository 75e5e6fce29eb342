package server

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestServerModelToReinstallRequest_writeOnlyScriptWins(t *testing.T) {
	ctx := context.Background()
	m := serverModel{
		Name:              types.StringValue("web-1"),
		OS:                osValue(t, "debian-12", nil, nil, types.StringNull()),
		SSHKeys:           types.ListNull(types.StringType),
		PostInstallScript: types.StringNull(),
	}
	got, diags := m.toReinstallRequest(ctx)
	failOn(t, diags)
	if got.PostInstallScript != "" {
		t.Errorf("without a script the request carries %q", got.PostInstallScript)
	}

	m.PostInstallScriptWO = types.StringValue("echo write-only")
	got, diags = m.toReinstallRequest(ctx)
	failOn(t, diags)
	if got.PostInstallScript != "echo write-only" {
		t.Errorf("PostInstallScript = %q, want the write-only script", got.PostInstallScript)
	}
	order, diags := m.toCreateRequest(ctx)
	failOn(t, diags)
	if order.PostInstallScript != "echo write-only" {
		t.Errorf("the order's PostInstallScript = %q, want the write-only script", order.PostInstallScript)
	}

	m.nullUnknowns()
	if !m.PostInstallScriptWO.IsNull() {
		t.Errorf("nullUnknowns kept the write-only script %v; the state must never hold it", m.PostInstallScriptWO)
	}
}

func TestServerInputRules_writeOnlyVersionReinstalls(t *testing.T) {
	effects := map[string]changeEffect{}
	unreported := map[string]bool{}
	for _, rule := range serverInputRules {
		effects[rule.path.String()] = rule.effect
		unreported[rule.path.String()] = rule.unreported
	}
	switch effect, ok := effects["post_install_script_wo_version"]; {
	case !ok:
		t.Error("post_install_script_wo_version is not in serverInputRules: bumping it would not reinstall")
	case effect != reinstalls || !unreported["post_install_script_wo_version"]:
		t.Errorf("post_install_script_wo_version: effect %v, unreported %v; want a reinstalling input the API does not report", effect, unreported["post_install_script_wo_version"])
	}
	if effect := effects["post_install_script_wo"]; effect != versioned {
		t.Errorf("post_install_script_wo: effect %v, want versioned: its plan and state are always null, and its version stands for it", effect)
	}
}
