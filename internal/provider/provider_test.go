package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

func TestAccProvider_missingAPIKeyIsAttributeError(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	t.Setenv(shared.EnvAPIKey, "")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "flexmetal" {
  base_url = %q
}
data "flexmetal_locations" "all" {}
`, env.URL),
			ExpectError: acctest.ErrorPattern(`(?s)Missing FlexMetal API Key.*FLEXMETAL_API_KEY`),
		}},
	})
}

func TestAccProvider_plainHTTPRefusedForRemoteHost(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: `
provider "flexmetal" {
  base_url = "http://api.example.com"
  api_key  = "k"
}
data "flexmetal_locations" "all" {}
`,
			ExpectError: acctest.ErrorPattern(`(?s)Invalid FlexMetal Base URL.*plain http is refused`),
		}},
	})
}

func TestAccProvider_invalidPollIntervalIsAttributeError(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "flexmetal" {
  base_url      = %q
  api_key       = "k"
  poll_interval = "ten seconds"
}
data "flexmetal_locations" "all" {}
`, env.URL),
			ExpectError: acctest.ErrorPattern(`(?s)Invalid Duration.*"ten seconds" is not a duration`),
		}},
	})
}

func TestCheckBaseURL(t *testing.T) {
	cases := []struct {
		url  string
		want string // substring of the complaint, "" for accepted
	}{
		{"https://api.i3d.net", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://localhost:8080", ""},
		{"http://[::1]:8080", ""},
		{"http://api.i3d.net", "plain http is refused"},
		{"http://10.0.0.1", "plain http is refused"},
		{"api.i3d.net", "absolute URL"},
		{"ftp://api.i3d.net", "absolute URL"},
		{"https://api.i3d.net/?x=1", "query string"},
	}
	for _, c := range cases {
		got := shared.CheckBaseURL(c.url)
		if c.want == "" && got != "" || c.want != "" && !regexp.MustCompile(regexp.QuoteMeta(c.want)).MatchString(got) {
			t.Errorf("checkBaseURL(%q) = %q, want %q", c.url, got, c.want)
		}
	}
}
