// Command bench measures the provider against the simulator with the real terraform binary:
// API requests and wall time for creating fleets and for refreshing (planning) large ones, with
// the provider's coalesced polling and with the one-GET-per-server baseline (the client option
// flexmetal.WithCoalescing(false); the provider runs in this process so the benchmark can set
// it), and how soon a delivery is noticed. It prints a Markdown table
// and checks the project's targets; `make bench` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/provider"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

type options struct {
	delivery     time.Duration
	latency      time.Duration
	pollInterval time.Duration
	creates      []int
	refreshes    []int
	reinstalls   []int
}

type row struct {
	scenario   string
	n          int
	mode       string
	requests   int
	wall       time.Duration
	overDeliv  time.Duration // create and reinstall: wall time beyond the delivery (reinstall) time
	noticeMax  time.Duration // create and reinstall: worst delay between delivery and the provider seeing it
	noticeFrac float64       // that delay as a fraction of the time already waited
}

func main() {
	var o options
	var creates, refreshes, reinstalls string
	flag.DurationVar(&o.delivery, "delivery", 20*time.Second, "simulated delivery time of a server")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "simulated latency of every API request")
	flag.DurationVar(&o.pollInterval, "poll-interval", 10*time.Second, "provider poll_interval")
	flag.StringVar(&creates, "create", "1,10,50", "fleet sizes to create in one apply")
	flag.StringVar(&refreshes, "refresh", "100,500", "fleet sizes to refresh with terraform plan")
	flag.StringVar(&reinstalls, "reinstall", "10", "fleet sizes to reinstall (a changed os.slug) in one apply")
	flag.Parse()
	var err error
	if o.creates, err = parseSizes(creates); err == nil {
		o.refreshes, err = parseSizes(refreshes)
	}
	if err == nil {
		o.reinstalls, err = parseSizes(reinstalls)
	}
	if err != nil {
		fatal(err)
	}
	if err := run(o); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("invalid fleet size %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(o options) error {
	// The in-process provider logs at TRACE to stderr unless told otherwise: terraform, which
	// filters a launched provider's logs, is not in between.
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_FLEXMETAL"} {
		if os.Getenv(v) == "" {
			_ = os.Setenv(v, "off")
		}
	}
	tf, err := tfrun.Binary()
	if err != nil {
		return fmt.Errorf("no terraform binary: %w", err)
	}
	work, err := os.MkdirTemp("", "flexmetal-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// The provider is served from this process (TF_REATTACH_PROVIDERS), so dev_overrides only
	// has to exempt it from `terraform init`: its directory stays empty.
	providerDir := filepath.Join(work, "provider")
	if err := os.Mkdir(providerDir, 0o755); err != nil {
		return err
	}
	ctx := context.Background()

	var rows []row
	for _, scenario := range []struct {
		name  string
		sizes []int
		bench func(context.Context, options, string, string, string, int, string) (row, error)
	}{{"create", o.creates, benchCreate}, {"reinstall", o.reinstalls, benchReinstall}} {
		for _, n := range scenario.sizes {
			for _, mode := range []string{"coalesced", "baseline"} {
				fmt.Fprintf(os.Stderr, "bench: %s %d servers (%s)\n", scenario.name, n, mode)
				r, err := scenario.bench(ctx, o, tf, providerDir, filepath.Join(work, fmt.Sprintf("%s-%d-%s", scenario.name, n, mode)), n, mode)
				if err != nil {
					return err
				}
				rows = append(rows, r)
			}
		}
	}
	for _, n := range o.refreshes {
		fmt.Fprintf(os.Stderr, "bench: refresh %d servers\n", n)
		rs, err := benchRefresh(ctx, o, tf, providerDir, filepath.Join(work, fmt.Sprintf("refresh-%d", n)), n)
		if err != nil {
			return err
		}
		rows = append(rows, rs...)
	}
	printTable(o, tf, rows)
	if failed := checkTargets(o, rows); failed > 0 {
		return fmt.Errorf("%d target(s) missed", failed)
	}
	return nil
}

func fleetConfig(url string, n int, poll time.Duration) string {
	return fleetConfigWithOS(url, n, poll, "ubuntu-2404-lts")
}

func fleetConfigWithOS(url string, n int, poll time.Duration, slug string) string {
	return tfrun.ProviderBlock(url, simulator.DefaultAPIKey, poll.String()) + fmt.Sprintf(`
resource "flexmetal_server" "fleet" {
  count         = %[1]d
  name          = "bench-${count.index}"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = %[3]q }
  ssh_keys      = [%[2]q]
  tags          = ["bench"]

  # A changed os reinstalls in place instead of replacing the server (the default since
  # reinstalls became opt-in).
  allow_reinstall = true
}
`, n, simulator.ExamplePublicKeyEd25519, slug)
}

// workspace prepares dir for a fleet of n servers and serves the provider for mode: the
// baseline's client checks each server with its own GET. Call stop when done with it.
func workspace(ctx context.Context, tf, dir, providerDir, url string, n int, o options, mode string) (ws *tfrun.Workspace, stop func(), err error) {
	var opts []flexmetal.Option
	if mode == "baseline" {
		opts = append(opts, flexmetal.WithCoalescing(false))
	}
	reattach, stop, err := tfrun.ServeProvider(ctx, tfrun.RegistryHost(tf), providerserver.NewProtocol6(provider.New("bench", opts...)()))
	if err != nil {
		return nil, nil, err
	}
	if ws, err = tfrun.NewWorkspace(tf, dir, providerDir, reattach); err == nil {
		err = ws.WriteConfig(fleetConfig(url, n, o.pollInterval))
	}
	if err != nil {
		stop()
		return nil, nil, err
	}
	return ws, stop, nil
}

func benchCreate(ctx context.Context, o options, tf, providerDir, dir string, n int, mode string) (row, error) {
	sim := simulator.New(simulator.Config{StepDuration: o.delivery / 9, ReleaseDuration: time.Second, Latency: o.latency})
	url, stop := sim.Start()
	defer stop()
	ws, stopProvider, err := workspace(ctx, tf, dir, providerDir, url, n, o, mode)
	if err != nil {
		return row{}, err
	}
	defer stopProvider()
	start := time.Now()
	if _, err := ws.Run(ctx, "apply", "-auto-approve", fmt.Sprintf("-parallelism=%d", n)); err != nil {
		return row{}, err
	}
	r := row{scenario: "create", n: n, mode: mode, wall: time.Since(start), requests: len(sim.Requests())}
	r.overDeliv = r.wall - o.delivery
	r.noticeMax, r.noticeFrac = noticeDelays(sim, o.latency)
	return r, nil
}

// noticeDelays finds, for each server, the first successful status read after its delivery:
// a GET of the server or a list (which covers every server).
func noticeDelays(sim *simulator.Simulator, latency time.Duration) (time.Duration, float64) {
	reqs := sim.Requests()
	var worst time.Duration
	var worstFrac float64
	for _, s := range sim.Servers() {
		if s.DeliveredAt == nil {
			continue
		}
		for _, r := range reqs {
			seen := r.At.Add(latency)
			covers := r.Path == "/v3/flexMetal/servers" || r.Path == "/v3/flexMetal/servers/"+s.UUID
			if r.Method != "GET" || r.Status != 200 || !covers || seen.Before(*s.DeliveredAt) {
				continue
			}
			delay := seen.Sub(*s.DeliveredAt)
			frac := float64(delay) / float64(s.DeliveredAt.Sub(s.CreatedAt))
			if delay > worst {
				worst = delay
			}
			if frac > worstFrac {
				worstFrac = frac
			}
			break
		}
	}
	return worst, worstFrac
}

// benchReinstall creates a fleet, then measures the apply that reinstalls it with another OS. A
// reinstall installs the OS again, so it takes as long as a delivery.
func benchReinstall(ctx context.Context, o options, tf, providerDir, dir string, n int, mode string) (row, error) {
	sim := simulator.New(simulator.Config{StepDuration: o.delivery / 9, ReinstallStepDuration: o.delivery / 3, ReleaseDuration: time.Second, Latency: o.latency})
	url, stop := sim.Start()
	defer stop()
	ws, stopProvider, err := workspace(ctx, tf, dir, providerDir, url, n, o, mode)
	if err != nil {
		return row{}, err
	}
	defer stopProvider()
	if _, err := ws.Run(ctx, "apply", "-auto-approve", fmt.Sprintf("-parallelism=%d", n)); err != nil {
		return row{}, err
	}
	if err := ws.WriteConfig(fleetConfigWithOS(url, n, o.pollInterval, "debian-12")); err != nil {
		return row{}, err
	}
	sim.ResetRequests()
	start := time.Now()
	if _, err := ws.Run(ctx, "apply", "-auto-approve", fmt.Sprintf("-parallelism=%d", n)); err != nil {
		return row{}, err
	}
	r := row{scenario: "reinstall", n: n, mode: mode, wall: time.Since(start), requests: len(sim.Requests())}
	r.overDeliv = r.wall - o.delivery
	for _, s := range sim.Servers() {
		last, ok := sim.LastReinstall(s.UUID)
		if !ok || last.State != simulator.CommandFinished {
			return row{}, fmt.Errorf("server %s was not reinstalled: %+v", s.Name, last)
		}
		for _, req := range sim.Requests() {
			seen := req.At.Add(o.latency)
			if req.Method != "GET" || req.Status != 200 || req.Path != "/v3/flexMetal/servers/"+s.UUID+"/commands" || seen.Before(last.UpdatedAt) {
				continue
			}
			delay := seen.Sub(last.UpdatedAt)
			frac := float64(delay) / float64(last.UpdatedAt.Sub(last.RequestedAt))
			r.noticeMax, r.noticeFrac = max(r.noticeMax, delay), max(r.noticeFrac, frac)
			break
		}
	}
	return r, nil
}

func benchRefresh(ctx context.Context, o options, tf, providerDir, dir string, n int) ([]row, error) {
	// Seed the fleet quickly: immediate delivery, no latency.
	sim := simulator.New(simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	url, stop := sim.Start()
	defer stop()
	seed, stopSeed, err := workspace(ctx, tf, dir, providerDir, url, n, o, "coalesced")
	if err != nil {
		return nil, err
	}
	_, err = seed.Run(ctx, "apply", "-auto-approve", "-parallelism=50")
	stopSeed()
	if err != nil {
		return nil, err
	}
	sim.SetLatency(o.latency)
	var rows []row
	for _, mode := range []string{"coalesced", "baseline"} {
		ws, stopProvider, err := workspace(ctx, tf, dir, providerDir, url, n, o, mode)
		if err != nil {
			return nil, err
		}
		sim.ResetRequests()
		start := time.Now()
		out, err := ws.Run(ctx, "plan", "-detailed-exitcode")
		stopProvider()
		if err != nil {
			return nil, fmt.Errorf("plan over %d servers was not empty: %w\n%s", n, err, out)
		}
		rows = append(rows, row{scenario: "refresh (plan)", n: n, mode: mode, wall: time.Since(start), requests: len(sim.Requests())})
	}
	return rows, nil
}

func printTable(o options, tf string, rows []row) {
	fmt.Printf("Simulated delivery %s, %s latency per request, poll_interval %s, %s.\n\n", o.delivery, o.latency, o.pollInterval, filepath.Base(tf))
	fmt.Println("| scenario | servers | polling | API requests | per server | wall time | beyond delivery (reinstall) | worst delivery-noticed delay |")
	fmt.Println("|---|---:|---|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		extra, notice := "", ""
		if r.scenario == "create" || r.scenario == "reinstall" {
			extra = r.overDeliv.Round(100 * time.Millisecond).String()
			notice = fmt.Sprintf("%s (%.1f%% of the wait)", r.noticeMax.Round(10*time.Millisecond), 100*r.noticeFrac)
		}
		fmt.Printf("| %s | %d | %s | %d | %.2f | %s | %s | %s |\n", r.scenario, r.n, r.mode, r.requests,
			float64(r.requests)/float64(r.n), r.wall.Round(100*time.Millisecond), extra, notice)
	}
	fmt.Println()
	for i := 0; i+1 < len(rows); i += 2 {
		c, b := rows[i], rows[i+1]
		fmt.Printf("- %s %d: baseline/coalesced requests = %d/%d = %.1fx\n", c.scenario, c.n, b.requests, c.requests, float64(b.requests)/float64(max(c.requests, 1)))
	}
}

// checkTargets prints and counts the project's performance targets that were missed.
func checkTargets(o options, rows []row) int {
	failed := 0
	check := func(ok bool, format string, args ...any) {
		status := "ok"
		if !ok {
			status = "MISSED"
			failed++
		}
		fmt.Printf("- target %s: %s\n", status, fmt.Sprintf(format, args...))
	}
	fmt.Println()
	for i, r := range rows {
		if r.mode != "coalesced" {
			continue
		}
		switch {
		case r.scenario != "create" && r.n == 100:
			check(r.requests <= 5, "refresh of 100 servers in at most 5 requests (%d)", r.requests)
		case r.scenario == "create" && r.n == 50 && i+1 < len(rows):
			b := rows[i+1]
			check(r.requests*5 <= b.requests, "creating 50 servers costs at most 1/5 of the baseline's requests (%d vs %d)", r.requests, b.requests)
		}
		if r.scenario == "create" || r.scenario == "reinstall" {
			check(r.noticeFrac <= 0.10 && r.noticeMax <= o.pollInterval, "%s of %d noticed within 10%% of the wait and the poll interval (%s, %.1f%%)", r.scenario, r.n, r.noticeMax.Round(10*time.Millisecond), 100*r.noticeFrac)
		}
	}
	return failed
}
