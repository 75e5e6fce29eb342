package server

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// TestServerReinstallActionSchema: the action's os and ssh_keys are the resource's, so the
// resource's mapping reads them, and optional.
func TestServerReinstallActionSchema(t *testing.T) {
	ctx := context.Background()
	var resp action.SchemaResponse
	(&serverReinstallAction{}).Schema(ctx, action.SchemaRequest{}, &resp)
	failOn(t, resp.Diagnostics)
	failOn(t, resp.Schema.ValidateImplementation(ctx))
	osType, d := resp.Schema.TypeAtPath(ctx, path.Root("os"))
	failOn(t, d)
	if want := serverResourceSchema(ctx).Attributes["os"].GetType(); !osType.Equal(want) {
		t.Errorf("os type %v, want the resource's %v", osType, want)
	}
	for _, name := range []string{"os", "ssh_keys", "timeout"} {
		if a := resp.Schema.Attributes[name]; !a.IsOptional() || a.IsRequired() {
			t.Errorf("%s is not optional", name)
		}
	}
	if !resp.Schema.Attributes["server_id"].IsRequired() {
		t.Error("server_id is not required")
	}
}

func TestServerReinstallActionInstall(t *testing.T) {
	ctx := context.Background()
	srv := &flexmetal.Server{UUID: "019256ab-1554-73a7-b091-f024b0a724ea", Name: "web-1", OSSlug: "ubuntu-2404-lts"}

	keep := serverReinstallActionModel{OS: types.ObjectNull(serverOSAttrTypes()), SSHKeys: types.ListNull(types.StringType)}
	got, d := keep.toReinstallRequest(ctx, srv)
	failOn(t, d)
	if got.Name != "web-1" || got.OS.Slug != "ubuntu-2404-lts" || got.OS.KernelParams != nil || got.OS.Partitions != nil || got.SSHKeys == nil || len(got.SSHKeys) != 0 || got.PostInstallScript != "" {
		t.Errorf("without os and keys: %+v, want the server's name and OS, an empty key list and no script", got)
	}

	parts := []partitionModel{{Target: types.StringValue("/data"), Filesystem: types.StringValue("xfs"), Size: types.Int64Value(-1)}}
	other := serverReinstallActionModel{OS: osValue(t, "debian-12", nil, parts, types.StringNull()), SSHKeys: stringList(t, simulator.ExamplePublicKeyEd25519)}
	got, d = other.toReinstallRequest(ctx, srv)
	failOn(t, d)
	if got.Name != "web-1" || got.OS.Slug != "debian-12" || len(got.OS.Partitions) != 1 || got.OS.Partitions[0].Target != "/data" || !slices.Equal(got.SSHKeys, []string{simulator.ExamplePublicKeyEd25519}) {
		t.Errorf("with os and keys: %+v", got)
	}
	if s := other.osSlug(ctx); s.ValueString() != "debian-12" {
		t.Errorf("osSlug = %v", s)
	}
	if s := keep.osSlug(ctx); !s.IsNull() {
		t.Errorf("osSlug without os = %v, want null", s)
	}
}
