package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
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
// reported values, allow_reinstall at its default, and null for what the API never reports, so
// configuration generated from it plans no change.
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
	failOn(t, setImportedServer(ctx, out, srv))
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
	case !m.AllowReinstall.ValueBool():
		t.Error("allow_reinstall is not its default, true")
	case !m.SSHKeys.IsNull() || !m.PostInstallScript.IsNull() || !m.Overflow.IsNull() || !m.Timeouts.IsNull():
		t.Errorf("unreported inputs are not null: %+v", m)
	case m.ContractID.ValueString() != "C-1" || m.IPAddress.ValueString() != "192.0.2.10" || m.Status.ValueString() != "delivered":
		t.Errorf("reported values not mapped: %+v", m)
	}
}

// TestListResultsLimit: a query's limit is honored, and each result has identity and display name.
func TestListResultsLimit(t *testing.T) {
	ctx := context.Background()
	var r sshKeyResource
	var idResp fwresource.IdentitySchemaResponse
	r.IdentitySchema(ctx, fwresource.IdentitySchemaRequest{}, &idResp)
	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	req := list.ListRequest{Limit: 2, IncludeResource: true, ResourceSchema: schemaResp.Schema, ResourceIdentitySchema: idResp.IdentitySchema}
	keys := []*flexmetal.SSHKey{
		{UUID: "a", Name: "one", PublicKey: testPublicKey},
		{UUID: "b", Name: "two", PublicKey: testPublicKey2},
		{UUID: "c", Name: "three", PublicKey: testPublicKey},
	}
	var got []string
	for result := range shared.QueryResults(ctx, req, keys, func(k *flexmetal.SSHKey) string { return k.UUID }, sshKeyDisplayName, setImportedSSHKey) {
		failOn(t, result.Diagnostics)
		var id, name types.String
		failOn(t, result.Identity.GetAttribute(ctx, shared.IdentityIDPath, &id))
		failOn(t, result.Resource.GetAttribute(ctx, path.Root("name"), &name))
		got = append(got, id.ValueString()+" "+name.ValueString()+" "+result.DisplayName)
	}
	if want := []string{"a one one (ssh-ed25519)", "b two two (ssh-ed25519)"}; !slices.Equal(got, want) {
		t.Errorf("results %q, want %q", got, want)
	}
}

// queryTerraform skips tests of list resources (terraform query) and actions, which need
// Terraform 1.14 or later.
var queryTerraform = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// seedServer adds a server to the simulator as if ordered outside Terraform.
func (e *simEnv) seedServer(t *testing.T, name, location string, tags ...string) simulator.ServerSnapshot {
	t.Helper()
	return e.addServer(t, simulator.CreateServerRequest{Name: name, Location: location, Tags: tags})
}

// serverListHCL is a list "flexmetal_server" block; config is the body of its config block.
func serverListHCL(name, config string, includeResource bool) string {
	return fmt.Sprintf(`
list "flexmetal_server" %q {
  provider         = flexmetal
  include_resource = %t
  config {
%s
  }
}
`, name, includeResource, config)
}

// TestAccServerList_query lists servers that Terraform does not manage, through each filter,
// across several pages of the API's list.
func TestAccServerList_query(t *testing.T) {
	env := newSimEnv(t, simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	web1 := env.seedServer(t, "web-1", simulator.LocationRotterdam, "role:web", "env:prod")
	web2 := env.seedServer(t, "web-2", simulator.LocationMontreuil, "role:web")
	db := env.seedServer(t, "db-1", simulator.LocationRotterdam, "role:db")
	gone := env.seedServer(t, "gone-1", simulator.LocationRotterdam, "role:web")
	if err := env.sim.ReleaseServer(gone.UUID); err != nil {
		t.Fatal(err)
	}
	failed := env.seedServer(t, "fail-delivery-1", simulator.LocationRotterdam)
	// More servers than the API returns in one page (flexmetal.PageSize).
	for i := range flexmetal.PageSize {
		env.seedServer(t, fmt.Sprintf("batch-%d", i), simulator.LocationMontreuil, "batch")
	}
	id := func(s simulator.ServerSnapshot) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{"id": knownvalue.StringExact(s.UUID)}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		TerraformVersionChecks:   queryTerraform,
		Steps: []resource.TestStep{
			{Config: env.config()},
			{
				PreConfig: env.sim.ResetRequests,
				Query:     true,
				// The query file goes beside the previous step's configuration, which configures
				// the provider.
				Config: serverListHCL("all", "", false) +
					serverListHCL("web", `    tags = ["role:web"]`, false) +
					serverListHCL("rotterdam", `    location = "EU: Rotterdam"`, false) +
					serverListHCL("failed_or_released", `    status = ["failed", "released"]`, false) +
					serverListHCL("db", `    tags = ["role:db"]`, true),
				QueryResultChecks: []querycheck.QueryResultCheck{
					// Released servers are left out unless asked for.
					querycheck.ExpectLength("flexmetal_server.all", 4+flexmetal.PageSize),
					querycheck.ExpectLength("flexmetal_server.web", 2),
					querycheck.ExpectIdentity("flexmetal_server.web", id(web1)),
					querycheck.ExpectIdentity("flexmetal_server.web", id(web2)),
					querycheck.ExpectResourceDisplayName("flexmetal_server.web", queryfilter.ByResourceIdentity(id(web1)), knownvalue.StringExact("web-1 (EU: Rotterdam, delivered)")),
					querycheck.ExpectLength("flexmetal_server.rotterdam", 3),
					querycheck.ExpectIdentity("flexmetal_server.rotterdam", id(db)),
					querycheck.ExpectIdentity("flexmetal_server.rotterdam", id(failed)),
					querycheck.ExpectLength("flexmetal_server.failed_or_released", 2),
					querycheck.ExpectIdentity("flexmetal_server.failed_or_released", id(gone)),
					querycheck.ExpectResourceKnownValues("flexmetal_server.db", queryfilter.ByResourceIdentity(id(db)), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("db-1")},
						{Path: tfjsonpath.New("os").AtMapKey("slug"), KnownValue: knownvalue.StringExact("ubuntu-2404-lts")},
						{Path: tfjsonpath.New("tags"), KnownValue: knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("role:db")})},
						{Path: tfjsonpath.New("allow_reinstall"), KnownValue: knownvalue.Bool(true)},
						{Path: tfjsonpath.New("ssh_keys"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("status"), KnownValue: knownvalue.StringExact("delivered")},
					}),
				},
			},
		},
	})
	paged := false
	for _, r := range env.sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("a query wrote to the API: %s %s", r.Method, r.Path)
		}
		paged = paged || strings.HasPrefix(r.RangedData, fmt.Sprintf("start=%d,", flexmetal.PageSize))
	}
	if !paged {
		t.Error("no list request asked for the second page")
	}
}

func TestAccServerList_unknownLocation(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		TerraformVersionChecks:   queryTerraform,
		Steps: []resource.TestStep{
			{Config: env.config()},
			{
				Query:       true,
				Config:      serverListHCL("typo", `    location = "EU: Roterdam"`, false),
				ExpectError: errorPattern(`(?s)Unknown FlexMetal Location.*"EU: Roterdam" does not exist.*EU: Rotterdam`),
			},
		},
	})
}
