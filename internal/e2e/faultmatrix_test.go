package e2e

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

const fleetSize = 3

// scenario is one injected fault. Faults with a Times count expire by themselves; recover undoes
// standing conditions (stuck or failing servers, latency) before the re-run.
type scenario struct {
	name string
	// createTimeout bounds delivery in the configuration, updateTimeout a reinstall.
	createTimeout, updateTimeout string
	// configure, if set, changes the simulator's configuration.
	configure func(*simulator.Config)
	// inject, if set, runs before the first apply (or, with onDestroy, before the first destroy).
	inject func(sim *simulator.Simulator)
	// onDestroy puts the fault on the destroy instead of the apply.
	onDestroy bool
	// interrupt sends SIGINT to terraform once the API has created every server of the fleet,
	// or once interruptWhen holds, if set.
	interrupt     bool
	interruptWhen func(sim *simulator.Simulator) bool
	// killWhen, if set, SIGKILLs terraform and its provider (the whole process group) as soon as
	// it holds: the run can record nothing more, as when a CI runner is lost.
	killWhen func(sim *simulator.Simulator) bool
	// rerunArgs are more arguments for the re-run's apply (e.g. -refresh=false); rerunSays, if
	// set, is a warning the re-run must print.
	rerunArgs []string
	rerunSays string
	// firstRunFails is true when the first run is expected to fail (a re-run must converge).
	firstRunFails bool
	// reinstall puts the fault on a reinstall of the delivered fleet (a changed os.slug and
	// post-install script; the API reports the first, not the second) instead of the first
	// apply.
	reinstall bool
	// replaces is true when the re-run rightly releases servers and orders new ones (a failed
	// or timed-out delivery); everywhere else a released server that was ordered again counts
	// as "released then reordered".
	replaces bool
	recover  func(sim *simulator.Simulator)
}

var never = regexp.MustCompile(`^$never`)

func scenarios() []scenario {
	servers := "/v3/flexMetal/servers"
	return []scenario{
		{name: "5xx burst", inject: func(s *simulator.Simulator) {
			s.AddFault(simulator.Fault{PathPrefix: servers, Kind: simulator.FaultStatus, Status: 503, Times: 5})
			s.AddFault(simulator.Fault{Method: "GET", PathPrefix: servers, Kind: simulator.FaultStatus, Status: 502, Times: 3})
		}},
		{name: "5xx on create after acting is unknown", inject: func(s *simulator.Simulator) {
			s.AddFault(simulator.Fault{Method: "POST", PathPrefix: servers, Kind: simulator.FaultStatus, Status: 504, Times: 2})
		}},
		{name: "429 with Retry-After", inject: func(s *simulator.Simulator) {
			s.AddFault(simulator.Fault{PathPrefix: servers, Kind: simulator.FaultRateLimit, RetryAfter: time.Second, Times: 4})
		}},
		{name: "connection reset before create acted", inject: func(s *simulator.Simulator) {
			s.AddFault(simulator.Fault{Method: "POST", PathPrefix: servers, Kind: simulator.FaultDropBeforeHandling, Times: 2})
		}},
		{name: "connection reset after create acted", inject: func(s *simulator.Simulator) {
			s.AddFault(simulator.Fault{Method: "POST", PathPrefix: servers, Kind: simulator.FaultDropAfterHandling, Times: 2})
		}},
		{name: "2s latency", inject: func(s *simulator.Simulator) { s.SetLatency(2 * time.Second) },
			recover: func(s *simulator.Simulator) { s.SetLatency(0) }},
		{name: "stuck past create timeout", createTimeout: "3s", firstRunFails: true, replaces: true,
			inject:  func(s *simulator.Simulator) { s.SetStuckNamePattern(regexp.MustCompile(`^fleet-1$`)) },
			recover: func(s *simulator.Simulator) { s.SetStuckNamePattern(never) }},
		{name: "failed delivery", firstRunFails: true, replaces: true,
			inject:  func(s *simulator.Simulator) { s.SetFailNamePattern(regexp.MustCompile(`^fleet-2$`)) },
			recover: func(s *simulator.Simulator) { s.SetFailNamePattern(never) }},
		{name: "release fails transiently", onDestroy: true, inject: func(s *simulator.Simulator) {
			s.AddFault(simulator.Fault{Method: "DELETE", PathPrefix: servers + "/", Kind: simulator.FaultStatus, Status: 500, Times: 4})
		}},
		{name: "malformed JSON", inject: func(s *simulator.Simulator) {
			s.AddFault(simulator.Fault{Method: "POST", PathPrefix: servers, Kind: simulator.FaultMalformedJSON, Times: 1})
			s.AddFault(simulator.Fault{Method: "GET", PathPrefix: servers, Kind: simulator.FaultMalformedJSON, Times: 3})
		}},
		// The API has created the servers but not yet answered the orders when terraform is
		// interrupted: the provider must wait for the answers and record the servers.
		{name: "interrupt while the order is in flight", interrupt: true, firstRunFails: true, inject: func(s *simulator.Simulator) {
			s.AddFault(simulator.Fault{Method: "POST", PathPrefix: servers, Kind: simulator.FaultSlowAnswer, Latency: 2500 * time.Millisecond, Times: fleetSize})
		}},
		{name: "reinstall answer lost after acting (5xx, reset, garbled)", reinstall: true, inject: func(s *simulator.Simulator) {
			s.AddFault(simulator.Fault{Method: "PATCH", PathPrefix: servers + "/", Kind: simulator.FaultStatusAfterHandling, Status: 502, Times: 1})
			s.AddFault(simulator.Fault{Method: "PATCH", PathPrefix: servers + "/", Kind: simulator.FaultDropAfterHandling, Times: 1})
			s.AddFault(simulator.Fault{Method: "PATCH", PathPrefix: servers + "/", Kind: simulator.FaultMalformedJSON, Times: 1})
		}},
		{name: "reinstall refused before acting (503) and connection reset before acting", reinstall: true, inject: func(s *simulator.Simulator) {
			s.AddFault(simulator.Fault{Method: "PATCH", PathPrefix: servers + "/", Kind: simulator.FaultStatus, Status: 503, Times: 2})
			s.AddFault(simulator.Fault{Method: "PATCH", PathPrefix: servers + "/", Kind: simulator.FaultDropBeforeHandling, Times: 1})
		}},
		{name: "reinstall progress reads fail", reinstall: true, inject: func(s *simulator.Simulator) {
			s.AddFault(simulator.Fault{Method: "GET", PathPrefix: servers + "/", Kind: simulator.FaultStatus, Status: 502, Times: 4})
		}},
		// SIGKILL at each moment between sending the orders and Terraform recording the servers:
		// the next apply adopts the servers the killed run ordered instead of ordering again.
		{name: "SIGKILL while the order is in flight", firstRunFails: true,
			inject: func(s *simulator.Simulator) {
				s.AddFault(simulator.Fault{Method: "POST", PathPrefix: servers, Kind: simulator.FaultSlowAnswer, Latency: 3 * time.Second, Times: fleetSize})
			},
			killWhen: func(s *simulator.Simulator) bool { return len(s.Servers()) >= fleetSize },
			recover:  func(s *simulator.Simulator) { s.ClearFaults() }},
		{name: "SIGKILL during delivery", firstRunFails: true,
			inject: func(s *simulator.Simulator) { s.SetStuckNamePattern(regexp.MustCompile(`^fleet-`)) },
			killWhen: func(s *simulator.Simulator) bool {
				answered := 0
				for _, r := range s.Requests() {
					if r.Method == "POST" && r.Path == servers && r.Status == 200 {
						answered++
					}
				}
				return answered >= fleetSize
			},
			recover: unstickFleet},
		{name: "SIGKILL during the clean-up after delivery", firstRunFails: true,
			inject: func(s *simulator.Simulator) {
				// The creation tags' removal waits before the API acts on it, so the kill lands
				// while it is in flight.
				s.AddFault(simulator.Fault{Method: "DELETE", PathPrefix: servers + "/", Kind: simulator.FaultLatency, Latency: 3 * time.Second, Times: fleetSize})
			},
			killWhen: func(s *simulator.Simulator) bool {
				delivered := 0
				for _, srv := range s.Servers() {
					if srv.Status == simulator.StatusDelivered {
						delivered++
					}
				}
				return delivered >= fleetSize
			},
			recover: func(s *simulator.Simulator) { s.ClearFaults() }},
		// Each moment a reinstall can be cut short: the re-run reinstalls a server whose
		// reinstall was never sent, waits for one still running, records one that finished, and
		// never sends one twice.
		{name: "SIGKILL before the reinstall is sent", reinstall: true, firstRunFails: true,
			inject: func(s *simulator.Simulator) {
				// The PATCH waits before the API acts on it, so the kill lands after the
				// reinstall tag and before the reinstall.
				s.AddFault(simulator.Fault{Method: "PATCH", PathPrefix: servers + "/", Kind: simulator.FaultLatency, Latency: 3 * time.Second, Times: fleetSize})
			},
			killWhen: func(s *simulator.Simulator) bool {
				return countLive(s, func(srv simulator.ServerSnapshot) bool { return hasTagPrefix(srv.Tags, "tf-reinstall:") }) >= fleetSize
			},
			recover: func(s *simulator.Simulator) { s.ClearFaults() }},
		{name: "SIGKILL during a reinstall that finishes before the re-run", reinstall: true, firstRunFails: true,
			rerunSays: "Reinstall Already Finished",
			inject:    func(s *simulator.Simulator) { s.SetStuckNamePattern(regexp.MustCompile(`^fleet-`)) },
			killWhen:  everyServerReinstalling,
			recover:   unstickFleet},
		{name: "SIGKILL during a reinstall still running at the re-run", reinstall: true, firstRunFails: true,
			rerunSays: "Reinstall Still Running",
			// The world moves only with requests: nothing happens while no terraform runs, so the
			// re-run finds the reinstalls running (a few hundred requests from their end) and
			// has to wait for them.
			configure: func(c *simulator.Config) {
				c.Clock = simulator.NewRequestClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), c.StepDuration)
				c.ReinstallStepDuration = 100 * c.StepDuration
			},
			killWhen: everyServerReinstalling},
		{name: "SIGKILL during a reinstall, re-run with -refresh=false", reinstall: true, firstRunFails: true,
			// No refresh puts the reinstall in the private state: the update reads the tag.
			rerunArgs: []string{"-refresh=false"},
			inject:    func(s *simulator.Simulator) { s.SetStuckNamePattern(regexp.MustCompile(`^fleet-`)) },
			killWhen:  everyServerReinstalling,
			recover:   unstickFleet},
		{name: "interrupt during a reinstall", reinstall: true, interrupt: true, firstRunFails: true,
			inject:        func(s *simulator.Simulator) { s.SetStuckNamePattern(regexp.MustCompile(`^fleet-`)) },
			interruptWhen: everyServerReinstalling,
			recover:       unstickFleet},
		{name: "reinstall past the update timeout", reinstall: true, firstRunFails: true, updateTimeout: "2s",
			rerunSays: "Reinstall Already Finished",
			inject:    func(s *simulator.Simulator) { s.SetStuckNamePattern(regexp.MustCompile(`^fleet-`)) },
			recover:   unstickFleet},
		// Ctrl-C while the fleet is being delivered: the servers are recorded untainted and the
		// re-run keeps them (once the hold-up clears, they are delivered) instead of releasing
		// and ordering them again.
		{name: "interrupt during delivery", interrupt: true, firstRunFails: true,
			inject:  func(s *simulator.Simulator) { s.SetStuckNamePattern(regexp.MustCompile(`^fleet-`)) },
			recover: unstickFleet},
	}
}

// unstickFleet lets the fleet's stuck deliveries and reinstalls go on.
func unstickFleet(s *simulator.Simulator) {
	s.SetStuckNamePattern(never)
	for _, srv := range s.Servers() {
		_ = s.Unstick(srv.UUID)
	}
}

// everyServerReinstalling holds once the API accepted a reinstall of every server of the fleet.
func everyServerReinstalling(s *simulator.Simulator) bool {
	return countLive(s, func(srv simulator.ServerSnapshot) bool { return len(s.Reinstalls(srv.UUID)) > 0 }) >= fleetSize
}

// countLive counts the servers that are not released and for which ok holds.
func countLive(s *simulator.Simulator, ok func(simulator.ServerSnapshot) bool) int {
	n := 0
	for _, srv := range live(s) {
		if ok(srv) {
			n++
		}
	}
	return n
}

func hasTagPrefix(tags []string, prefix string) bool {
	return slices.ContainsFunc(tags, func(t string) bool { return strings.HasPrefix(t, prefix) })
}

func fleetConfig(url string, sc scenario) string {
	return fleetConfigWithOS(url, sc, "ubuntu-2404-lts")
}

// fleetConfigWithOS is the fleet with an operating system and a post-install script that
// names it: a reinstall changes both.
func fleetConfigWithOS(url string, sc scenario, slug string) string {
	createTimeout, updateTimeout := sc.createTimeout, sc.updateTimeout
	if createTimeout == "" {
		createTimeout = "2m"
	}
	if updateTimeout == "" {
		updateTimeout = "2m"
	}
	return tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "100ms") + fmt.Sprintf(`
resource "flexmetal_server" "fleet" {
  count               = %[1]d
  name                = "fleet-${count.index}"
  location            = "EU: Rotterdam"
  instance_type       = "bm7.std.8"
  os                  = { slug = %[4]q }
  ssh_keys            = [%[2]q]
  post_install_script = "#!/bin/sh\necho installed %[4]s\n"
  tags                = ["fleet"]
  timeouts            = { create = %[3]q, update = %[5]q }

  allow_reinstall = true
}
`, fleetSize, simulator.ExamplePublicKeyEd25519, createTimeout, slug, updateTimeout)
}

func TestFaultMatrix(t *testing.T) {
	tf, providerDir := setup(t)
	var orphans, duplicates, doubles, reordered, ran atomic.Int64
	for _, sc := range scenarios() {
		t.Run(strings.ReplaceAll(sc.name, " ", "_"), func(t *testing.T) {
			ran.Add(1)
			c := runScenario(t, tf, providerDir, sc)
			orphans.Add(int64(c.orphans))
			duplicates.Add(int64(c.duplicates))
			doubles.Add(int64(c.doubles))
			reordered.Add(int64(c.reordered))
		})
	}
	summary := fmt.Sprintf("faults: %d scenarios, %d orphans, %d duplicates, %d double reinstalls, %d released then reordered", ran.Load(), orphans.Load(), duplicates.Load(), doubles.Load(), reordered.Load())
	fmt.Println(summary)
	if orphans.Load() != 0 || duplicates.Load() != 0 || doubles.Load() != 0 || reordered.Load() != 0 {
		t.Error(summary)
	}
}

// counts are what a scenario found wrong.
type counts struct {
	orphans, duplicates, doubles, reordered int
}

// runScenario applies the fleet under the fault, re-runs until converged, checks the simulator
// against the state, destroys, and returns what it found wrong: orphans, duplicates, double
// reinstalls, and servers released and ordered again where nothing called for it.
func runScenario(t *testing.T, tf, providerDir string, sc scenario) (c counts) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg := simulator.Config{StepDuration: 20 * time.Millisecond, ReleaseDuration: 20 * time.Millisecond}
	if sc.configure != nil {
		sc.configure(&cfg)
	}
	sim := simulator.New(cfg)
	url, stop := sim.Start()
	defer stop()
	ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteConfig(fleetConfig(url, sc)); err != nil {
		t.Fatal(err)
	}

	if sc.reinstall {
		if _, err := ws.Run(ctx, "apply", "-auto-approve"); err != nil {
			t.Fatalf("apply before the reinstall failed: %v", err)
		}
		if err := ws.WriteConfig(fleetConfigWithOS(url, sc, "debian-12")); err != nil {
			t.Fatal(err)
		}
	}
	if !sc.onDestroy && sc.inject != nil {
		sc.inject(sim)
	}
	var firstErr error
	switch {
	case sc.killWhen != nil:
		firstErr = applyAndKill(ctx, t, ws, sim, sc.killWhen)
	case sc.interrupt:
		firstErr = applyAndInterrupt(ctx, t, ws, sim, sc.interruptWhen)
	default:
		_, firstErr = ws.Run(ctx, "apply", "-auto-approve")
	}
	if sc.firstRunFails && firstErr == nil {
		t.Errorf("first apply succeeded, but the fault should have made it fail")
	}
	if !sc.firstRunFails && firstErr != nil {
		t.Errorf("first apply failed despite retries: %v", firstErr)
	}
	if sc.recover != nil {
		sc.recover(sim)
	}
	// Whatever the first run did, every server that exists must already be in state, unless
	// the run was killed: then the re-run must adopt them.
	if sc.killWhen == nil {
		c.orphans += countOrphans(ctx, t, ws, sim)
	}

	rerun, err := ws.Run(ctx, append([]string{"apply", "-auto-approve"}, sc.rerunArgs...)...)
	if err != nil {
		t.Fatalf("re-run did not converge: %v", err)
	}
	if sc.rerunSays != "" && !strings.Contains(rerun, sc.rerunSays) {
		t.Errorf("the re-run did not warn %q:\n%s", sc.rerunSays, rerun)
	}
	o, d := checkConverged(ctx, t, ws, sim)
	c.orphans, c.duplicates = c.orphans+o, c.duplicates+d
	if sc.reinstall {
		c.doubles = countDoubleReinstalls(t, sim)
	}
	if !sc.replaces {
		for _, s := range sim.Servers() {
			if s.Status == simulator.StatusReleasing || s.Status == simulator.StatusReleased {
				t.Errorf("released then reordered: server %s (%s) was released by the re-run", s.UUID, s.Name)
				c.reordered++
			}
		}
	}
	if out, err := ws.Run(ctx, "plan", "-detailed-exitcode"); err != nil {
		t.Errorf("plan after convergence is not empty: %v\n%s", err, out)
	}

	if sc.onDestroy && sc.inject != nil {
		sc.inject(sim)
	}
	if _, err := ws.Run(ctx, "destroy", "-auto-approve"); err != nil {
		t.Errorf("destroy failed: %v", err)
		if _, err := ws.Run(ctx, "destroy", "-auto-approve"); err != nil {
			t.Fatalf("second destroy failed too: %v", err)
		}
	}
	for _, s := range sim.Servers() {
		if s.Status != simulator.StatusReleased {
			t.Errorf("server %s (%s) is %q after destroy", s.UUID, s.Name, s.Status)
			c.orphans++
		}
	}
	return c
}

// countDoubleReinstalls checks that the API reinstalled every server of the fleet exactly once,
// and returns how many reinstalls there were beyond that.
func countDoubleReinstalls(t *testing.T, sim *simulator.Simulator) int {
	extra := 0
	for _, s := range live(sim) {
		switch n := len(sim.Reinstalls(s.UUID)); {
		case n == 0:
			t.Errorf("server %s (%s) was not reinstalled", s.UUID, s.Name)
		case n > 1:
			t.Errorf("double reinstall: server %s (%s) was reinstalled %d times", s.UUID, s.Name, n)
			extra += n - 1
		}
		if s.OSSlug != "debian-12" {
			t.Errorf("server %s (%s) runs %q, want debian-12", s.UUID, s.Name, s.OSSlug)
		}
	}
	return extra
}

// applyAndInterrupt starts an apply, sends SIGINT once when holds (by default, once the API has
// created the whole fleet), and waits.
func applyAndInterrupt(ctx context.Context, t *testing.T, ws *tfrun.Workspace, sim *simulator.Simulator, when func(*simulator.Simulator) bool) error {
	if when == nil {
		when = func(s *simulator.Simulator) bool { return len(s.Servers()) >= fleetSize }
	}
	cmd := ws.Command(ctx, "apply", "-auto-approve")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !when(sim) {
		select {
		case <-ctx.Done():
			t.Fatalf("the moment to interrupt the apply never came:\n%s", out.String())
		case <-tick.C:
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	t.Logf("interrupted apply exited with %v", err)
	return err
}

// applyAndKill starts an apply in a process group of its own and SIGKILLs the group (terraform
// and the provider) once killWhen holds, then waits.
func applyAndKill(ctx context.Context, t *testing.T, ws *tfrun.Workspace, sim *simulator.Simulator, killWhen func(*simulator.Simulator) bool) error {
	cmd := ws.Command(ctx, "apply", "-auto-approve")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !killWhen(sim) {
		select {
		case <-ctx.Done():
			t.Fatalf("the moment to kill the apply never came:\n%s", out.String())
		case <-tick.C:
		}
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	t.Logf("killed apply exited with %v", err)
	return err
}

// countOrphans returns how many live servers the state does not know.
func countOrphans(ctx context.Context, t *testing.T, ws *tfrun.Workspace, sim *simulator.Simulator) int {
	inState := stateIDs(ctx, t, ws)
	n := 0
	for _, s := range live(sim) {
		if !inState[s.UUID] {
			t.Errorf("orphan: server %s (%s, %s) exists but is not in state", s.UUID, s.Name, s.Status)
			n++
		}
	}
	return n
}

// checkConverged compares the simulator with the state after the re-run.
func checkConverged(ctx context.Context, t *testing.T, ws *tfrun.Workspace, sim *simulator.Simulator) (orphans, duplicates int) {
	orphans = countOrphans(ctx, t, ws, sim)
	byName := map[string]int{}
	for _, s := range live(sim) {
		byName[s.Name]++
		if s.Status != simulator.StatusDelivered {
			t.Errorf("server %s (%s) is %q after convergence", s.UUID, s.Name, s.Status)
		}
	}
	for name, n := range byName {
		if n > 1 {
			t.Errorf("duplicate: %d live servers named %s", n, name)
			duplicates += n - 1
		}
	}
	if len(byName) != fleetSize {
		t.Errorf("%d distinct live servers, want %d", len(byName), fleetSize)
	}
	return orphans, duplicates
}

func stateIDs(ctx context.Context, t *testing.T, ws *tfrun.Workspace) map[string]bool {
	res, err := ws.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range res {
		if id, _ := r.Values["id"].(string); r.Type == "flexmetal_server" && id != "" {
			ids[id] = true
		}
	}
	return ids
}

// live returns servers still billed or about to be: not released or being released.
func live(sim *simulator.Simulator) []simulator.ServerSnapshot {
	var out []simulator.ServerSnapshot
	for _, s := range sim.Servers() {
		if s.Status != simulator.StatusReleased && s.Status != simulator.StatusReleasing {
			out = append(out, s)
		}
	}
	return out
}
