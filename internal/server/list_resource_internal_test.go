package server

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestServerListFilterMatches(t *testing.T) {
	rotterdam := &flexmetal.Server{Status: flexmetal.StatusDelivered, LocationID: 6, Location: "EU: Rotterdam"}
	cases := []struct {
		name   string
		filter serverListFilter
		srv    *flexmetal.Server
		want   bool
	}{
		{"no filter lists delivered", serverListFilter{}, rotterdam, true},
		{"no filter lists failed", serverListFilter{}, &flexmetal.Server{Status: flexmetal.StatusFailed}, true},
		{"no filter hides releasing", serverListFilter{}, &flexmetal.Server{Status: flexmetal.StatusReleasing}, false},
		{"no filter hides released", serverListFilter{}, &flexmetal.Server{Status: flexmetal.StatusReleased}, false},
		{"released when asked for", serverListFilter{statuses: []string{flexmetal.StatusReleased}}, &flexmetal.Server{Status: flexmetal.StatusReleased}, true},
		{"status not asked for", serverListFilter{statuses: []string{flexmetal.StatusFailed, flexmetal.StatusReleased}}, rotterdam, false},
		{"location by id", serverListFilter{locationID: 6, location: "EU: Rotterdam"}, rotterdam, true},
		{"other location", serverListFilter{locationID: 7, location: "EU: Montreuil 1"}, rotterdam, false},
		{"location by name without id", serverListFilter{locationID: 6, location: "EU: Rotterdam"}, &flexmetal.Server{Status: flexmetal.StatusDelivered, Location: "EU: Rotterdam"}, true},
	}
	for _, c := range cases {
		if got := c.filter.matches(c.srv); got != c.want {
			t.Errorf("%s: matches = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestServerListConfigFilter(t *testing.T) {
	ctx := context.Background()
	one := serverListConfigModel{Status: stringList(t, "failed", "failed"), Tags: stringList(t, "role:web", "env:prod", "role:web")}
	f, d := one.filter(ctx, nil)
	failOn(t, d)
	if f.opts.Status != "failed" || !slices.Equal(f.opts.Tags, []string{"env:prod", "role:web"}) {
		t.Errorf("one status and tags: API options %+v, want status failed and the tags sorted, once each", f.opts)
	}
	two := serverListConfigModel{Status: stringList(t, "failed", "delivered"), Tags: types.ListNull(types.StringType)}
	f, d = two.filter(ctx, nil)
	failOn(t, d)
	if f.opts.Status != "" || !slices.Equal(f.statuses, []string{"delivered", "failed"}) {
		t.Errorf("two statuses: API status %q and statuses %v, want none sent and both checked", f.opts.Status, f.statuses)
	}
}

func TestServerDisplayName(t *testing.T) {
	got := serverDisplayName(&flexmetal.Server{Name: "web-1", Location: "EU: Rotterdam", Status: "delivered"})
	if want := "web-1 (EU: Rotterdam, delivered)"; got != want {
		t.Errorf("display name %q, want %q", got, want)
	}
	if got := serverDisplayName(&flexmetal.Server{Name: "web-2", Status: "failed"}); got != "web-2 (failed)" {
		t.Errorf("display name without location %q", got)
	}
}

// TestSetImportedServer: a listed server's resource object is what an import and read give:
// reported values, allow_reinstall and deletion_protection at their defaults, and null for what
// the API never reports, so configuration generated from it plans no change.
func TestSetImportedServer(t *testing.T) {
	ctx := context.Background()
	s := serverResourceSchema(ctx)
	out := &tfsdk.Resource{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	created := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	srv := &flexmetal.Server{
		UUID: "019256ab-1554-73a7-b091-f024b0a724ea", Name: "web-1", Status: "delivered", Location: "EU: Rotterdam",
		InstanceType: "bm7.std.8", OSSlug: "ubuntu-2404-lts", IPAddresses: []string{"192.0.2.10"},
		Tags: []string{"role:web", shared.CreationTagPrefix + "abc"}, CreatedAt: created, DeliveredAt: &created, ContractID: "C-1",
	}
	failOn(t, setImportedServer(ctx, out, srv, shared.TagConventions{}))
	var m serverModel
	failOn(t, out.Get(ctx, &m))
	osm, ok, d := m.os(ctx)
	failOn(t, d)
	switch {
	case m.ID.ValueString() != srv.UUID || m.Name.ValueString() != "web-1" || m.Location.ValueString() != "EU: Rotterdam" || m.InstanceType.ValueString() != "bm7.std.8":
		t.Errorf("reported inputs not mapped: %+v", m)
	case !ok || osm.Slug.ValueString() != "ubuntu-2404-lts" || !osm.KernelParams.IsNull() || !osm.Partitions.IsNull() || !osm.IPXEScriptURL.IsNull():
		t.Errorf("os = %+v, want the slug only", osm)
	case !m.Tags.Equal(stringSet(t, "role:web")):
		t.Errorf("tags = %v, want the creation tag hidden", m.Tags)
	case m.AllowReinstall.IsNull() || m.AllowReinstall.ValueBool():
		t.Error("allow_reinstall is not its default, false")
	case m.DeletionProtection.IsNull() || m.DeletionProtection.ValueBool():
		t.Error("deletion_protection is not its default, false")
	case !m.SSHKeys.IsNull() || !m.PostInstallScript.IsNull() || !m.Overflow.IsNull() || !m.Timeouts.IsNull():
		t.Errorf("unreported inputs are not null: %+v", m)
	case m.ContractID.ValueString() != "C-1" || m.IPAddress.ValueString() != "192.0.2.10" || m.Status.ValueString() != "delivered":
		t.Errorf("reported values not mapped: %+v", m)
	}
}

func TestServerListFilter_unrecorded(t *testing.T) {
	yes, no := true, false
	orphan := &flexmetal.Server{Status: "delivered", Tags: []string{shared.CreationTagPrefix + "ab", "x"}}
	recorded := &flexmetal.Server{Status: "delivered", Tags: []string{"x"}}
	for _, c := range []struct {
		name                 string
		unrecorded           *bool
		wantOrphan, wantMine bool
	}{
		{"unset", nil, true, true},
		{"true", &yes, true, false},
		{"false", &no, false, true},
	} {
		f := serverListFilter{unrecorded: c.unrecorded}
		if f.matches(orphan) != c.wantOrphan || f.matches(recorded) != c.wantMine {
			t.Errorf("%s: matches(unrecorded) = %v, matches(recorded) = %v; want %v, %v", c.name, f.matches(orphan), f.matches(recorded), c.wantOrphan, c.wantMine)
		}
	}
}
