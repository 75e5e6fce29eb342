package provider

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

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

const sshKeyAddr = "flexmetal_ssh_key.test"

// sshKeyResourceHCL renders a flexmetal_ssh_key; publicKey is an HCL expression.
func sshKeyResourceHCL(name, publicKey string) string {
	return fmt.Sprintf(`
resource "flexmetal_ssh_key" "test" {
  name       = %[1]q
  public_key = %[2]s
}
`, name, publicKey)
}

// captureID stores a resource's id from state into *v.
func captureID(addr string, v *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		*v = rs.Primary.ID
		return nil
	}
}

// expectOneStoredKey checks the simulator holds exactly one key, with this name and public key,
// and, when notID is not nil, that it is not the key *notID names (it was replaced).
func (e *simEnv) expectOneStoredKey(name, publicKey string, notID *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		keys := e.sim.SSHKeys()
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

func (e *simEnv) checkNoSSHKeys(*terraform.State) error {
	if keys := e.sim.SSHKeys(); len(keys) != 0 {
		return fmt.Errorf("simulator still holds %d SSH keys after destroy: %+v", len(keys), keys)
	}
	return nil
}

func TestAccSSHKeyResource_createAndImport(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	cfg := env.config(sshKeyResourceHCL("deploy", fmt.Sprintf("%q", simulator.ExamplePublicKeyEd25519)))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkNoSSHKeys,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sshKeyAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
					statecheck.ExpectKnownValue(sshKeyAddr, tfjsonpath.New("name"), knownvalue.StringExact("deploy")),
					statecheck.ExpectKnownValue(sshKeyAddr, tfjsonpath.New("public_key"), knownvalue.StringExact(simulator.ExamplePublicKeyEd25519)),
					statecheck.ExpectKnownValue(sshKeyAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
				},
				Check: env.expectOneStoredKey("deploy", simulator.ExamplePublicKeyEd25519, nil),
			},
			{Config: cfg, PlanOnly: true},
			{
				ResourceName:      sshKeyAddr,
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
	env := newSimEnv(t, simulator.Config{})
	withNewline := env.config(sshKeyResourceHCL("laptop", fmt.Sprintf("%q", simulator.ExamplePublicKeyEd25519+"\n")))
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkNoSSHKeys,
		Steps: []resource.TestStep{
			{
				Config: withNewline,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sshKeyAddr, tfjsonpath.New("public_key"), knownvalue.StringExact(simulator.ExamplePublicKeyEd25519+"\n")),
				},
				Check: resource.ComposeTestCheckFunc(
					captureID(sshKeyAddr, &id),
					env.expectOneStoredKey("laptop", simulator.ExamplePublicKeyEd25519, nil),
				),
			},
			{Config: withNewline, PlanOnly: true},
			{
				PreConfig: env.sim.ResetRequests,
				Config:    env.config(sshKeyResourceHCL("laptop", fmt.Sprintf("%q", "  "+simulator.ExamplePublicKeyEd25519))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(sshKeyAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sshKeyAddr, tfjsonpath.New("public_key"), knownvalue.StringExact("  "+simulator.ExamplePublicKeyEd25519)),
				},
				Check: func(s *terraform.State) error {
					if got := s.RootModule().Resources[sshKeyAddr].Primary.ID; got != id {
						return fmt.Errorf("id changed from %s to %s: white space must not replace the key", id, got)
					}
					if n := env.sim.CountRequests("POST", "/v3/sshKey") + env.sim.CountRequests("DELETE", "/v3/sshKey"); n != 0 {
						return fmt.Errorf("%d SSH key writes for a white-space change, want 0", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSSHKeyResource_changesReplace(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkNoSSHKeys,
		Steps: []resource.TestStep{
			{
				Config: env.config(sshKeyResourceHCL("a", fmt.Sprintf("%q", simulator.ExamplePublicKeyEd25519))),
				Check:  captureID(sshKeyAddr, &id),
			},
			{
				Config: env.config(sshKeyResourceHCL("b", fmt.Sprintf("%q", simulator.ExamplePublicKeyEd25519))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(sshKeyAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					env.expectOneStoredKey("b", simulator.ExamplePublicKeyEd25519, &id),
					captureID(sshKeyAddr, &id),
				),
			},
			{
				Config: env.config(sshKeyResourceHCL("b", fmt.Sprintf("%q", simulator.ExamplePublicKeyECDSA))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(sshKeyAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: env.expectOneStoredKey("b", simulator.ExamplePublicKeyECDSA, &id),
			},
		},
	})
}

func TestAccSSHKeyResource_deletedOutsideTerraformIsRecreated(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	cfg := env.config(sshKeyResourceHCL("deploy", fmt.Sprintf("%q", simulator.ExamplePublicKeyEd25519)))
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkNoSSHKeys,
		Steps: []resource.TestStep{
			{Config: cfg, Check: captureID(sshKeyAddr, &id)},
			{
				PreConfig: func() {
					if err := env.sim.RemoveSSHKey(id); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(sshKeyAddr, plancheck.ResourceActionCreate),
				}},
				Check: env.expectOneStoredKey("deploy", simulator.ExamplePublicKeyEd25519, &id),
			},
		},
	})
}

func TestAccSSHKeyResource_privateKeyRefused(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	privateKey := strings.Join([]string{
		"-----BEGIN OPENSSH PRIVATE KEY-----",
		"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
		"-----END OPENSSH PRIVATE KEY-----",
		"",
	}, "\n")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:      env.config(sshKeyResourceHCL("oops", fmt.Sprintf("%q", privateKey))),
				PlanOnly:    true,
				ExpectError: errorPattern(`(?s)Private Key Given Instead of Public Key.*with flexmetal_ssh_key.test.*Use the public key instead \(the .pub file, e.g. file\("~/.ssh/id_ed25519.pub"\)\)`),
			},
			{
				Config: env.config(),
				Check: func(*terraform.State) error {
					if n := env.sim.CountRequests("", "/v3/sshKey"); n != 0 {
						return fmt.Errorf("%d SSH key requests, want 0: a private key must never reach the API", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSSHKeyResource_malformedKeyRefused(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	step := func(value, want string) resource.TestStep {
		return resource.TestStep{
			Config:      env.config(sshKeyResourceHCL("bad", fmt.Sprintf("%q", value))),
			PlanOnly:    true,
			ExpectError: errorPattern(`(?s)Invalid SSH Public Key.*with flexmetal_ssh_key.test.*The public_key ` + want + `.*Use the contents of your .pub file, e.g. file\("~/.ssh/id_ed25519.pub"\)`),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
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
