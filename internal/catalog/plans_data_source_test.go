package catalog_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// deprecatedPath prefixes the deprecated per-location instance-type endpoint (and no other).
const deprecatedPath = "/v3/flexMetal/location/"

// expectHardware is every hardware attribute of a seeded instance type, as /plans reports it.
func expectHardware(t *testing.T, name string) map[string]knownvalue.Check {
	t.Helper()
	h, ok := simulator.PlanHardware(name)
	if !ok {
		t.Fatalf("the simulator seeds no plan %q", name)
	}
	disks := make([]knownvalue.Check, len(h.Disks))
	storage := int64(0)
	for i, d := range h.Disks {
		disks[i] = knownvalue.ObjectExact(map[string]knownvalue.Check{"type": knownvalue.StringExact(d.Type), "size": knownvalue.Int64Exact(int64(d.Size))})
		storage += int64(d.Size)
	}
	nics := make([]knownvalue.Check, len(h.NetworkInterfaces))
	for i, n := range h.NetworkInterfaces {
		nics[i] = knownvalue.ObjectExact(map[string]knownvalue.Check{"type": knownvalue.StringExact(n.Type), "count": knownvalue.Int64Exact(int64(n.Count))})
	}
	return map[string]knownvalue.Check{
		"name":               knownvalue.StringExact(name),
		"cpu_name":           knownvalue.StringExact(h.CPU.Name),
		"cpu_clock_mhz":      knownvalue.Int64Exact(int64(h.CPU.BaseClock)),
		"cpus":               knownvalue.Int64Exact(int64(h.CPU.CPUCount)),
		"cores":              knownvalue.Int64Exact(int64(h.CPU.TotalCores)),
		"memory":             knownvalue.Int64Exact(int64(h.Memory.Size)),
		"memory_type":        knownvalue.StringExact(h.Memory.Type),
		"disks":              knownvalue.ListExact(disks),
		"network_interfaces": knownvalue.ListExact(nics),
		"gpu":                knownvalue.Null(),
		"storage":            knownvalue.Int64Exact(storage),
		// The seeded plans have disks of one kind each.
		"storage_type": knownvalue.StringExact(h.Disks[0].Type),
	}
}

func with(m map[string]knownvalue.Check, extra map[string]knownvalue.Check) map[string]knownvalue.Check {
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// TestAccPlans_listsEveryPlanWithHardwareAndAvailabilityPerLocation reads the whole catalog in
// one request: every instance type once, with its locations sorted by name.
func TestAccPlans_listsEveryPlanWithHardwareAndAvailabilityPerLocation(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{Availability: map[simulator.QuotaKey]string{
		{Location: simulator.LocationHongKong, InstanceType: simulator.InstanceTypeBM7Std8}: simulator.AvailabilityUnavailable,
		{Location: simulator.LocationDallas, InstanceType: simulator.InstanceTypeBM7Std8}:   simulator.AvailabilityLow,
	}})
	loc := func(name, availability string) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name": knownvalue.StringExact(name), "dc_code": knownvalue.StringExact(simulator.DCCode(name)), "availability": knownvalue.StringExact(availability),
		})
	}
	bm7 := with(expectHardware(t, simulator.InstanceTypeBM7Std8), map[string]knownvalue.Check{"locations": knownvalue.ListExact([]knownvalue.Check{
		loc(simulator.LocationSaoPaulo, "high"),
		loc(simulator.LocationMontreuil, "high"),
		loc(simulator.LocationRotterdam, "high"),
		loc(simulator.LocationHongKong, "unavailable"),
		loc(simulator.LocationDallas, "low"),
		loc(simulator.LocationLosAngeles, "high"),
	})})
	const addr = "data.flexmetal_plans.all"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`data "flexmetal_plans" "all" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("plans"), knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("plans").AtSliceIndex(0), knownvalue.ObjectExact(bm7)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("plans").AtSliceIndex(1).AtMapKey("name"), knownvalue.StringExact(simulator.InstanceTypeBM8Std32)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("plans").AtSliceIndex(2).AtMapKey("name"), knownvalue.StringExact(simulator.InstanceTypeBM9Hmm32)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(acctest.ListIDPattern)),
			},
			Check: func(*terraform.State) error {
				if n := env.Sim.CountRequests("GET", "/v3/flexMetal/plans"); n != 1 {
					return fmt.Errorf("%d GET /v3/flexMetal/plans, want 1", n)
				}
				if n := env.Sim.CountRequests("GET", deprecatedPath); n != 0 {
					return fmt.Errorf("%d requests to the deprecated instance-type endpoint, want none", n)
				}
				return nil
			},
		}},
	})
}

// TestAccPlans_chooseLocationByAvailability is the documentation's for expression: the
// locations where a type has ample capacity, best first.
func TestAccPlans_chooseLocationByAvailability(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{Availability: map[simulator.QuotaKey]string{
		{InstanceType: simulator.InstanceTypeBM8Std32}:                                      simulator.AvailabilityLow,
		{Location: simulator.LocationTokyo, InstanceType: simulator.InstanceTypeBM8Std32}:   simulator.AvailabilityMedium,
		{Location: simulator.LocationAshburn, InstanceType: simulator.InstanceTypeBM8Std32}: simulator.AvailabilityUnavailable,
	}})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "flexmetal_plans" "all" {}

locals {
  bm8 = one([for p in data.flexmetal_plans.all.plans : p if p.name == "bm8.std.32"])
  ample = [for l in local.bm8.locations : l.name if contains(["high", "medium"], l.availability)]
}

output "ample" {
  value = local.ample
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("ample", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(simulator.LocationTokyo)})),
			},
		}},
	})
}
