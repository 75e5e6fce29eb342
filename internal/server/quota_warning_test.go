package server_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// terraformWorkspace serves env's provider in this process and prepares a workspace that runs
// the terraform on PATH against it: terraform-plugin-testing cannot show a plan's warnings.
// Each terraform command configures the provider anew, as a real run's fresh process does.
func terraformWorkspace(e *acctest.SimEnv, t *testing.T) *tfrun.Workspace {
	t.Helper()
	tf, err := tfrun.Binary()
	if err != nil {
		t.Fatalf("no terraform binary: %v", err)
	}
	// The provider served here logs to this process's stderr, at TRACE unless told otherwise.
	for _, v := range []string{"TF_LOG_PROVIDER", "TF_LOG_PROVIDER_FLEXMETAL", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		t.Setenv(v, "OFF")
	}
	reattach, stop, err := tfrun.ServeProvider(context.Background(), tfrun.RegistryHost(tf), func() tfprotov6.ProviderServer {
		server, err := e.Factories[shared.TypeName]()
		if err != nil {
			panic(err)
		}
		return server
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	// dev_overrides needs a directory; the reattached provider is used instead of any binary.
	ws, err := tfrun.NewWorkspace(tf, t.TempDir(), t.TempDir(), reattach)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// fleetHCL is count servers of one instance type in Rotterdam; extra adds attribute lines.
func fleetHCL(e *acctest.SimEnv, count int, instanceType, extra string) string {
	return tfrun.ProviderBlock(e.URL, simulator.DefaultAPIKey, acctest.Poll.String()) + fmt.Sprintf(`
resource "flexmetal_server" "web" {
  count         = %[1]d
  name          = "web-${count.index}"
  location      = %[2]q
  instance_type = %[3]q
  os            = { slug = %[4]q }
  ssh_keys      = [%[5]q]
%[6]s
}
`, count, simulator.LocationRotterdam, instanceType, simulator.OSUbuntu2404, simulator.ExamplePublicKeyEd25519, extra)
}

// run writes hcl and runs terraform with args, failing the test on error.
func run(t *testing.T, ws *tfrun.Workspace, hcl string, args ...string) string {
	t.Helper()
	if err := ws.WriteConfig(hcl); err != nil {
		t.Fatal(err)
	}
	out, err := ws.Run(t.Context(), append(args, "-no-color")...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// quotaReads counts the simulator's quota requests since the last reset, and resets.
func quotaReads(env *acctest.SimEnv) int {
	n := env.Sim.CountRequests("GET", "/v3/flexMetal/quota/usage")
	env.Sim.ResetRequests()
	return n
}

// expectOverQuotaWarning checks that out shows exactly one over-quota warning, on one of the
// web servers' instance_type, and that its text matches detail (spaces match any white space:
// terraform wraps the text).
func expectOverQuotaWarning(t *testing.T, out, detail string) {
	t.Helper()
	if n := strings.Count(out, "Warning: "+shared.OverQuotaSummary); n != 1 {
		t.Fatalf("plan shows %d %q warnings, want exactly 1:\n%s", n, shared.OverQuotaSummary, out)
	}
	want := acctest.ErrorPattern(`(?s)Warning: ` + shared.OverQuotaSummary + `.*with flexmetal_server\.web\[\d\],.*instance_type = .*` + detail)
	if !want.MatchString(out) {
		t.Fatalf("plan output does not match %s:\n%s", want, out)
	}
}

func expectNoOverQuotaWarning(t *testing.T, out string) {
	t.Helper()
	if strings.Contains(out, shared.OverQuotaSummary) {
		t.Fatalf("plan warns about the quota, want no warning:\n%s", out)
	}
}

func TestAccServer_planWarnsOnceWhenOrdersExceedQuota(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.NewSimEnv(t, simulator.Config{OnDemandQuota: map[simulator.QuotaKey]int{{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8}: 2}})
	ws := terraformWorkspace(env, t)
	bm7 := simulator.InstanceTypeBM7Std8

	out := run(t, ws, fleetHCL(env, 3, bm7, ""), "plan")
	expectOverQuotaWarning(t, out, regexp.QuoteMeta(`This plan orders at least 3 bm7.std.8 servers at EU: Rotterdam, but the account's quota leaves room for 2 (on-demand quota: 2, 0 in use).`))
	if !strings.Contains(out, "3 to add") {
		t.Errorf("the warning must not stop the plan:\n%s", out)
	}
	if n := quotaReads(env); n != 1 {
		t.Errorf("planning 3 servers read the quota %d times, want once", n)
	}

	run(t, ws, fleetHCL(env, 2, bm7, ""), "apply", "-auto-approve")
	quotaReads(env)
	expectNoOverQuotaWarning(t, run(t, ws, fleetHCL(env, 2, bm7, ""), "plan", "-detailed-exitcode"))
	if n := quotaReads(env); n != 0 {
		t.Errorf("a plan without changes read the quota %d times, want none", n)
	}
	out = run(t, ws, fleetHCL(env, 2, bm7, `  tags = ["env:test"]`), "plan")
	expectNoOverQuotaWarning(t, out)
	if !strings.Contains(out, "0 to add, 2 to change") {
		t.Errorf("want an in-place update:\n%s", out)
	}
	if n := quotaReads(env); n != 0 {
		t.Errorf("a plan that orders nothing read the quota %d times, want none", n)
	}

	// The quota is full: one more server is one too many.
	out = run(t, ws, fleetHCL(env, 3, bm7, ""), "plan")
	expectOverQuotaWarning(t, out, regexp.QuoteMeta(`This plan orders at least 1 bm7.std.8 server at EU: Rotterdam, but the account's quota leaves room for 0 (on-demand quota: 2, 2 in use).`))
	if n := quotaReads(env); n != 1 {
		t.Errorf("planning 1 server read the quota %d times, want once", n)
	}

	run(t, ws, fleetHCL(env, 2, bm7, ""), "destroy", "-auto-approve")
	if n := quotaReads(env); n != 0 {
		t.Errorf("destroy read the quota %d times, want none", n)
	}
}

// TestAccServer_planCountsReplacementsThatNeedQuota replaces two full-quota servers: within the
// same quota the old servers free what the new ones take, so nothing is counted; moved to an
// instance type with room for one, the second replacement is one too many.
func TestAccServer_planCountsReplacementsThatNeedQuota(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.NewSimEnv(t, simulator.Config{OnDemandQuota: map[simulator.QuotaKey]int{
		{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8}:  2,
		{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM8Std32}: 1,
	}})
	ws := terraformWorkspace(env, t)
	run(t, ws, fleetHCL(env, 2, simulator.InstanceTypeBM7Std8, ""), "apply", "-auto-approve")
	quotaReads(env)

	out := run(t, ws, fleetHCL(env, 2, simulator.InstanceTypeBM7Std8, "  overflow = true"), "plan")
	expectNoOverQuotaWarning(t, out)
	if !strings.Contains(out, "2 to add, 0 to change, 2 to destroy") {
		t.Errorf("want two replacements:\n%s", out)
	}
	if n := quotaReads(env); n != 0 {
		t.Errorf("replacements within the same quota read the quota %d times, want none", n)
	}

	out = run(t, ws, fleetHCL(env, 2, simulator.InstanceTypeBM8Std32, ""), "plan")
	expectOverQuotaWarning(t, out, regexp.QuoteMeta(`This plan orders at least 2 bm8.std.32 servers at EU: Rotterdam, but the account's quota leaves room for 1 (on-demand quota: 1, 0 in use).`))
	if n := quotaReads(env); n != 1 {
		t.Errorf("planning 2 replacements read the quota %d times, want once", n)
	}
}

// TestAccServer_planWithUnreadableQuotaIsNoDiagnostic: the API stays the judge, so a quota that
// cannot be read leaves the plan as it would be without the check (the provider logs it at
// WARN; TestQuotaPlanner_unreadableQuotaIsNotJudgedAndReadOnce covers the rest).
func TestAccServer_planWithUnreadableQuotaIsNoDiagnostic(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.NewSimEnv(t, simulator.Config{OnDemandQuota: map[simulator.QuotaKey]int{{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8}: 0}})
	env.Sim.AddFault(simulator.Fault{Method: "GET", PathPrefix: "/v3/flexMetal/quota/usage", Kind: simulator.FaultStatus, Status: 500})
	ws := terraformWorkspace(env, t)
	out := run(t, ws, fleetHCL(env, 3, simulator.InstanceTypeBM7Std8, ""), "plan")
	if !strings.Contains(out, "3 to add") {
		t.Errorf("want the plan:\n%s", out)
	}
	if n := strings.Count(out, "Warning:") - strings.Count(out, "Warning: Provider development overrides"); n != 0 {
		t.Errorf("plan shows %d warnings, want none:\n%s", n, out)
	}
	if env.Sim.CountRequests("GET", "/v3/flexMetal/quota/usage") == 0 {
		t.Error("the quota was not requested: the test does not test the failure")
	}
}

// TestAccServer_orderBeyondQuotaFailsAtApply: the plan's warning is advice, the API the judge:
// of three servers against a quota of two, the third order is refused on instance_type.
func TestAccServer_orderBeyondQuotaFailsAtApply(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{OnDemandQuota: map[simulator.QuotaKey]int{{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8}: 2}})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		CheckDestroy:             env.CheckAllReleased,
		Steps: []resource.TestStep{{
			Config:      env.Config(strings.Replace(acctest.ServerHCL{Name: "web", Extra: "  count = 3"}.Render(), `name          = "web"`, `name          = "web-${count.index}"`, 1)),
			ExpectError: acctest.ErrorPattern(`(?s)Unable to Create Server.*instance_type.*the on-demand quota for bm7.std.8 at EU: Rotterdam is 2 and 2 are in use`),
		}},
	})
	if n := len(env.LiveServers()); n != 0 {
		t.Errorf("%d servers left running", n)
	}
}
