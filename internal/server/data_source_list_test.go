package server_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// serverNames checks a list of servers by name, in order.
func serverNames(names ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(names))
	for i, n := range names {
		checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(n)})
	}
	return knownvalue.ListExact(checks)
}

// serverListRequests returns the simulator's recorded GET /v3/flexMetal/servers requests.
func serverListRequests(env *acctest.SimEnv) []simulator.Request {
	var out []simulator.Request
	for _, r := range env.Sim.Requests() {
		if r.Method == "GET" && r.Path == "/v3/flexMetal/servers" {
			out = append(out, r)
		}
	}
	return out
}

func TestAccServers_pagesThroughAllServers(t *testing.T) {
	clock := simulator.NewManualClock(acctest.ClockStart)
	env := acctest.NewSimEnv(t, simulator.Config{Clock: clock, StepDuration: time.Hour})
	const total = 130
	names := make([]string, total)
	for i := range total {
		names[i] = fmt.Sprintf("srv-%03d", i)
		acctest.SeedServer(t, env, names[i])
		if i%40 == 39 {
			// Some servers share a creation second, some do not: the order is by created_at,
			// then id.
			clock.Advance(time.Second)
		}
	}
	const addr = "data.flexmetal_servers.all"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`data "flexmetal_servers" "all" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("servers"), knownvalue.ListSizeExact(total)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("servers"), serverNames(names...)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(acctest.ListIDPattern)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.Null()),
			},
			Check: func(*terraform.State) error {
				// Every read asks for full pages until a short one: 50, 50 and 30 servers.
				var want []string
				for start := 0; start <= total; start += flexmetal.PageSize {
					want = append(want, fmt.Sprintf("start=%d,results=%d", start, flexmetal.PageSize))
				}
				slices.Sort(want)
				reqs := serverListRequests(env)
				if len(reqs) == 0 || len(reqs)%len(want) != 0 {
					return fmt.Errorf("%d server list requests, want a multiple of %d (one request per page per read)", len(reqs), len(want))
				}
				var starts []string
				for _, r := range reqs {
					if r.RangedData == "" {
						return fmt.Errorf("server list request without RANGED-DATA: %+v", r)
					}
					if !slices.Contains(starts, r.RangedData) {
						starts = append(starts, r.RangedData)
					}
				}
				slices.Sort(starts)
				if !slices.Equal(starts, want) {
					return fmt.Errorf("RANGED-DATA headers %q, want %q", starts, want)
				}
				return nil
			},
		}},
	})
}

func TestAccServers_tagFilterMatchesAllTags(t *testing.T) {
	clock := simulator.NewManualClock(acctest.ClockStart)
	env := acctest.NewSimEnv(t, simulator.Config{Clock: clock, StepDuration: time.Hour})
	for _, s := range []struct {
		name string
		tags []string
	}{
		{"web-prod", []string{"env:prod", "role:web"}},
		{"db-prod", []string{"env:prod", "role:db"}},
		{"web-dev", []string{"env:dev", "role:web"}},
		{"web-prod-creating", []string{"role:web", "env:prod", shared.CreationTagPrefix + "0123abcd"}},
	} {
		acctest.SeedServer(t, env, s.name, s.tags...)
		clock.Advance(time.Second)
	}
	const (
		both = "data.flexmetal_servers.web_prod"
		web  = "data.flexmetal_servers.web"
	)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "flexmetal_servers" "web_prod" {
  tags = ["role:web", "env:prod"]
}
data "flexmetal_servers" "web" {
  tags = ["role:web"]
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(both, tfjsonpath.New("servers"), serverNames("web-prod", "web-prod-creating")),
				statecheck.ExpectKnownValue(web, tfjsonpath.New("servers"), serverNames("web-prod", "web-dev", "web-prod-creating")),
				// The provider's creation tag never shows.
				statecheck.ExpectKnownValue(both, tfjsonpath.New("servers").AtSliceIndex(1).AtMapKey("tags"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("env:prod"), knownvalue.StringExact("role:web")})),
			},
			Check: func(*terraform.State) error {
				var sawBoth bool
				for _, r := range serverListRequests(env) {
					q, err := url.ParseQuery(r.RawQuery)
					if err != nil {
						return err
					}
					sawBoth = sawBoth || slices.Equal(q["tag"], []string{"env:prod", "role:web"})
				}
				if !sawBoth {
					return fmt.Errorf("no list request filtered on tag=env:prod&tag=role:web: the filter must reach the API")
				}
				return nil
			},
		}},
	})
}

func TestAccServers_statusFilter(t *testing.T) {
	clock := simulator.NewManualClock(acctest.ClockStart)
	env := acctest.NewSimEnv(t, simulator.Config{Clock: clock, StepDuration: time.Hour})
	acctest.SeedServer(t, env, "waiting")
	clock.Advance(time.Second)
	delivered := acctest.SeedServer(t, env, "ready", "env:prod")
	clock.Advance(time.Second)
	failed := acctest.SeedServer(t, env, "broken")
	clock.Advance(time.Minute)
	if err := env.Sim.ForceStatus(delivered.UUID, "delivered", ""); err != nil {
		t.Fatal(err)
	}
	if err := env.Sim.ForceStatus(failed.UUID, "failed", "disk error"); err != nil {
		t.Fatal(err)
	}
	delivered, _ = env.Sim.Server(delivered.UUID)
	if len(delivered.IPAddresses) == 0 || delivered.DeliveredAt == nil {
		t.Fatalf("forced delivered server has no addresses or delivery time: %+v", delivered)
	}
	v4, v6 := simulatorAddresses(delivered)
	if v4 == "" || v6 == "" {
		t.Fatalf("forced delivered server has addresses %q, want an IPv4 and an IPv6 one", delivered.IPAddresses)
	}
	ips := make([]knownvalue.Check, len(delivered.IPAddresses))
	for i, ip := range delivered.IPAddresses {
		ips[i] = knownvalue.StringExact(ip)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "flexmetal_servers" "delivered" {
  status = "delivered"
}
data "flexmetal_servers" "failed" {
  status = "failed"
}
data "flexmetal_servers" "all" {}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.flexmetal_servers.delivered", tfjsonpath.New("servers"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":             knownvalue.StringExact(delivered.UUID),
						"name":           knownvalue.StringExact("ready"),
						"status":         knownvalue.StringExact("delivered"),
						"status_message": knownvalue.StringExact(delivered.StatusMessage),
						"location":       knownvalue.StringExact(simulator.LocationRotterdam),
						"instance_type":  knownvalue.StringExact(simulator.InstanceTypeBM7Std8),
						"os_slug":        knownvalue.StringExact(simulator.OSUbuntu2404),
						"ip_addresses":   knownvalue.ListExact(ips),
						"ip_address":     knownvalue.StringExact(v4),
						"ipv4_address":   knownvalue.StringExact(v4),
						"ipv6_address":   knownvalue.StringExact(v6),
						"tags":           knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("env:prod")}),
						"contract_id":    knownvalue.Null(),
						"created_at":     knownvalue.StringExact("2025-03-04T05:06:08Z"),
						"delivered_at":   knownvalue.StringExact("2025-03-04T05:07:09Z"),
						"released_at":    knownvalue.Null(),
					}),
				})),
				statecheck.ExpectKnownValue("data.flexmetal_servers.failed", tfjsonpath.New("servers"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"id":             knownvalue.StringExact(failed.UUID),
						"status":         knownvalue.StringExact("failed"),
						"status_message": knownvalue.StringExact("disk error"),
						"ip_addresses":   knownvalue.ListSizeExact(0),
						"ip_address":     knownvalue.Null(),
						"ipv4_address":   knownvalue.Null(),
						"ipv6_address":   knownvalue.Null(),
						"tags":           knownvalue.SetSizeExact(0),
						"delivered_at":   knownvalue.Null(),
					}),
				})),
				statecheck.ExpectKnownValue("data.flexmetal_servers.all", tfjsonpath.New("servers"), serverNames("waiting", "ready", "broken")),
			},
			Check: func(*terraform.State) error {
				for _, status := range []string{"delivered", "failed"} {
					found := slices.ContainsFunc(serverListRequests(env), func(r simulator.Request) bool {
						q, _ := url.ParseQuery(r.RawQuery)
						return q.Get("status") == status
					})
					if !found {
						return fmt.Errorf("no list request filtered on status=%s: the filter must reach the API", status)
					}
				}
				return nil
			},
		}},
	})
}

func TestAccServers_unknownStatusRefused(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "flexmetal_servers" "running" {
  status = "running"
}
`),
			PlanOnly:    true,
			ExpectError: acctest.ErrorPattern(`(?s)Invalid Attribute Value Match.*with data.flexmetal_servers.running.*value must be one of:.*"delivered"`),
		}},
	})
}

// TestAccServers_unrecordedFilter: servers that Terraform ordered but never recorded still carry
// their creation tag; unrecorded = true finds them (a killed run's orders), false the others.
func TestAccServers_unrecordedFilter(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1})
	orphan := env.AddServer(t, simulator.CreateServerRequest{Name: "killed-run", Tags: []string{shared.CreationTagPrefix + "0123abcd", "role:web"}})
	managed := env.AddServer(t, simulator.CreateServerRequest{Name: "managed", Tags: []string{"role:web"}})
	byID := func(s simulator.ServerSnapshot) knownvalue.Check {
		return knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"id":   knownvalue.StringExact(s.UUID),
			"tags": knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("role:web")}),
		})})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "flexmetal_servers" "unrecorded" {
  unrecorded = true
}
data "flexmetal_servers" "recorded" {
  unrecorded = false
}
data "flexmetal_servers" "all" {}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.flexmetal_servers.unrecorded", tfjsonpath.New("servers"), byID(orphan)),
				statecheck.ExpectKnownValue("data.flexmetal_servers.recorded", tfjsonpath.New("servers"), byID(managed)),
				statecheck.ExpectKnownValue("data.flexmetal_servers.all", tfjsonpath.New("servers"), knownvalue.ListSizeExact(2)),
			},
		}},
	})
}
