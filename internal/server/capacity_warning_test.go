package server_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// groupsHCL is, per group, count servers of one instance type at one location.
func groupsHCL(e *acctest.SimEnv, groups ...serverGroup) string {
	hcl := tfrun.ProviderBlock(e.URL, simulator.DefaultAPIKey, acctest.Poll.String())
	for i, g := range groups {
		hcl += fmt.Sprintf(`
resource "flexmetal_server" "g%[1]d" {
  count         = %[2]d
  name          = "g%[1]d-${count.index}"
  location      = %[3]q
  instance_type = %[4]q
  os            = { slug = %[5]q }
  ssh_keys      = [%[6]q]
}
`, i, g.count, g.location, g.instanceType, simulator.OSUbuntu2404, simulator.ExamplePublicKeyEd25519)
	}
	return hcl
}

// planDiagnostic is a diagnostic of terraform plan -json.
type planDiagnostic struct {
	Summary string `json:"summary"`
	Detail  string `json:"detail"`
	Address string `json:"address"`
	Range   *struct {
		Filename string `json:"filename"`
	} `json:"range"`
}

// planWarnings returns the warnings of terraform plan -json output.
func planWarnings(t *testing.T, out string) []planDiagnostic {
	t.Helper()
	var warnings []planDiagnostic
	for _, line := range strings.Split(out, "\n") {
		var msg struct {
			Level      string         `json:"@level"`
			Type       string         `json:"type"`
			Diagnostic planDiagnostic `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil || msg.Type != "diagnostic" {
			continue
		}
		if msg.Level == "error" {
			t.Fatalf("plan failed: %s: %s", msg.Diagnostic.Summary, msg.Diagnostic.Detail)
		}
		warnings = append(warnings, msg.Diagnostic)
	}
	return warnings
}

type serverGroup struct {
	count                  int
	location, instanceType string
}

// TestAccServer_planWarnsAboutCapacityOncePerLocationAndType plans servers against availability
// set in the simulator: an unavailable type warns once per location and type, however many
// servers order it, naming where it is available now, best first; low availability warns only
// when the plan orders more than one server of the type there; ample capacity says nothing.
func TestAccServer_planWarnsAboutCapacityOncePerLocationAndType(t *testing.T) {
	acctest.PreCheck(t)
	const (
		bm7 = simulator.InstanceTypeBM7Std8
		bm9 = simulator.InstanceTypeBM9Hmm32
	)
	// Where bm7.std.8 is offered besides Hong Kong and Rotterdam: Sao Paulo, Montreuil, Dallas
	// and Los Angeles.
	availability := map[simulator.QuotaKey]string{
		{Location: simulator.LocationHongKong, InstanceType: bm7}:   simulator.AvailabilityUnavailable,
		{Location: simulator.LocationDallas, InstanceType: bm7}:     simulator.AvailabilityMedium,
		{Location: simulator.LocationMontreuil, InstanceType: bm7}:  simulator.AvailabilityLow,
		{Location: simulator.LocationSaoPaulo, InstanceType: bm7}:   simulator.AvailabilityUnavailable,
		{Location: simulator.LocationRotterdam, InstanceType: bm9}:  simulator.AvailabilityLow,
		{Location: simulator.LocationDubai, InstanceType: bm9}:      simulator.AvailabilityUnavailable,
		{Location: simulator.LocationAshburn, InstanceType: bm9}:    simulator.AvailabilityUnavailable,
		{Location: simulator.LocationRotterdam, InstanceType: bm7}:  simulator.AvailabilityHigh,
		{Location: simulator.LocationLosAngeles, InstanceType: bm7}: simulator.AvailabilityHigh,
	}
	cases := []struct {
		name        string
		groups      []serverGroup
		unavailable []string // the details expected, one warning each
		low         []string
	}{
		{
			name:   "unavailable warns once per location and type, naming where it is available",
			groups: []serverGroup{{3, simulator.LocationHongKong, bm7}, {1, simulator.LocationDubai, bm9}, {1, simulator.LocationRotterdam, bm7}},
			unavailable: []string{
				`Instance type "bm7.std.8" is unavailable at "HK: Hong Kong" now: i3D.net has no capacity for it there, so the order is likely to fail at apply. It is available now at "EU: Rotterdam" (high), "US: Los Angeles - CA" (high), "US: Dallas - TX" (medium), "EU: Montreuil 1" (low).`,
				`Instance type "bm9.hmm.32" is unavailable at "AE: Dubai" now: i3D.net has no capacity for it there, so the order is likely to fail at apply. It is available now at "EU: Rotterdam" (low).`,
			},
		},
		{
			name:   "low warns only for more than one server there",
			groups: []serverGroup{{2, simulator.LocationMontreuil, bm7}, {1, simulator.LocationRotterdam, bm9}},
			low: []string{
				`This plan orders at least 2 bm7.std.8 servers at "EU: Montreuil 1", where i3D.net reports low availability for it: a few units left. At apply, the orders beyond what is left fail. It is available now at "EU: Rotterdam" (high), "US: Los Angeles - CA" (high), "US: Dallas - TX" (medium).`,
			},
		},
		{
			name:   "ample capacity is silent",
			groups: []serverGroup{{3, simulator.LocationRotterdam, bm7}, {3, simulator.LocationDallas, bm7}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := acctest.NewSimEnv(t, simulator.Config{Availability: availability})
			ws := terraformWorkspace(env, t)
			// -json: Terraform folds warnings of one summary into "and one more similar warning".
			out := run(t, ws, groupsHCL(env, c.groups...), "plan", "-json")
			warnings := planWarnings(t, out)
			for _, w := range []struct {
				summary string
				details []string
			}{{shared.UnavailableSummary, c.unavailable}, {shared.LowCapacitySummary, c.low}} {
				var got []string
				for _, d := range warnings {
					if d.Summary == w.summary {
						got = append(got, d.Detail)
						if !regexp.MustCompile(`^flexmetal_server\.g\d\[\d\]$`).MatchString(d.Address) || d.Range == nil {
							t.Errorf("warning %q is on %q, want a server's instance_type line", d.Summary, d.Address)
						}
					}
				}
				if len(got) != len(w.details) {
					t.Fatalf("plan shows %d %q warnings, want %d: %q", len(got), w.summary, len(w.details), got)
				}
				for _, want := range w.details {
					found := false
					for _, g := range got {
						found = found || strings.HasPrefix(g, want)
					}
					if !found {
						t.Errorf("no %q warning starts with\n%s\ngot %q", w.summary, want, got)
					}
				}
			}
			if !strings.Contains(out, `"type":"change_summary"`) {
				t.Errorf("a capacity warning must not stop the plan:\n%s", out)
			}
		})
	}
}

// TestAccServer_planReadsCatalogOnceWithoutDeprecatedEndpoint plans a fleet: locations, plans and
// operating systems are each read once, and the deprecated instance-type endpoint never.
func TestAccServer_planReadsCatalogOnceWithoutDeprecatedEndpoint(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.NewSimEnv(t, simulator.Config{})
	ws := terraformWorkspace(env, t)
	run(t, ws, groupsHCL(env, serverGroup{5, simulator.LocationRotterdam, simulator.InstanceTypeBM7Std8}, serverGroup{2, simulator.LocationAshburn, simulator.InstanceTypeBM9Hmm32}), "plan")
	for path, want := range map[string]int{
		"/v3/flexMetal/plans":     1,
		"/v3/flexMetal/location":  1, // the prefix also counts the deprecated endpoint's requests
		"/v3/flexMetal/location/": 0,
		"/v3/operatingsystem":     1,
	} {
		if n := env.Sim.CountRequests("GET", path); n != want {
			t.Errorf("%d GET %s, want %d", n, path, want)
		}
	}
}
