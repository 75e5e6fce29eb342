package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

func onDemandLine(quota, usage int64) flexmetal.Quota {
	return flexmetal.Quota{Location: "EU: Rotterdam", InstanceType: "bm7.std.8", Type: flexmetal.QuotaTypeOnDemand, Quota: quota, Usage: usage}
}

func commitLine(contract string, quota, usage int64) flexmetal.Quota {
	return flexmetal.Quota{Location: "EU: Rotterdam", InstanceType: "bm7.std.8", Type: flexmetal.QuotaTypeCommit, ContractID: contract, Quota: quota, Usage: usage}
}

func orders(n int, o quotaOrder) []quotaOrder {
	out := make([]quotaOrder, n)
	for i := range out {
		out[i] = o
	}
	return out
}

func TestPlaceable(t *testing.T) {
	plain, overflow := quotaOrder{}, quotaOrder{overflow: true}
	named := func(c string, overflow bool) quotaOrder { return quotaOrder{contract: c, overflow: overflow} }
	cases := []struct {
		name   string
		lines  []flexmetal.Quota
		orders []quotaOrder
		want   int64
	}{
		{"on-demand room", []flexmetal.Quota{onDemandLine(5, 1)}, orders(3, plain), 3},
		{"on-demand short", []flexmetal.Quota{onDemandLine(2, 0)}, orders(3, plain), 2},
		{"on-demand over-used", []flexmetal.Quota{onDemandLine(1, 3)}, orders(1, plain), 0},
		{"named contract fills its pool", []flexmetal.Quota{onDemandLine(10, 0), commitLine("A", 2, 0)}, orders(3, named("A", false)), 2},
		{"named contract overflows on-demand", []flexmetal.Quota{onDemandLine(10, 0), commitLine("A", 2, 0)}, orders(3, named("A", true)), 3},
		{"other contract's pool is not used", []flexmetal.Quota{onDemandLine(0, 0), commitLine("A", 1, 0), commitLine("B", 5, 0)}, orders(2, named("A", false)), 1},
		{"unnamed uses any pool", []flexmetal.Quota{onDemandLine(0, 0), commitLine("A", 1, 0), commitLine("B", 1, 1), commitLine("C", 2, 0)}, orders(4, plain), 3},
		{"unnamed needs overflow beyond the pools", []flexmetal.Quota{onDemandLine(5, 0), commitLine("A", 1, 0)}, append(orders(2, plain), orders(2, overflow)...), 3},
		{"non-overflow orders get the pool first", []flexmetal.Quota{onDemandLine(5, 0), commitLine("A", 1, 0)}, []quotaOrder{overflow, plain}, 2},
		{"named orders get their pool before unnamed ones", []flexmetal.Quota{onDemandLine(0, 0), commitLine("A", 1, 0), commitLine("B", 1, 0)}, []quotaOrder{plain, named("A", false)}, 2},
		{"contract without a pool here is on-demand", []flexmetal.Quota{onDemandLine(1, 0)}, orders(2, named("X", false)), 1},
		{"no on-demand line: not limited", []flexmetal.Quota{commitLine("A", 1, 0)}, orders(3, overflow), 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := placeable(c.lines, c.orders); got != c.want {
				t.Errorf("placeable = %d, want %d", got, c.want)
			}
		})
	}
}

var rotterdamBM7 = quotaPair{location: "EU: Rotterdam", instanceType: "bm7.std.8"}

// TestQuotaPlanner_warnsOnceAtTheFirstOrderOverQuota orders five servers concurrently against a
// quota with room for two: the quota is read once, and exactly one order, the third counted,
// gets the warning.
func TestQuotaPlanner_warnsOnceAtTheFirstOrderOverQuota(t *testing.T) {
	var fetches atomic.Int32
	p := newQuotaPlanner(func(context.Context) ([]flexmetal.Quota, error) {
		fetches.Add(1)
		return []flexmetal.Quota{onDemandLine(3, 1), {Location: "JP: Tokyo", InstanceType: "bm7.std.8", Type: flexmetal.QuotaTypeOnDemand, Quota: 0}}, nil
	})
	var mu sync.Mutex
	var warnings []*overQuota
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if over := p.order(t.Context(), rotterdamBM7, quotaOrder{}); over != nil {
				mu.Lock()
				warnings = append(warnings, over)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if fetches.Load() != 1 {
		t.Errorf("quota read %d times, want once", fetches.Load())
	}
	if len(warnings) != 1 {
		t.Fatalf("%d warnings, want 1", len(warnings))
	}
	msg := warnings[0].message()
	for _, want := range []string{
		"This plan orders at least 3 bm7.std.8 servers at EU: Rotterdam, but the account's quota leaves room for 2 (on-demand quota: 3, 1 in use).",
		"lower bound",
		"flexmetal_quota",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("warning %q lacks %q", msg, want)
		}
	}
	// Another pair has its own tally and its own warning.
	if over := p.order(t.Context(), quotaPair{location: "JP: Tokyo", instanceType: "bm7.std.8"}, quotaOrder{}); over == nil || over.ordered != 1 || over.placeable != 0 {
		t.Errorf("Tokyo order: %+v, want a warning for 1 ordered, 0 placeable", over)
	}
	// A pair the API reports no quota for is not judged.
	if over := p.order(t.Context(), quotaPair{location: "US: Dallas - TX", instanceType: "bm7.std.8"}, quotaOrder{}); over != nil {
		t.Errorf("order without a quota line warned: %+v", over)
	}
	if fetches.Load() != 1 {
		t.Errorf("quota read %d times, want once", fetches.Load())
	}
}

func TestQuotaPlanner_unreadableQuotaIsNotJudgedAndReadOnce(t *testing.T) {
	var fetches atomic.Int32
	p := newQuotaPlanner(func(context.Context) ([]flexmetal.Quota, error) {
		fetches.Add(1)
		return nil, errors.New("503 Service Unavailable")
	})
	for range 3 {
		if over := p.order(t.Context(), rotterdamBM7, quotaOrder{}); over != nil {
			t.Errorf("warned without a quota: %+v", over)
		}
	}
	if fetches.Load() != 1 {
		t.Errorf("quota read %d times, want once", fetches.Load())
	}
}

func TestOverQuotaMessage_namesCommittedCapacity(t *testing.T) {
	over := &overQuota{pair: rotterdamBM7, ordered: 1, placeable: 0, lines: []flexmetal.Quota{onDemandLine(2, 2), commitLine("CONTRACT-1", 4, 4)}}
	msg := over.message()
	for _, want := range []string{
		"at least 1 bm7.std.8 server at EU: Rotterdam",
		"room for 0",
		"committed capacity of contract CONTRACT-1: 4, 4 in use",
		"on-demand quota: 2, 2 in use",
		"overflow = true",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("warning %q lacks %q", msg, want)
		}
	}
}

func TestReplacementNeedsQuota(t *testing.T) {
	base := serverModel{Location: types.StringValue("EU: Rotterdam"), InstanceType: types.StringValue("bm7.std.8"), ContractID: types.StringValue("A")}
	base.Status = types.StringValue("delivered")
	cases := []struct {
		name   string
		change func(plan, state *serverModel)
		want   bool
	}{
		{"same quota: the old server's is freed first", func(*serverModel, *serverModel) {}, false},
		{"other location", func(p, _ *serverModel) { p.Location = types.StringValue("JP: Tokyo") }, true},
		{"other instance type", func(p, _ *serverModel) { p.InstanceType = types.StringValue("bm8.std.32") }, true},
		{"other contract", func(p, _ *serverModel) { p.ContractID = types.StringValue("B") }, true},
		{"contract left to the API", func(p, _ *serverModel) { p.ContractID = types.StringUnknown() }, false},
		{"failed server holds no quota", func(_, s *serverModel) { s.Status = types.StringValue("failed") }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan, state := base, base
			c.change(&plan, &state)
			if got := replacementNeedsQuota(plan, state); got != c.want {
				t.Errorf("replacementNeedsQuota = %v, want %v", got, c.want)
			}
		})
	}
}

// terraformWorkspace serves env's provider in this process and prepares a workspace that runs
// the terraform on PATH against it: terraform-plugin-testing cannot show a plan's warnings.
// Each terraform command configures the provider anew, as a real run's fresh process does.
func (e *simEnv) terraformWorkspace(t *testing.T, extraEnv ...string) *tfrun.Workspace {
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
		server, err := e.factories[TypeName]()
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
	ws, err := tfrun.NewWorkspace(tf, t.TempDir(), t.TempDir(), append([]string{reattach}, extraEnv...)...)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// fleetHCL is count servers of one instance type in Rotterdam; extra adds attribute lines.
func (e *simEnv) fleetHCL(count int, instanceType, extra string) string {
	return tfrun.ProviderBlock(e.url, simulator.DefaultAPIKey, testPoll.String()) + fmt.Sprintf(`
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
func quotaReads(env *simEnv) int {
	n := env.sim.CountRequests("GET", "/v3/flexMetal/quota/usage")
	env.sim.ResetRequests()
	return n
}

// expectOverQuotaWarning checks that out shows exactly one over-quota warning, on one of the
// web servers' instance_type, and that its text matches detail (spaces match any white space:
// terraform wraps the text).
func expectOverQuotaWarning(t *testing.T, out, detail string) {
	t.Helper()
	if n := strings.Count(out, "Warning: "+overQuotaSummary); n != 1 {
		t.Fatalf("plan shows %d %q warnings, want exactly 1:\n%s", n, overQuotaSummary, out)
	}
	want := errorPattern(`(?s)Warning: ` + overQuotaSummary + `.*with flexmetal_server\.web\[\d\],.*instance_type = .*` + detail)
	if !want.MatchString(out) {
		t.Fatalf("plan output does not match %s:\n%s", want, out)
	}
}

func expectNoOverQuotaWarning(t *testing.T, out string) {
	t.Helper()
	if strings.Contains(out, overQuotaSummary) {
		t.Fatalf("plan warns about the quota, want no warning:\n%s", out)
	}
}

func TestAccServer_planWarnsOnceWhenOrdersExceedQuota(t *testing.T) {
	accPreCheck(t)
	env := newSimEnv(t, simulator.Config{OnDemandQuota: map[simulator.QuotaKey]int{{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8}: 2}})
	ws := env.terraformWorkspace(t)
	bm7 := simulator.InstanceTypeBM7Std8

	out := run(t, ws, env.fleetHCL(3, bm7, ""), "plan")
	expectOverQuotaWarning(t, out, regexp.QuoteMeta(`This plan orders at least 3 bm7.std.8 servers at EU: Rotterdam, but the account's quota leaves room for 2 (on-demand quota: 2, 0 in use).`))
	if !strings.Contains(out, "3 to add") {
		t.Errorf("the warning must not stop the plan:\n%s", out)
	}
	if n := quotaReads(env); n != 1 {
		t.Errorf("planning 3 servers read the quota %d times, want once", n)
	}

	run(t, ws, env.fleetHCL(2, bm7, ""), "apply", "-auto-approve")
	quotaReads(env)
	expectNoOverQuotaWarning(t, run(t, ws, env.fleetHCL(2, bm7, ""), "plan", "-detailed-exitcode"))
	if n := quotaReads(env); n != 0 {
		t.Errorf("a plan without changes read the quota %d times, want none", n)
	}
	out = run(t, ws, env.fleetHCL(2, bm7, `  tags = ["env:test"]`), "plan")
	expectNoOverQuotaWarning(t, out)
	if !strings.Contains(out, "0 to add, 2 to change") {
		t.Errorf("want an in-place update:\n%s", out)
	}
	if n := quotaReads(env); n != 0 {
		t.Errorf("a plan that orders nothing read the quota %d times, want none", n)
	}

	// The quota is full: one more server is one too many.
	out = run(t, ws, env.fleetHCL(3, bm7, ""), "plan")
	expectOverQuotaWarning(t, out, regexp.QuoteMeta(`This plan orders at least 1 bm7.std.8 server at EU: Rotterdam, but the account's quota leaves room for 0 (on-demand quota: 2, 2 in use).`))
	if n := quotaReads(env); n != 1 {
		t.Errorf("planning 1 server read the quota %d times, want once", n)
	}

	run(t, ws, env.fleetHCL(2, bm7, ""), "destroy", "-auto-approve")
	if n := quotaReads(env); n != 0 {
		t.Errorf("destroy read the quota %d times, want none", n)
	}
}

// TestAccServer_planCountsReplacementsThatNeedQuota replaces two full-quota servers: within the
// same quota the old servers free what the new ones take, so nothing is counted; moved to an
// instance type with room for one, the second replacement is one too many.
func TestAccServer_planCountsReplacementsThatNeedQuota(t *testing.T) {
	accPreCheck(t)
	env := newSimEnv(t, simulator.Config{OnDemandQuota: map[simulator.QuotaKey]int{
		{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8}:  2,
		{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM8Std32}: 1,
	}})
	ws := env.terraformWorkspace(t)
	run(t, ws, env.fleetHCL(2, simulator.InstanceTypeBM7Std8, ""), "apply", "-auto-approve")
	quotaReads(env)

	out := run(t, ws, env.fleetHCL(2, simulator.InstanceTypeBM7Std8, "  overflow = true"), "plan")
	expectNoOverQuotaWarning(t, out)
	if !strings.Contains(out, "2 to add, 0 to change, 2 to destroy") {
		t.Errorf("want two replacements:\n%s", out)
	}
	if n := quotaReads(env); n != 0 {
		t.Errorf("replacements within the same quota read the quota %d times, want none", n)
	}

	out = run(t, ws, env.fleetHCL(2, simulator.InstanceTypeBM8Std32, ""), "plan")
	expectOverQuotaWarning(t, out, regexp.QuoteMeta(`This plan orders at least 2 bm8.std.32 servers at EU: Rotterdam, but the account's quota leaves room for 1 (on-demand quota: 1, 0 in use).`))
	if n := quotaReads(env); n != 1 {
		t.Errorf("planning 2 replacements read the quota %d times, want once", n)
	}
}

// TestAccServer_planWithUnreadableQuotaIsNoDiagnostic: the API stays the judge, so a quota that
// cannot be read leaves the plan as it would be without the check (the provider logs it at
// WARN; TestQuotaPlanner_unreadableQuotaIsNotJudgedAndReadOnce covers the rest).
func TestAccServer_planWithUnreadableQuotaIsNoDiagnostic(t *testing.T) {
	accPreCheck(t)
	env := newSimEnv(t, simulator.Config{OnDemandQuota: map[simulator.QuotaKey]int{{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8}: 0}})
	env.sim.AddFault(simulator.Fault{Method: "GET", PathPrefix: "/v3/flexMetal/quota/usage", Kind: simulator.FaultStatus, Status: 500})
	ws := env.terraformWorkspace(t)
	out := run(t, ws, env.fleetHCL(3, simulator.InstanceTypeBM7Std8, ""), "plan")
	if !strings.Contains(out, "3 to add") {
		t.Errorf("want the plan:\n%s", out)
	}
	if n := strings.Count(out, "Warning:") - strings.Count(out, "Warning: Provider development overrides"); n != 0 {
		t.Errorf("plan shows %d warnings, want none:\n%s", n, out)
	}
	if env.sim.CountRequests("GET", "/v3/flexMetal/quota/usage") == 0 {
		t.Error("the quota was not requested: the test does not test the failure")
	}
}

// TestAccServer_orderBeyondQuotaFailsAtApply: the plan's warning is advice, the API the judge:
// of three servers against a quota of two, the third order is refused on instance_type.
func TestAccServer_orderBeyondQuotaFailsAtApply(t *testing.T) {
	env := newSimEnv(t, simulator.Config{OnDemandQuota: map[simulator.QuotaKey]int{{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8}: 2}})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             env.checkAllReleased,
		Steps: []resource.TestStep{{
			Config:      env.config(strings.Replace(serverHCL{Name: "web", Extra: "  count = 3"}.render(), `name          = "web"`, `name          = "web-${count.index}"`, 1)),
			ExpectError: errorPattern(`(?s)Unable to Create Server.*instance_type.*the on-demand quota for bm7.std.8 at EU: Rotterdam is 2 and 2 are in use`),
		}},
	})
	if n := len(env.liveServers()); n != 0 {
		t.Errorf("%d servers left running", n)
	}
}
