package account_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

const testContract = "CONTRACT-1"

// accountSimConfig gives Rotterdam's bm7.std.8 an on-demand quota of 2 and one committed server
// under testContract. Delivery is immediate, so that servers seeded out of band are in the same
// status on any machine.
func accountSimConfig() simulator.Config {
	return simulator.Config{
		StepDuration:    -1,
		OnDemandQuota:   map[simulator.QuotaKey]int{{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8}: 2},
		CapacityCommits: []simulator.CapacityCommit{{ContractID: testContract, Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8, Capacity: 1}},
	}
}

// seedCommittedAndOnDemand orders two Rotterdam bm7.std.8 servers: the first fills the committed
// pool, the second overflows to on-demand capacity.
func seedCommittedAndOnDemand(t *testing.T, env *acctest.SimEnv) {
	t.Helper()
	acctest.SeedServer(t, env, "committed")
	env.AddServer(t, simulator.CreateServerRequest{Name: "on-demand", SSHKey: []string{simulator.ExamplePublicKeyEd25519}, Overflow: true})
}

// quotaLineCount is how many quota lines the simulator reports for the filters ("" for none):
// one on-demand quota per instance type offered at a location, plus accountSimConfig's commit.
func quotaLineCount(location, instanceType string) int {
	n := 0
	for _, l := range simulator.Locations() {
		for _, it := range simulator.InstanceTypesAt(l.ID) {
			if matchesFilter(location, l.Name) && matchesFilter(instanceType, it.Name) {
				n++
				if l.Name == simulator.LocationRotterdam && it.Name == simulator.InstanceTypeBM7Std8 {
					n++
				}
			}
		}
	}
	return n
}

func quotaHCL(label, attrs string) string {
	return fmt.Sprintf("data \"flexmetal_quota\" %q {\n%s\n}\n", label, attrs)
}

func TestAccQuota_reportsQuotaUsageAndAvailable(t *testing.T) {
	env := acctest.NewSimEnv(t, accountSimConfig())
	seedCommittedAndOnDemand(t, env)
	rtm := fmt.Sprintf("  location = %q\n  instance_type = %q", simulator.LocationRotterdam, simulator.InstanceTypeBM7Std8)
	quota := func(typ string, contract knownvalue.Check, q, usage, avail int64) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"location":      knownvalue.StringExact(simulator.LocationRotterdam),
			"instance_type": knownvalue.StringExact(simulator.InstanceTypeBM7Std8),
			"quota_type":    knownvalue.StringExact(typ),
			"contract_id":   contract,
			"quota":         knownvalue.Int64Exact(q),
			"usage":         knownvalue.Int64Exact(usage),
			"available":     knownvalue.Int64Exact(avail),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(
				quotaHCL("rtm", rtm),
				quotaHCL("all", ""),
				quotaHCL("bm9", `  instance_type = "bm9.hmm.32"`),
				quotaHCL("tokyo", fmt.Sprintf("  location = %q", simulator.LocationTokyo)),
				quotaHCL("none", `  location = "XX: Nowhere"`),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.flexmetal_quota.rtm", tfjsonpath.New("quotas"), knownvalue.ListExact([]knownvalue.Check{
					quota("onDemand", knownvalue.Null(), 2, 1, 1),
					quota("commit", knownvalue.StringExact(testContract), 1, 1, 0),
				})),
				statecheck.ExpectKnownValue("data.flexmetal_quota.rtm", tfjsonpath.New("id"), knownvalue.StringRegexp(acctest.ListIDPattern)),
				statecheck.ExpectKnownValue("data.flexmetal_quota.all", tfjsonpath.New("quotas"), knownvalue.ListSizeExact(quotaLineCount("", ""))),
				statecheck.ExpectKnownValue("data.flexmetal_quota.bm9", tfjsonpath.New("quotas"), knownvalue.ListSizeExact(quotaLineCount("", simulator.InstanceTypeBM9Hmm32))),
				statecheck.ExpectKnownValue("data.flexmetal_quota.bm9", tfjsonpath.New("quotas").AtSliceIndex(0).AtMapKey("instance_type"), knownvalue.StringExact(simulator.InstanceTypeBM9Hmm32)),
				statecheck.ExpectKnownValue("data.flexmetal_quota.tokyo", tfjsonpath.New("quotas"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"location":      knownvalue.StringExact(simulator.LocationTokyo),
						"instance_type": knownvalue.StringExact(simulator.InstanceTypeBM8Std32),
						"quota":         knownvalue.Int64Exact(simulator.DefaultOnDemandQuota),
						"available":     knownvalue.Int64Exact(simulator.DefaultOnDemandQuota),
					}),
				})),
				statecheck.ExpectKnownValue("data.flexmetal_quota.none", tfjsonpath.New("quotas"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

// matchesFilter is the data source's rule for its location and instance_type filters: empty
// matches everything.
func matchesFilter(filter, value string) bool { return filter == "" || filter == value }
