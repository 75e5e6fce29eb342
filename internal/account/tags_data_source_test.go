package account_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

func TestAccTags_listsAccountTagsWithServerCounts(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1})
	acctest.SeedServer(t, env, "a", "env:dev", "role:web")
	acctest.SeedServer(t, env, "b", "env:dev")
	for _, tag := range []string{"unused", shared.CreationTagPrefix + "0a1b2c3d"} {
		if err := env.Sim.CreateTag(tag); err != nil {
			t.Fatal(err)
		}
	}
	tag := func(name string, servers int64) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{"name": knownvalue.StringExact(name), "server_count": knownvalue.Int64Exact(servers)})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`data "flexmetal_tags" "all" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.flexmetal_tags.all", tfjsonpath.New("tags"), knownvalue.ListExact([]knownvalue.Check{
					tag("env:dev", 2), tag("role:web", 1), tag("unused", 0),
				})),
				statecheck.ExpectKnownValue("data.flexmetal_tags.all", tfjsonpath.New("id"), knownvalue.StringRegexp(acctest.ListIDPattern)),
			},
		}},
	})
}
