package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// TestAccServer_planFailsWhenAPIUnusable: a plan that cannot reach the API, or whose key the API
// refuses, must fail (not warn and plan "to add"), quickly, naming the URL and the cause.
func TestAccServer_planFailsWhenAPIUnusable(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	httpsToPlain := strings.Replace(env.url, "http://", "https://", 1)
	cases := []struct {
		name, baseURL, apiKey, want string
	}{
		{"wrong key", env.url, "not-the-key", `(?s)FlexMetal API Refused the Credentials.*HTTP 403.*Check api_key`},
		{"nothing listening", "http://127.0.0.1:1", simulator.DefaultAPIKey, `(?s)Unable to Reach the FlexMetal API.*127\.0\.0\.1:1.*refused`},
		{"https to a plain http endpoint", httpsToPlain, simulator.DefaultAPIKey, `(?s)Unable to Reach the FlexMetal API.*` + strings.TrimPrefix(httpsToPlain, "https://") + `.*(?i:plain HTTP)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { accPreCheck(t) },
				ProtoV6ProviderFactories: env.factories,
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
provider "flexmetal" {
  base_url = %q
  api_key  = %q
}
`, c.baseURL, c.apiKey) + serverHCL{Name: "unusable-api"}.render(),
					PlanOnly:    true,
					ExpectError: errorPattern(c.want),
				}},
			})
		})
	}
	for _, r := range env.sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("a failed plan wrote to the API: %s %s", r.Method, r.Path)
		}
	}
}

// TestAccServer_apiFieldErrorPointsAtAttribute: when the API rejects a property of the order,
// the error names the user's attribute (ssh_keys[1]), not the resource and the API's field name.
func TestAccServer_apiFieldErrorPointsAtAttribute(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{{
			// A well-formed UUID passes plan; only the API knows no stored key has it.
			Config:      env.config(serverHCL{Name: "unknown-key", SSHKeys: fmt.Sprintf("[%q, %q]", testPublicKey, "00000000-0000-4000-8000-000000000000")}.render()),
			ExpectError: errorPattern(`(?s)Unable to Create Server.*in resource "flexmetal_server" "test":\s+\d+:\s+ssh_keys\s+=.*The API rejected sshKey\[1\] \(ssh_keys\[1\]\): no stored SSH key`),
		}},
	})
	if n := len(env.liveServers()); n != 0 {
		t.Errorf("%d servers exist after a refused order", n)
	}
}

func TestAccServer_importRejectsNonUUID(t *testing.T) {
	env := newSimEnv(t, simulator.Config{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{{
			Config:        env.config(serverHCL{Name: "web-1"}.render()),
			ResourceName:  serverAddr,
			ImportState:   true,
			ImportStateId: "web-1",
			ExpectError:   errorPattern(`(?s)Invalid Import ID.*Expected a server UUID, got "web-1"`),
		}},
	})
}
