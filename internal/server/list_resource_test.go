package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// acctest.SeedServer adds a server to the simulator as if ordered outside Terraform.
func seedServerAt(e *acctest.SimEnv, t *testing.T, name, location string, tags ...string) simulator.ServerSnapshot {
	t.Helper()
	return e.AddServer(t, simulator.CreateServerRequest{Name: name, Location: location, Tags: tags})
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
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	web1 := seedServerAt(env, t, "web-1", simulator.LocationRotterdam, "role:web", "env:prod")
	web2 := seedServerAt(env, t, "web-2", simulator.LocationMontreuil, "role:web")
	db := seedServerAt(env, t, "db-1", simulator.LocationRotterdam, "role:db")
	gone := seedServerAt(env, t, "gone-1", simulator.LocationRotterdam, "role:web")
	if err := env.Sim.ReleaseServer(gone.UUID); err != nil {
		t.Fatal(err)
	}
	failed := seedServerAt(env, t, "fail-delivery-1", simulator.LocationRotterdam)
	// More servers than the API returns in one page (flexmetal.PageSize).
	for i := range flexmetal.PageSize {
		seedServerAt(env, t, fmt.Sprintf("batch-%d", i), simulator.LocationMontreuil, "batch")
	}
	dbIPv4, dbIPv6 := simulatorAddresses(db)
	if dbIPv4 == "" || dbIPv6 == "" {
		t.Fatalf("precondition: db-1 has addresses %q, want an IPv4 and an IPv6 one", db.IPAddresses)
	}
	id := func(s simulator.ServerSnapshot) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{"id": knownvalue.StringExact(s.UUID)}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		TerraformVersionChecks:   acctest.QueryTerraform,
		Steps: []resource.TestStep{
			{Config: env.Config()},
			{
				PreConfig: env.Sim.ResetRequests,
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
						{Path: tfjsonpath.New("allow_reinstall"), KnownValue: knownvalue.Bool(false)},
						{Path: tfjsonpath.New("deletion_protection"), KnownValue: knownvalue.Bool(false)},
						{Path: tfjsonpath.New("ssh_keys"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("status"), KnownValue: knownvalue.StringExact("delivered")},
						{Path: tfjsonpath.New("ip_address"), KnownValue: knownvalue.StringExact(dbIPv4)},
						{Path: tfjsonpath.New("ipv4_address"), KnownValue: knownvalue.StringExact(dbIPv4)},
						{Path: tfjsonpath.New("ipv6_address"), KnownValue: knownvalue.StringExact(dbIPv6)},
					}),
				},
			},
		},
	})
	paged := false
	for _, r := range env.Sim.Requests() {
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
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		TerraformVersionChecks:   acctest.QueryTerraform,
		Steps: []resource.TestStep{
			{Config: env.Config()},
			{
				Query:       true,
				Config:      serverListHCL("typo", `    location = "EU: Roterdam"`, false),
				ExpectError: acctest.ErrorPattern(`(?s)Unknown FlexMetal Location.*"EU: Roterdam" does not exist.*EU: Rotterdam`),
			},
		},
	})
}
