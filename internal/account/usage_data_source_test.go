package account_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

func usageHCL(start, end string) string {
	return fmt.Sprintf("data \"flexmetal_usage\" \"test\" {\n  start_date = %q\n  end_date   = %q\n}\n", start, end)
}

const usageAddr = "data.flexmetal_usage.test"

// TestAccUsage_hoursAndBandwidthPerServerAndTotals: two servers billed for the same day, one
// whose bandwidthOut the API reports and one whose it leaves out, as its published schema does.
func TestAccUsage_hoursAndBandwidthPerServerAndTotals(t *testing.T) {
	clock := simulator.NewManualClock(acctest.ClockStart)
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1, Clock: clock})
	web := acctest.SeedServer(t, env, "web-1", "team:web", "env:prod", "tf-create:0000")
	clock.Advance(30 * time.Minute)
	db := acctest.SeedServer(t, env, "db-1", "team:db")
	clock.Advance(2 * time.Hour)
	out := 5000
	env.Sim.SetUsageBandwidth(web.UUID, 1000, &out)
	env.Sim.SetUsageBandwidth(db.UUID, 200, nil)
	day := acctest.ClockStart.Format(time.DateOnly)
	server := func(s simulator.ServerSnapshot, start time.Time, hours, minutes, in int64, out knownvalue.Check, tags ...string) knownvalue.Check {
		tagChecks := make([]knownvalue.Check, len(tags))
		for i, tag := range tags {
			tagChecks[i] = knownvalue.StringExact(tag)
		}
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"server_id":     knownvalue.StringExact(s.UUID),
			"name":          knownvalue.StringExact(s.Name),
			"tags":          knownvalue.SetExact(tagChecks),
			"started_at":    knownvalue.StringExact(start.Format(time.RFC3339)),
			"ended_at":      knownvalue.StringExact(clock.Now().Format(time.RFC3339)),
			"total_hours":   knownvalue.Int64Exact(hours),
			"total_minutes": knownvalue.Int64Exact(minutes),
			"bandwidth_in":  knownvalue.Int64Exact(in),
			"bandwidth_out": out,
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(usageHCL(day, day)),
			ConfigStateChecks: []statecheck.StateCheck{
				// Sorted by start: web-1 was delivered half an hour before db-1.
				statecheck.ExpectKnownValue(usageAddr, tfjsonpath.New("servers"), knownvalue.ListExact([]knownvalue.Check{
					server(web, acctest.ClockStart, 3, 150, 1000, knownvalue.Int64Exact(5000), "env:prod", "team:web"),
					server(db, acctest.ClockStart.Add(30*time.Minute), 2, 120, 200, knownvalue.Null(), "team:db"),
				})),
				statecheck.ExpectKnownValue(usageAddr, tfjsonpath.New("total_hours"), knownvalue.Int64Exact(5)),
				statecheck.ExpectKnownValue(usageAddr, tfjsonpath.New("total_minutes"), knownvalue.Int64Exact(270)),
				statecheck.ExpectKnownValue(usageAddr, tfjsonpath.New("bandwidth_in"), knownvalue.Int64Exact(1200)),
				// A sum over some servers would pass for the whole.
				statecheck.ExpectKnownValue(usageAddr, tfjsonpath.New("bandwidth_out"), knownvalue.Null()),
				statecheck.ExpectKnownValue(usageAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(acctest.ListIDPattern)),
			},
		}},
	})
	if n := env.Sim.CountRequests("GET", "/v3/flexMetal/usage"); n == 0 {
		t.Error("the usage endpoint was never asked")
	}
}

// TestAccUsage_emptyPeriodSumsToZero: a period before any server existed.
func TestAccUsage_emptyPeriodSumsToZero(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1, Clock: simulator.NewManualClock(acctest.ClockStart)})
	acctest.SeedServer(t, env, "later")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(usageHCL("2024-01-01", "2024-01-31")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(usageAddr, tfjsonpath.New("servers"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(usageAddr, tfjsonpath.New("total_hours"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue(usageAddr, tfjsonpath.New("bandwidth_out"), knownvalue.Int64Exact(0)),
			},
		}},
	})
}

// TestAccUsage_badDatesFailThePlan: every bad date is reported before the API is asked.
func TestAccUsage_badDatesFailThePlan(t *testing.T) {
	cases := []struct {
		name, start, end, want string
	}{
		{"not a date", "last month", "2025-03-31", `(?s)Invalid Attribute Value Match.*start_date.*YYYY-MM-DD`},
		{"day and month swapped", "2025-03-01", "2025-31-03", `(?s)Invalid Date.*end_date "2025-31-03" is not a day of the calendar`},
		{"no such day", "2025-02-29", "2025-03-31", `(?s)Invalid Date.*start_date "2025-02-29"`},
		{"end before start", "2025-03-31", "2025-03-01", `(?s)End Date Before Start Date.*end_date 2025-03-01 is before start_date 2025-03-31`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := acctest.NewSimEnv(t, simulator.Config{})
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: env.Factories,
				Steps: []resource.TestStep{{
					Config:      env.Config(usageHCL(c.start, c.end)),
					ExpectError: acctest.ErrorPattern(c.want),
				}},
			})
			if n := env.Sim.CountRequests("GET", "/v3/flexMetal/usage"); n != 0 {
				t.Errorf("%d usage requests; a bad date must fail before the API is asked", n)
			}
		})
	}
}
