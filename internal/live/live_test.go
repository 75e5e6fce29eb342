package live_test

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const (
	serverAddr = "flexmetal_server.test"
	keyAddr    = "flexmetal_ssh_key.test"
	tagAddr    = "flexmetal_tag.test"
)

// Timeouts of the server the tests order: deliveries and reinstalls take 10 to 30 minutes on the
// real API, releases a few. The make target's -timeout covers all of them in a row.
const serverTimeouts = `  timeouts = {
    create = "60m"
    update = "60m"
    delete = "30m"
  }`

var uuidPattern = regexp.MustCompile(`^[0-9a-f-]{36}$`)

// catalogHCL looks the ordered server's location, instance type and OS up in the catalog, so a
// wrong FLEXMETAL_LIVE_* value fails at plan time, before anything is ordered.
func catalogHCL(r *run) string {
	return fmt.Sprintf(`
data "flexmetal_location" "test" {
  name = %[1]q
}

data "flexmetal_instance_type" "test" {
  location = data.flexmetal_location.test.name
  name     = %[2]q
}

data "flexmetal_operating_system" "test" {
  slug = %[3]q
}
`, r.settings.Location, r.settings.InstanceType, r.settings.OS)
}

// serverHCL is the ordered server, with a stored SSH key and the account tags it may carry (the
// API keeps a tag in the account once a server carried it: managed as flexmetal_tag, it is
// deleted at destroy). allow_reinstall lets a name change reinstall the server in place instead of
// ordering a second one. tag is "a" or "b".
func serverHCL(r *run, name, tag, publicKey string) string {
	return fmt.Sprintf(`
resource "flexmetal_ssh_key" "test" {
  name       = %[1]q
  public_key = %[2]q
}

resource "flexmetal_tag" "a" {
  name = %[3]q
}

resource "flexmetal_tag" "b" {
  name = %[4]q
}

resource "flexmetal_server" "test" {
  name            = %[5]q
  location        = data.flexmetal_instance_type.test.location
  instance_type   = data.flexmetal_instance_type.test.name
  os              = { slug = data.flexmetal_operating_system.test.slug }
  ssh_keys        = [flexmetal_ssh_key.test.id]
  tags            = [flexmetal_tag.%[6]s.name]
  allow_reinstall = true
%[7]s
}
`, r.name("key"), publicKey, r.name("a"), r.name("b"), name, tag, serverTimeouts)
}

func TestLive_catalogOffersWhatTheTestsOrder(t *testing.T) {
	r := startLive(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: config(catalogHCL(r)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.flexmetal_location.test", tfjsonpath.New("id"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue("data.flexmetal_instance_type.test", tfjsonpath.New("cores"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue("data.flexmetal_operating_system.test", tfjsonpath.New("name"), knownvalue.NotNull()),
			},
			Check: func(s *terraform.State) error {
				osAttrs := s.RootModule().Resources["data.flexmetal_operating_system.test"].Primary.Attributes
				if osAttrs["active"] != "true" || osAttrs["available_for_flexmetal"] != "true" {
					return fmt.Errorf("operating system %s cannot be ordered (active %s, available_for_flexmetal %s): set FLEXMETAL_LIVE_OS to another slug", r.settings.OS, osAttrs["active"], osAttrs["available_for_flexmetal"])
				}
				if a := s.RootModule().Resources["data.flexmetal_instance_type.test"].Primary.Attributes["availability"]; a == "unavailable" {
					return fmt.Errorf("%s is unavailable at %s now: set FLEXMETAL_LIVE_INSTANCE_TYPE or FLEXMETAL_LIVE_LOCATION to one that is available", r.settings.InstanceType, r.settings.Location)
				}
				return nil
			},
		}},
	})
}

// TestLive_serverOrderedRetaggedReinstalledAndImported is the one test that orders a server:
// delivery, a tag change in place, the list data sources, a reinstall in place, import, release.
func TestLive_serverOrderedRetaggedReinstalledAndImported(t *testing.T) {
	r := startLive(t)
	publicKey := newPublicKey(t, r.name("key"))
	firstTag, secondTag := r.name("a"), r.name("b")
	ordered := config(catalogHCL(r), serverHCL(r, r.name("srv"), "a", publicKey))
	retagged := config(catalogHCL(r), serverHCL(r, r.name("srv"), "b", publicKey))
	listed := retagged + fmt.Sprintf(`
data "flexmetal_servers" "test" {
  tags = [%q]
}

data "flexmetal_ssh_keys" "all" {}
`, secondTag)
	reinstalled := config(catalogHCL(r), serverHCL(r, r.name("srv-reinstalled"), "b", publicKey))

	var id string
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameIP := statecheck.CompareValue(compare.ValuesSame())
	kept := func(name, tag string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			sameID.AddStateValue(serverAddr, tfjsonpath.New("id")),
			sameIP.AddStateValue(serverAddr, tfjsonpath.New("ip_address")),
			statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
			statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
			statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(tag)})),
		}
	}
	// apiHas asks the API, not the state, whether the server has this name and exactly this tag.
	apiHas := func(name, tag string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			srv, err := r.apiServer(id)
			if err != nil {
				return err
			}
			if srv.Name != name || !slices.Equal(srv.Tags, []string{tag}) || srv.Status != "delivered" {
				return fmt.Errorf("the API reports server %s as %q, tags %q, status %q; want %q, [%q], delivered", id, srv.Name, srv.Tags, srv.Status, name, tag)
			}
			return nil
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             r.checkGone,
		Steps: []resource.TestStep{
			{
				Config: ordered,
				ConfigStateChecks: append(kept(r.name("srv"), firstTag),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("ip_address"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("delivered_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("location"), knownvalue.StringExact(r.settings.Location)),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("instance_type"), knownvalue.StringExact(r.settings.InstanceType)),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("os").AtMapKey("slug"), knownvalue.StringExact(r.settings.OS)),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
				),
				Check: resource.ComposeTestCheckFunc(
					func(s *terraform.State) error { id = s.RootModule().Resources[serverAddr].Primary.ID; return nil },
					apiHas(r.name("srv"), firstTag),
				),
			},
			{
				// A tag change updates the server in place, without a reinstall: delivered_at
				// stays known in the plan.
				Config: retagged,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("delivered_at"), knownvalue.NotNull()),
				}},
				ConfigStateChecks: kept(r.name("srv"), secondTag),
				Check:             apiHas(r.name("srv"), secondTag),
			},
			{
				// The list data sources find the server by its new tag, and the stored key.
				Config: listed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("data.flexmetal_servers.test", "servers.#", "1"),
					resource.TestCheckResourceAttrPtr("data.flexmetal_servers.test", "servers.0.id", &id),
					resource.TestCheckResourceAttr("data.flexmetal_servers.test", "servers.0.status", "delivered"),
					resource.TestCheckTypeSetElemNestedAttrs("data.flexmetal_ssh_keys.all", "ssh_keys.*", map[string]string{
						"name":       r.name("key"),
						"public_key": publicKey,
					}),
				),
			},
			{
				// A name change with allow_reinstall = true reinstalls the same server: same id
				// and IP address, delivered again.
				Config: reinstalled,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(serverAddr, tfjsonpath.New("delivered_at")),
				}},
				ConfigStateChecks: kept(r.name("srv-reinstalled"), secondTag),
				Check:             apiHas(r.name("srv-reinstalled"), secondTag),
			},
			{
				ResourceName:      serverAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// The API does not report keys, scripts or these Terraform-only settings back.
				ImportStateVerifyIgnore: []string{"ssh_keys", "post_install_script", "timeouts", "allow_reinstall"},
			},
		},
	})
}

func TestLive_sshKeyStoredReadAndImported(t *testing.T) {
	r := startLive(t)
	publicKey := newPublicKey(t, r.name("key"))
	cfg := config(fmt.Sprintf(`
resource "flexmetal_ssh_key" "test" {
  name       = %[1]q
  public_key = %[2]q
}

data "flexmetal_ssh_key" "test" {
  id = flexmetal_ssh_key.test.id
}
`, r.name("key"), publicKey))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             r.checkGone,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("fingerprint"), knownvalue.StringRegexp(regexp.MustCompile(`^SHA256:`))),
					statecheck.ExpectKnownValue("data.flexmetal_ssh_key.test", tfjsonpath.New("name"), knownvalue.StringExact(r.name("key"))),
					statecheck.ExpectKnownValue("data.flexmetal_ssh_key.test", tfjsonpath.New("public_key"), knownvalue.StringExact(publicKey)),
				},
			},
			{
				ResourceName:      keyAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

func TestLive_tagCreatedRenamedInPlaceAndImported(t *testing.T) {
	r := startLive(t)
	tagHCL := func(name string) string {
		return config(fmt.Sprintf(`
resource "flexmetal_tag" "test" {
  name = %q
}
`, name))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             r.checkGone,
		Steps: []resource.TestStep{
			{
				Config: tagHCL(r.name("tag")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tagAddr, tfjsonpath.New("id"), knownvalue.StringExact(r.name("tag"))),
				},
			},
			{
				Config: tagHCL(r.name("tag-renamed")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tagAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tagAddr, tfjsonpath.New("id"), knownvalue.StringExact(r.name("tag-renamed"))),
				},
			},
			{
				ResourceName:      tagAddr,
				ImportState:       true,
				ImportStateId:     r.name("tag-renamed"),
				ImportStateVerify: true,
			},
		},
	})
}
