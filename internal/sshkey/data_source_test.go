package sshkey_test

import (
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

const sshKeyDataAddr = "data.flexmetal_ssh_key.test"

func sshKeyDataHCL(attrs string) string {
	return fmt.Sprintf(`
data "flexmetal_ssh_key" "test" {
%s
}
`, attrs)
}

// addSSHKeys stores keys in the simulator, failing the test on error.
func addSSHKeys(t *testing.T, env *acctest.SimEnv, names ...string) []simulator.SSHKeySnapshot {
	t.Helper()
	examples := []string{simulator.ExamplePublicKeyEd25519, simulator.ExamplePublicKeyECDSA, simulator.ExamplePublicKeyRSA}
	var out []simulator.SSHKeySnapshot
	for i, name := range names {
		k, err := env.Sim.AddSSHKey(name, examples[i%len(examples)])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

// exampleFingerprints are the simulator's example keys' fingerprints as ssh-keygen -l prints them.
var exampleFingerprints = map[string]string{
	simulator.ExamplePublicKeyEd25519: "SHA256:Cs3jyi8LX+sh3JQQk3I+BMbkOov8M1PQeVRur6H4WF0",
	simulator.ExamplePublicKeyECDSA:   "SHA256:MlVQA8ahFgFCaPXL1nZqXsDX0I2amUYSMlgQFS1aXVI",
	simulator.ExamplePublicKeyRSA:     "SHA256:9BN0PoUvQIFnUinAuJcaSlr8wQuhS2znpQW2+gRVvU8",
}

func sshKeyStateChecks(k simulator.SSHKeySnapshot) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(sshKeyDataAddr, tfjsonpath.New("id"), knownvalue.StringExact(k.UUID)),
		statecheck.ExpectKnownValue(sshKeyDataAddr, tfjsonpath.New("name"), knownvalue.StringExact(k.Name)),
		statecheck.ExpectKnownValue(sshKeyDataAddr, tfjsonpath.New("public_key"), knownvalue.StringExact(k.PublicKey)),
		statecheck.ExpectKnownValue(sshKeyDataAddr, tfjsonpath.New("fingerprint"), knownvalue.StringExact(exampleFingerprints[k.PublicKey])),
		statecheck.ExpectKnownValue(sshKeyDataAddr, tfjsonpath.New("created_at"), knownvalue.StringExact(k.CreatedAt.UTC().Format(time.RFC3339))),
	}
}

func TestAccSSHKeyDataSource_byID(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	keys := addSSHKeys(t, env, "deploy", "other")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config:            env.Config(sshKeyDataHCL(fmt.Sprintf("  id = %q", keys[1].UUID))),
			ConfigStateChecks: sshKeyStateChecks(keys[1]),
		}},
	})
}

func TestAccSSHKeyDataSource_byName(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	keys := addSSHKeys(t, env, "deploy", "other")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config:            env.Config(sshKeyDataHCL(`  name = "deploy"`)),
			ConfigStateChecks: sshKeyStateChecks(keys[0]),
		}},
	})
}

func TestAccSSHKeyDataSource_ambiguousNameListsIDs(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	keys := addSSHKeys(t, env, "dup", "dup", "unique")
	ids := []string{keys[0].UUID, keys[1].UUID}
	slices.Sort(ids)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(sshKeyDataHCL(`  name = "dup"`)),
			ExpectError: acctest.ErrorPattern(fmt.Sprintf(`(?s)Several SSH Keys Have This Name.*2 stored SSH keys are named "dup": %s, %s. Look the key up by id instead`,
				regexp.QuoteMeta(ids[0]), regexp.QuoteMeta(ids[1]))),
		}},
	})
}

func TestAccSSHKeyDataSource_missingKeyIsError(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	addSSHKeys(t, env, "deploy")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{
				Config:      env.Config(sshKeyDataHCL(`  name = "deplyo"`)),
				ExpectError: acctest.ErrorPattern(`(?s)SSH Key Not Found.*No stored SSH key is named "deplyo". Did you mean "deploy"\?`),
			},
			{
				Config:      env.Config(sshKeyDataHCL(`  id = "0b6c4b7e-9f53-4c1e-8d7a-3f1f6b0f0c11"`)),
				ExpectError: acctest.ErrorPattern(`(?s)SSH Key Not Found.*No stored SSH key has the id "0b6c4b7e-9f53-4c1e-8d7a-3f1f6b0f0c11"`),
			},
		},
	})
}

func TestAccSSHKeyDataSource_exactlyOneOfIDAndName(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	keys := addSSHKeys(t, env, "deploy")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{
				Config:      env.Config(sshKeyDataHCL(fmt.Sprintf("  id   = %q\n  name = \"deploy\"", keys[0].UUID))),
				PlanOnly:    true,
				ExpectError: acctest.ErrorPattern(`(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured: \[id,name\]`),
			},
			{
				Config:      env.Config(sshKeyDataHCL("")),
				PlanOnly:    true,
				ExpectError: acctest.ErrorPattern(`(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured: \[id,name\]`),
			},
			{
				// Validation refused both before asking the API anything about keys.
				Config: env.Config(),
				Check: func(*terraform.State) error {
					if n := env.Sim.CountRequests("GET", "/v3/sshKey"); n != 0 {
						return fmt.Errorf("%d SSH key requests, want 0: the combination must be refused during validation", n)
					}
					return nil
				},
			},
		},
	})
}
