package server_test

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

var (
	ipv4Pattern = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
	ipv6Pattern = regexp.MustCompile(`^[0-9a-f:]*:[0-9a-f:]*$`)
)

// simulatorAddresses returns a simulator server's first IPv4 and first IPv6 address, told apart
// by the colon only IPv6 addresses have: an oracle that does not share the provider's parsing.
func simulatorAddresses(s simulator.ServerSnapshot) (v4, v6 string) {
	for _, ip := range slices.Backward(s.IPAddresses) {
		if strings.Contains(ip, ":") {
			v6 = ip
		} else {
			v4 = ip
		}
	}
	return v4, v6
}

// addressChecks are state checks of the delivered flexmetal_server.test's addresses: ip_address
// is ipv4_address, and both families are there.
func addressChecks() []statecheck.StateCheck {
	const addr = acctest.ServerAddr
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("ipv4_address"), knownvalue.StringRegexp(ipv4Pattern)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("ipv6_address"), knownvalue.StringRegexp(ipv6Pattern)),
		statecheck.CompareValuePairs(addr, tfjsonpath.New("ip_address"), addr, tfjsonpath.New("ipv4_address"), compare.ValuesSame()),
	}
}

// matchesSimulator checks that the state's addresses of flexmetal_server.test are the
// simulator's: ip_addresses all of them in the API's order, ip_address and ipv4_address the IPv4
// one, ipv6_address the IPv6 one.
func matchesSimulator(env *acctest.SimEnv) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[acctest.ServerAddr]
		if !ok {
			return fmt.Errorf("%s not in state", acctest.ServerAddr)
		}
		srv, ok := env.Sim.Server(rs.Primary.ID)
		if !ok {
			return fmt.Errorf("server %s not in the simulator", rs.Primary.ID)
		}
		v4, v6 := simulatorAddresses(srv)
		if v4 == "" || v6 == "" {
			return fmt.Errorf("precondition: the simulator's server has addresses %q, want an IPv4 and an IPv6 one", srv.IPAddresses)
		}
		a := rs.Primary.Attributes
		var listed []string
		n, _ := strconv.Atoi(a["ip_addresses.#"])
		for i := range n {
			listed = append(listed, a[fmt.Sprintf("ip_addresses.%d", i)])
		}
		if a["ip_address"] != v4 || a["ipv4_address"] != v4 || a["ipv6_address"] != v6 || !slices.Equal(listed, srv.IPAddresses) {
			return fmt.Errorf("state has ip_address %q, ipv4_address %q, ipv6_address %q, ip_addresses %q; the simulator %q",
				a["ip_address"], a["ipv4_address"], a["ipv6_address"], listed, srv.IPAddresses)
		}
		return nil
	}
}

// talosOS is an os value with Talos kernel parameters, as i3D.net's own provider tests order.
func talosOS(slug, param, value string) string {
	return fmt.Sprintf(`{
    slug = %[1]q
    kernel_params = [
      { key = "siderolink.api", value = "https://omni.example.com/?jointoken=secret" },
      { key = %[2]q, value = %[3]q },
    ]
  }`, slug, param, value)
}

// TestAccServer_talosReinstalledToAnotherRelease does what i3D.net's own provider tests do
// against the real API: order Talos (talos-omni-1116, with kernel parameters and without SSH
// keys), expect an IPv4 and an IPv6 address, then move it to talos-omni-1123 with other
// parameters, here reinstalled in place: the same server keeps both addresses.
func TestAccServer_talosReinstalledToAnotherRelease(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	var id string
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameIPv4 := statecheck.CompareValue(compare.ValuesSame())
	sameIPv6 := statecheck.CompareValue(compare.ValuesSame())
	checks := func() []statecheck.StateCheck {
		return append(addressChecks(),
			sameID.AddStateValue(acctest.ServerAddr, tfjsonpath.New("id")),
			sameIPv4.AddStateValue(acctest.ServerAddr, tfjsonpath.New("ipv4_address")),
			sameIPv6.AddStateValue(acctest.ServerAddr, tfjsonpath.New("ipv6_address")),
			statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
			statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("ip_addresses"), knownvalue.ListSizeExact(2)),
		)
	}
	talos := func(os string) string {
		return env.Config(acctest.ServerHCL{Name: "talos-1", OS: os, SSHKeys: "null", Extra: inPlace}.Render())
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				Config:            talos(talosOS(simulator.OSTalosOmni1116, "talos.customparam", "123456")),
				ConfigStateChecks: checks(),
				Check: resource.ComposeTestCheckFunc(acctest.CaptureID(acctest.ServerAddr, &id), matchesSimulator(env), func(*terraform.State) error {
					s, _ := env.Sim.Server(id)
					if s.OSSlug != simulator.OSTalosOmni1116 || len(s.SSHKeys) != 0 || len(s.KernelParams) != 2 || s.KernelParams[1].Value != "123456" {
						return fmt.Errorf("the order carried %+v, want %s, no SSH keys and both kernel parameters", s, simulator.OSTalosOmni1116)
					}
					return nil
				}),
			},
			{
				Config: talos(talosOS(simulator.OSTalosOmni1123, "talos.customparam_changed", "654321")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.ServerAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(acctest.ServerAddr, tfjsonpath.New("delivered_at")),
					// A reinstall keeps the server's addresses, so the plan knows them.
					plancheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("ipv4_address"), knownvalue.StringRegexp(ipv4Pattern)),
					plancheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("ipv6_address"), knownvalue.StringRegexp(ipv6Pattern)),
				}},
				ConfigStateChecks: append(checks(),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("os").AtMapKey("slug"), knownvalue.StringExact(simulator.OSTalosOmni1123)),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("os").AtMapKey("kernel_params").AtSliceIndex(1).AtMapKey("key"), knownvalue.StringExact("talos.customparam_changed")),
				),
				Check: resource.ComposeTestCheckFunc(reinstalled(env, &id, 1, "talos-1", simulator.OSTalosOmni1123), matchesSimulator(env), func(*terraform.State) error {
					last, _ := env.Sim.LastReinstall(id)
					if len(last.SSHKeys) != 0 || len(last.OS.KernelParams) != 2 || last.OS.KernelParams[1] != (simulator.KernelParam{Key: "talos.customparam_changed", Value: "654321"}) {
						return fmt.Errorf("the reinstall sent %+v, want no SSH keys and the new kernel parameters", last)
					}
					return nil
				}),
			},
		},
	})
}

// TestAccServer_customIPXE orders a server that boots a custom iPXE script, as i3D.net's own
// provider tests do: the script's URL reaches the API, and the server has both addresses.
func TestAccServer_customIPXE(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	const script = "https://boot.example.com/flatcar.ipxe"
	// Without SSH keys, as i3D.net's own tests order it from the real API: the script installs
	// the system.
	cfg := env.Config(acctest.ServerHCL{Name: "ipxe-1", SSHKeys: "[]", OS: fmt.Sprintf(`{
    slug            = %q
    ipxe_script_url = %q
  }`, simulator.OSCustomIPXE, script)}.Render())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: append(addressChecks(),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("os").AtMapKey("slug"), knownvalue.StringExact(simulator.OSCustomIPXE)),
					statecheck.ExpectKnownValue(acctest.ServerAddr, tfjsonpath.New("os").AtMapKey("ipxe_script_url"), knownvalue.StringExact(script)),
				),
				Check: resource.ComposeTestCheckFunc(matchesSimulator(env), func(s *terraform.State) error {
					srv, _ := env.Sim.Server(s.RootModule().Resources[acctest.ServerAddr].Primary.ID)
					if srv.OSSlug != simulator.OSCustomIPXE || srv.IPXEScriptURL != script {
						return fmt.Errorf("the order carried os %q with ipxeScriptUrl %q, want %q with %q", srv.OSSlug, srv.IPXEScriptURL, simulator.OSCustomIPXE, script)
					}
					return nil
				}),
			},
			{
				ResourceName:            acctest.ServerAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"ssh_keys", "timeouts", "os.ipxe_script_url"},
			},
		},
	})
}
