package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// TestAccServer_planFailsWhenAPIUnusable: a plan that cannot reach the API, or whose key the API
// refuses, must fail (not warn and plan "to add"), quickly, naming the URL and the cause. With a
// count of servers the error comes once (internal/e2e counts it), and still nothing is applied.
func TestAccServer_planFailsWhenAPIUnusable(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	httpsToPlain := strings.Replace(env.URL, "http://", "https://", 1)
	cases := []struct {
		name, baseURL, apiKey, want string
	}{
		{"wrong key", env.URL, "not-the-key", `(?s)FlexMetal API Refused the Credentials.*HTTP 403.*Check api_key`},
		{"nothing listening", "http://127.0.0.1:1", simulator.DefaultAPIKey, `(?s)Unable to Reach the FlexMetal API.*127\.0\.0\.1:1.*refused`},
		{"https to a plain http endpoint", httpsToPlain, simulator.DefaultAPIKey, `(?s)Unable to Reach the FlexMetal API.*` + strings.TrimPrefix(httpsToPlain, "https://") + `.*(?i:plain HTTP)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: env.Factories,
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
provider "flexmetal" {
  base_url = %q
  api_key  = %q
}
`, c.baseURL, c.apiKey) + acctest.ServerHCL{Name: "unusable-api", Extra: "  count = 3"}.Render(),
					PlanOnly:    true,
					ExpectError: acctest.ErrorPattern(c.want),
				}},
			})
		})
	}
	for _, r := range env.Sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("a failed plan wrote to the API: %s %s", r.Method, r.Path)
		}
	}
}

// TestAccServer_apiFieldErrorPointsAtAttribute: when the API rejects a property of the order,
// the error names the user's attribute (ssh_keys[1]), not the resource and the API's field name.
func TestAccServer_apiFieldErrorPointsAtAttribute(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			// A well-formed UUID passes plan; only the API knows no stored key has it.
			Config:      env.Config(acctest.ServerHCL{Name: "unknown-key", SSHKeys: fmt.Sprintf("[%q, %q]", acctest.TestPublicKey, "00000000-0000-4000-8000-000000000000")}.Render()),
			ExpectError: acctest.ErrorPattern(`(?s)Unable to Create Server.*in resource "flexmetal_server" "test":\s+\d+:\s+ssh_keys\s+=.*The API rejected sshKey\[1\] \(ssh_keys\[1\]\): no stored SSH key`),
		}},
	})
	if n := len(env.LiveServers()); n != 0 {
		t.Errorf("%d servers exist after a refused order", n)
	}
}

func TestAccServer_importRejectsNonUUID(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config:        env.Config(acctest.ServerHCL{Name: "web-1"}.Render()),
			ResourceName:  acctest.ServerAddr,
			ImportState:   true,
			ImportStateId: "web-1",
			ExpectError:   acctest.ErrorPattern(`(?s)Invalid Import ID.*Expected a server UUID, got "web-1"`),
		}},
	})
}
