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

func capacityCommitsHCL(label, attrs string) string {
	return fmt.Sprintf("data \"flexmetal_capacity_commits\" %q {\n%s\n}\n", label, attrs)
}

func TestAccCapacityCommits_sumsContractsPerLocationAndInstanceType(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1, CapacityCommits: []simulator.CapacityCommit{
		{ContractID: "C-1", Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8, Capacity: 2},
		{ContractID: "C-2", Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8, Capacity: 1},
		{ContractID: "C-3", Location: simulator.LocationMontreuil, InstanceType: simulator.InstanceTypeBM8Std32, Capacity: 3},
	}})
	acctest.SeedServer(t, env, "committed")
	commit := func(location, instanceType string, capacity, inUse, available int64) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"location":      knownvalue.StringExact(location),
			"instance_type": knownvalue.StringExact(instanceType),
			"capacity":      knownvalue.Int64Exact(capacity),
			"in_use":        knownvalue.Int64Exact(inUse),
			"available":     knownvalue.Int64Exact(available),
		})
	}
	montreuil := commit(simulator.LocationMontreuil, simulator.InstanceTypeBM8Std32, 3, 0, 3)
	rotterdam := commit(simulator.LocationRotterdam, simulator.InstanceTypeBM7Std8, 3, 1, 2)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(
				capacityCommitsHCL("all", ""),
				capacityCommitsHCL("rtm", fmt.Sprintf("  location = %q", simulator.LocationRotterdam)),
				capacityCommitsHCL("bm8", fmt.Sprintf("  instance_type = %q", simulator.InstanceTypeBM8Std32)),
				capacityCommitsHCL("none", fmt.Sprintf("  location = %q\n  instance_type = %q", simulator.LocationRotterdam, simulator.InstanceTypeBM9Hmm32)),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.flexmetal_capacity_commits.all", tfjsonpath.New("commits"), knownvalue.ListExact([]knownvalue.Check{montreuil, rotterdam})),
				statecheck.ExpectKnownValue("data.flexmetal_capacity_commits.all", tfjsonpath.New("id"), knownvalue.StringRegexp(acctest.ListIDPattern)),
				statecheck.ExpectKnownValue("data.flexmetal_capacity_commits.rtm", tfjsonpath.New("commits"), knownvalue.ListExact([]knownvalue.Check{rotterdam})),
				statecheck.ExpectKnownValue("data.flexmetal_capacity_commits.bm8", tfjsonpath.New("commits"), knownvalue.ListExact([]knownvalue.Check{montreuil})),
				statecheck.ExpectKnownValue("data.flexmetal_capacity_commits.none", tfjsonpath.New("commits"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}
