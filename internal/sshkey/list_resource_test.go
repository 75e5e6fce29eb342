package sshkey_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

func TestAccSSHKeyList_query(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	deploy, err := env.Sim.AddSSHKey("deploy", simulator.ExamplePublicKeyEd25519)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Sim.AddSSHKey("laptop", simulator.ExamplePublicKeyECDSA); err != nil {
		t.Fatal(err)
	}
	byID := queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(deploy.UUID)})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		TerraformVersionChecks:   acctest.QueryTerraform,
		Steps: []resource.TestStep{
			{Config: env.Config()},
			{
				Query: true,
				Config: `
list "flexmetal_ssh_key" "all" {
  provider = flexmetal
}

list "flexmetal_ssh_key" "deploy" {
  provider         = flexmetal
  include_resource = true
  config {
    name = "deploy"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("flexmetal_ssh_key.all", 2),
					querycheck.ExpectLength("flexmetal_ssh_key.deploy", 1),
					querycheck.ExpectResourceDisplayName("flexmetal_ssh_key.deploy", byID, knownvalue.StringExact("deploy (ssh-ed25519)")),
					querycheck.ExpectResourceKnownValues("flexmetal_ssh_key.deploy", byID, []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("deploy")},
						{Path: tfjsonpath.New("public_key"), KnownValue: knownvalue.StringExact(simulator.ExamplePublicKeyEd25519)},
						{Path: tfjsonpath.New("fingerprint"), KnownValue: knownvalue.StringExact(exampleFingerprints[simulator.ExamplePublicKeyEd25519])},
					}),
				},
			},
		},
	})
}
