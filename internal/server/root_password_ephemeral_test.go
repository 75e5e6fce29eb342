package server_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

const echoAddr = "echo.password"

// withEcho adds terraform-plugin-testing's echo provider, which copies its configuration (here an
// ephemeral value) into the state of an echo resource, so a test can look at it.
func withEcho(e *acctest.SimEnv) map[string]func() (tfprotov6.ProviderServer, error) {
	factories := maps.Clone(e.Factories)
	factories["echo"] = echoprovider.NewProviderServer()
	return factories
}

// rootPasswordHCL reads the root password of serverID (an HCL expression) and echoes it.
func rootPasswordHCL(serverID string) string {
	return fmt.Sprintf(`
ephemeral "flexmetal_server_root_password" "test" {
  server_id = %s
}

provider "echo" {
  data = ephemeral.flexmetal_server_root_password.test.root_password
}

resource "echo" "password" {}
`, serverID)
}

// addServerRunning puts a server running the slug into the simulator without Terraform.
func addServerRunning(e *acctest.SimEnv, t *testing.T, name, slug string) string {
	t.Helper()
	return e.AddServer(t, simulator.CreateServerRequest{Name: name, OS: simulator.OSRequest{Slug: slug}}).UUID
}

// expectPassword checks the echoed password is the one the simulator generated for *id.
func expectPassword(e *acctest.SimEnv, id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		want, ok := e.Sim.RootPassword(*id)
		if !ok {
			return fmt.Errorf("server %s has no root password in the simulator", *id)
		}
		rs, ok := s.RootModule().Resources[echoAddr]
		if !ok {
			return fmt.Errorf("%s not in state", echoAddr)
		}
		if got := rs.Primary.Attributes["data"]; got != want {
			return fmt.Errorf("root_password = %q, want the simulator's %q", got, want)
		}
		return nil
	}
}

// TestAccServerRootPassword_newWindowsServer: the password of a server created in the same
// configuration is read after its delivery, and only the echo resource holds it.
func TestAccServerRootPassword_newWindowsServer(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: withEcho(env),
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "flexmetal_server" "test" {
  name          = "win"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "windows-2025" }
}
`, rootPasswordHCL("flexmetal_server.test.id")),
			Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &id), expectPassword(env, &id), func(s *terraform.State) error {
				pw, _ := env.Sim.RootPassword(id)
				for k, v := range s.RootModule().Resources[acctest.ServerAddr].Primary.Attributes {
					if strings.Contains(v, pw) {
						return fmt.Errorf("%s.%s holds the root password", acctest.ServerAddr, k)
					}
				}
				return nil
			}),
		}},
	})
}

// TestAccServerRootPassword_expiresAfter24Hours drives the simulator's clock past the API's
// 24-hour window: the error says so and what to do.
func TestAccServerRootPassword_expiresAfter24Hours(t *testing.T) {
	clock := simulator.NewManualClock(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC))
	env := acctest.NewSimEnv(t, simulator.Config{Clock: clock, StepDuration: -1, ReleaseDuration: -1})
	id := addServerRunning(env, t, "win-old", simulator.OSWindows2025)
	cfg := env.Config(rootPasswordHCL(fmt.Sprintf("%q", id)))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: withEcho(env),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { clock.Advance(simulator.RootPasswordWindow - time.Minute) },
				Config:    cfg,
				Check:     expectPassword(env, &id),
			},
			{
				PreConfig:   func() { clock.Advance(time.Minute) },
				Config:      cfg,
				ExpectError: acctest.ErrorPattern(`(?s)Root Password No Longer Available.*server ` + id + ` \(win-old\), which was delivered at 2026-05-01T08:00:00Z.*only within the first 24 hours.*Reset the password in the i3D.net console, or reinstall the server`),
			},
			{
				// Without the ephemeral resource, so that the final destroy can configure echo.
				Config: env.Config(),
			},
		},
	})
}

// TestAccServerRootPassword_errorsNameTheServer: a Linux server, a server not delivered yet, a
// server that does not exist and an id that is not a UUID each fail the plan with what to do.
func TestAccServerRootPassword_errorsNameTheServer(t *testing.T) {
	// Immediate delivery: win-stuck is "provisioning" (the stuck rule) from the start.
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1})
	linux := addServerRunning(env, t, "web-linux", "ubuntu-2404-lts")
	stuck := addServerRunning(env, t, "win-stuck", simulator.OSWindows2025)
	const missing = "0192aaaa-0000-7000-8000-000000000000"
	cases := []struct {
		serverID, want string
	}{
		{linux, `(?s)Not a Windows Server.*server ` + linux + ` \(web-linux\): it runs .* \(ubuntu-2404-lts\), and only Windows servers get a password`},
		{stuck, `(?s)Server Not Delivered.*server ` + stuck + ` \(win-stuck\) yet: its status is "provisioning".*server_id = flexmetal_server.NAME.id`},
		{missing, `(?s)Server Not Found.*No FlexMetal server ` + missing + ` exists: check server_id`},
		{"win-1", `(?s)Invalid Attribute Value Match.*server_id must be a server UUID`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      env.Config(rootPasswordHCL(fmt.Sprintf("%q", c.serverID))),
			PlanOnly:    true,
			ExpectError: acctest.ErrorPattern(c.want),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: withEcho(env),
		Steps:                    steps,
	})
}
