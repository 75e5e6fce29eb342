package sshkey_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// expectOneStoredKey checks the simulator holds exactly one key, with this name and public key,
// and, when notID is not nil, that it is not the key *notID names (it was replaced).
func expectOneStoredKey(e *acctest.SimEnv, name, publicKey string, notID *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		keys := e.Sim.SSHKeys()
		if len(keys) != 1 {
			return fmt.Errorf("simulator holds %d SSH keys, want 1: %+v", len(keys), keys)
		}
		if keys[0].Name != name || keys[0].PublicKey != publicKey {
			return fmt.Errorf("stored key = %q %q, want %q %q", keys[0].Name, keys[0].PublicKey, name, publicKey)
		}
		if notID != nil && keys[0].UUID == *notID {
			return fmt.Errorf("stored key still has id %s, want a new key", *notID)
		}
		return nil
	}
}

func TestAccSSHKeyResource_createAndImport(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	cfg := env.Config(acctest.SSHKeyResourceHCL("deploy", fmt.Sprintf("%q", simulator.ExamplePublicKeyEd25519)))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             acctest.CheckNoSSHKeys(env),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				// The fingerprint is computed from the configured key, so it is known before apply.
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(acctest.SSHKeyAddr, tfjsonpath.New("fingerprint"), knownvalue.StringExact(exampleFingerprints[simulator.ExamplePublicKeyEd25519])),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.SSHKeyAddr, tfjsonpath.New("fingerprint"), knownvalue.StringExact(exampleFingerprints[simulator.ExamplePublicKeyEd25519])),
					statecheck.ExpectKnownValue(acctest.SSHKeyAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
					statecheck.ExpectKnownValue(acctest.SSHKeyAddr, tfjsonpath.New("name"), knownvalue.StringExact("deploy")),
					statecheck.ExpectKnownValue(acctest.SSHKeyAddr, tfjsonpath.New("public_key"), knownvalue.StringExact(simulator.ExamplePublicKeyEd25519)),
					statecheck.ExpectKnownValue(acctest.SSHKeyAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
				},
				Check: expectOneStoredKey(env, "deploy", simulator.ExamplePublicKeyEd25519, nil),
			},
			{Config: cfg, PlanOnly: true},
			{
				ResourceName:      acctest.SSHKeyAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// TestAccSSHKeyResource_trailingNewlineIsNotDrift is the file("~/.ssh/id_ed25519.pub") case: the
// key is sent without the newline, the configured spelling stays in state, and adding or dropping
// surrounding white space later neither replaces the key nor calls the API.
func TestAccSSHKeyResource_trailingNewlineIsNotDrift(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	withNewline := env.Config(acctest.SSHKeyResourceHCL("laptop", fmt.Sprintf("%q", simulator.ExamplePublicKeyEd25519+"\n")))
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             acctest.CheckNoSSHKeys(env),
		Steps: []resource.TestStep{
			{
				Config: withNewline,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.SSHKeyAddr, tfjsonpath.New("public_key"), knownvalue.StringExact(simulator.ExamplePublicKeyEd25519+"\n")),
				},
				Check: resource.ComposeTestCheckFunc(
					acctest.CaptureID(acctest.SSHKeyAddr, &id),
					expectOneStoredKey(env, "laptop", simulator.ExamplePublicKeyEd25519, nil),
				),
			},
			{Config: withNewline, PlanOnly: true},
			{
				PreConfig: env.Sim.ResetRequests,
				Config:    env.Config(acctest.SSHKeyResourceHCL("laptop", fmt.Sprintf("%q", "  "+simulator.ExamplePublicKeyEd25519))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.SSHKeyAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(acctest.SSHKeyAddr, tfjsonpath.New("public_key"), knownvalue.StringExact("  "+simulator.ExamplePublicKeyEd25519)),
				},
				Check: func(s *terraform.State) error {
					if got := s.RootModule().Resources[acctest.SSHKeyAddr].Primary.ID; got != id {
						return fmt.Errorf("id changed from %s to %s: white space must not replace the key", id, got)
					}
					if n := env.Sim.CountRequests("POST", "/v3/sshKey") + env.Sim.CountRequests("DELETE", "/v3/sshKey"); n != 0 {
						return fmt.Errorf("%d SSH key writes for a white-space change, want 0", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSSHKeyResource_changesReplace(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             acctest.CheckNoSSHKeys(env),
		Steps: []resource.TestStep{
			{
				Config: env.Config(acctest.SSHKeyResourceHCL("a", fmt.Sprintf("%q", simulator.ExamplePublicKeyEd25519))),
				Check:  acctest.CaptureID(acctest.SSHKeyAddr, &id),
			},
			{
				Config: env.Config(acctest.SSHKeyResourceHCL("b", fmt.Sprintf("%q", simulator.ExamplePublicKeyEd25519))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.SSHKeyAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					expectOneStoredKey(env, "b", simulator.ExamplePublicKeyEd25519, &id),
					acctest.CaptureID(acctest.SSHKeyAddr, &id),
				),
			},
			{
				Config: env.Config(acctest.SSHKeyResourceHCL("b", fmt.Sprintf("%q", simulator.ExamplePublicKeyECDSA))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.SSHKeyAddr, plancheck.ResourceActionDestroyBeforeCreate),
					// The new key's fingerprint, known before apply.
					plancheck.ExpectKnownValue(acctest.SSHKeyAddr, tfjsonpath.New("fingerprint"), knownvalue.StringExact(exampleFingerprints[simulator.ExamplePublicKeyECDSA])),
				}},
				Check: expectOneStoredKey(env, "b", simulator.ExamplePublicKeyECDSA, &id),
			},
		},
	})
}

func TestAccSSHKeyResource_deletedOutsideTerraformIsRecreated(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	cfg := env.Config(acctest.SSHKeyResourceHCL("deploy", fmt.Sprintf("%q", simulator.ExamplePublicKeyEd25519)))
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             acctest.CheckNoSSHKeys(env),
		Steps: []resource.TestStep{
			{Config: cfg, Check: acctest.CaptureID(acctest.SSHKeyAddr, &id)},
			{
				PreConfig: func() {
					if err := env.Sim.RemoveSSHKey(id); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.SSHKeyAddr, plancheck.ResourceActionCreate),
				}},
				Check: expectOneStoredKey(env, "deploy", simulator.ExamplePublicKeyEd25519, &id),
			},
		},
	})
}

func TestAccSSHKeyResource_privateKeyRefused(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	privateKey := strings.Join([]string{
		"-----BEGIN OPENSSH PRIVATE KEY-----",
		"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
		"-----END OPENSSH PRIVATE KEY-----",
		"",
	}, "\n")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{
				Config:      env.Config(acctest.SSHKeyResourceHCL("oops", fmt.Sprintf("%q", privateKey))),
				PlanOnly:    true,
				ExpectError: acctest.ErrorPattern(`(?s)Private Key Given Instead of Public Key.*with flexmetal_ssh_key.test.*Use the public key instead \(the .pub file, e.g. file\("~/.ssh/id_ed25519.pub"\)\)`),
			},
			{
				Config: env.Config(),
				Check: func(*terraform.State) error {
					if n := env.Sim.CountRequests("", "/v3/sshKey"); n != 0 {
						return fmt.Errorf("%d SSH key requests, want 0: a private key must never reach the API", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSSHKeyResource_malformedKeyRefused(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	step := func(value, want string) resource.TestStep {
		return resource.TestStep{
			Config:      env.Config(acctest.SSHKeyResourceHCL("bad", fmt.Sprintf("%q", value))),
			PlanOnly:    true,
			ExpectError: acctest.ErrorPattern(`(?s)Invalid SSH Public Key.*with flexmetal_ssh_key.test.*The public_key ` + want + `.*Use the contents of your .pub file, e.g. file\("~/.ssh/id_ed25519.pub"\)`),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			step("hunter2", `starts with "hunter2", which is not an OpenSSH key type`),
			step("ssh-ed25519", `has a key type but no key data`),
			step("ssh-ed25519 not!base64", `has key data that is not base64`),
			step(simulator.ExamplePublicKeyEd25519+"\n"+simulator.ExamplePublicKeyECDSA, `spans several lines`),
			step("---- BEGIN SSH2 PUBLIC KEY ----\nAAAAC3NzaC1lZDI1NTE5\n---- END SSH2 PUBLIC KEY ----", `is in PEM or RFC 4716 format`),
			step("   ", `is empty`),
		},
	})
}
