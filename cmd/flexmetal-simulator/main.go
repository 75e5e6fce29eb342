// Command flexmetal-simulator serves an in-memory simulation of i3D.net's FlexMetal API on a
// loopback address, for demos and for running the Terraform provider without an i3D.net
// account.
//
// Usage:
//
//	flexmetal-simulator [-listen 127.0.0.1:0] [-api-key KEY] [-step 1s] [-release 1s]
//	                    [-latency 0] [-page-size 15] [-url-file PATH] [-quiet]
//	                    [-quota [LOCATION/]INSTANCE_TYPE=N]... [-commit LOCATION/INSTANCE_TYPE=N@CONTRACT]...
//	                    [-availability [LOCATION/]INSTANCE_TYPE=AVAILABILITY]... [-no-plans]
//	flexmetal-simulator -version
//
// It prints "flexmetal-simulator listening on http://127.0.0.1:PORT" once it accepts
// connections (and writes the same URL to -url-file, if given, for scripts). Point the
// provider at it with:
//
//	export FLEXMETAL_BASE_URL=http://127.0.0.1:PORT
//	export FLEXMETAL_API_KEY=simulator-api-key
//
// The API key defaults to $FLEXMETAL_SIMULATOR_API_KEY, else "simulator-api-key". State lives
// in memory only and is lost on exit (SIGINT or SIGTERM).
//
// Names choose outcomes: an order whose name contains "fail-delivery" fails during
// provisioning and one containing "stuck" never finishes it; a reinstall (PATCH) whose name
// contains "fail-reinstall" fails and leaves the server failed, "fail-reinstall-keep" fails
// and leaves it delivered, "stuck" never finishes. Windows, Talos and custom iPXE install without SSH keys;
// a Windows server's root password can be fetched for 24 hours after delivery. -quota sets
// on-demand quotas (default 1000 per location and instance type) and -commit adds committed
// capacity. -availability sets what GET /v3/flexMetal/plans reports (default high everywhere);
// an order of an unavailable type answers 422. -no-plans answers /plans with 404, as an older
// API. The package documentation of internal/simulator describes all of it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// version is set at build time by goreleaser's ldflags.
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "flexmetal-simulator:", err)
		stop()
		os.Exit(1)
	}
}

type options struct {
	listen   string
	apiKey   string
	step     time.Duration
	release  time.Duration
	latency  time.Duration
	pageSize int
	urlFile  string
	quiet    bool
	version  bool
	quotas   map[simulator.QuotaKey]int
	commits  []simulator.CapacityCommit
	avail    map[simulator.QuotaKey]string
	noPlans  bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("flexmetal-simulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defaultKey := os.Getenv("FLEXMETAL_SIMULATOR_API_KEY")
	if defaultKey == "" {
		defaultKey = simulator.DefaultAPIKey
	}
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "loopback `address` to listen on; port 0 picks a free port")
	fs.StringVar(&o.apiKey, "api-key", defaultKey, "PRIVATE-TOKEN value to accept (default from $FLEXMETAL_SIMULATOR_API_KEY)")
	fs.DurationVar(&o.step, "step", time.Second, "time a server spends in each provisioning status; 0 delivers at once")
	fs.DurationVar(&o.release, "release", time.Second, "time a server spends releasing; 0 releases at once")
	fs.DurationVar(&o.latency, "latency", 0, "delay added to every request")
	fs.IntVar(&o.pageSize, "page-size", simulator.DefaultPageSize, "page size of list endpoints without a RANGED-DATA header")
	fs.StringVar(&o.urlFile, "url-file", "", "write the base URL to this `file` once listening")
	fs.BoolVar(&o.quiet, "quiet", false, "do not log requests")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.Var(quotaFlag{&o.quotas}, "quota", "on-demand quota `[LOCATION/]INSTANCE_TYPE=N`: an order beyond N servers (not failed, not released) answers 422; without LOCATION it applies at every location; repeatable, e.g. -quota 'EU: Rotterdam/bm7.std.8=2' (unset: "+fmt.Sprint(simulator.DefaultOnDemandQuota)+" per location and instance type)")
	fs.Var(commitFlag{&o.commits}, "commit", "committed capacity `LOCATION/INSTANCE_TYPE=N@CONTRACT`, filled before on-demand quota; repeatable, e.g. -commit 'EU: Rotterdam/bm7.std.8=4@MY-CONTRACT-1'")
	fs.Var(availabilityFlag{&o.avail}, "availability", "availability `[LOCATION/]INSTANCE_TYPE=high|medium|low|unavailable` that GET /v3/flexMetal/plans reports; orders of an unavailable type answer 422; without LOCATION it applies at every location; repeatable, e.g. -availability 'HK: Hong Kong/bm7.std.8=unavailable' (unset: "+simulator.DefaultAvailability+")")
	fs.BoolVar(&o.noPlans, "no-plans", false, "answer GET /v3/flexMetal/plans with 404, as an API that predates it")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHeader)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.version {
		return o, nil
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.pageSize <= 0 {
		return o, errors.New("-page-size must be positive")
	}
	if o.step < 0 || o.release < 0 || o.latency < 0 {
		return o, errors.New("-step, -release and -latency must not be negative")
	}
	return o, checkLoopback(o.listen)
}

// checkLoopback refuses non-loopback addresses: the simulator accepts a well-known key, so
// exposing it on a network would invite anyone to use it.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-listen %q: refusing to listen on a non-loopback address; use 127.0.0.1, [::1] or localhost", addr)
}

// run serves until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if o.version {
		fmt.Fprintf(stdout, "flexmetal-simulator %s\n", version)
		return nil
	}
	cfg := simulator.Config{
		APIKey:          o.apiKey,
		StepDuration:    zeroMeansImmediate(o.step),
		ReleaseDuration: zeroMeansImmediate(o.release),
		Latency:         o.latency,
		DefaultPageSize: o.pageSize,
		OnDemandQuota:   o.quotas,
		CapacityCommits: o.commits,
		Availability:    o.avail,
		NoPlansEndpoint: o.noPlans,
	}
	if !o.quiet {
		cfg.Logger = log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)
	}
	sim := simulator.New(cfg)

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	baseURL := "http://" + ln.Addr().String()
	// Requests inherit baseCtx so that shutting down interrupts injected latency instead of
	// waiting it out.
	baseCtx, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	srv := &http.Server{
		Handler:           sim,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	if o.urlFile != "" {
		if err := writeFileAtomic(o.urlFile, baseURL); err != nil {
			_ = srv.Close()
			return fmt.Errorf("-url-file: %w", err)
		}
	}
	fmt.Fprintf(stdout, "flexmetal-simulator listening on %s\n", baseURL)

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	cancelBase()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if o.urlFile != "" {
		_ = os.Remove(o.urlFile)
	}
	return nil
}

// zeroMeansImmediate maps the flag's 0 to the library's "negative means immediate", since on
// the command line 0 reads naturally as "no delay" while in Config it means "default".
func zeroMeansImmediate(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// writeFileAtomic writes via a temporary file and rename so a script polling for the file
// never reads a partial URL.
func writeFileAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".flexmetal-simulator-url-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(content); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

const usageHeader = `Usage: flexmetal-simulator [flags]

Serves a simulated FlexMetal API on loopback. A name containing a marker chooses
the outcome of an order (POST) or a reinstall (PATCH):
  order     "fail-delivery"        fails during provisioning
  order     "stuck"                never finishes provisioning
  reinstall "fail-reinstall"       command fails, server ends failed
  reinstall "fail-reinstall-keep"  command fails, server stays delivered
  reinstall "stuck"                never finishes
Windows, Talos and custom-ipxe orders need no SSH key; a Windows server's root password can be
fetched for 24 hours after delivery. Details: go doc ./internal/simulator

Flags:
`

// availabilityFlag collects repeated -availability values.
type availabilityFlag struct {
	avail *map[simulator.QuotaKey]string
}

// String is empty: the flag's default, DefaultAvailability, is in its usage text.
func (f availabilityFlag) String() string { return "" }

func (f availabilityFlag) Set(spec string) error {
	key, a, err := simulator.ParseAvailability(spec)
	if err != nil {
		return err
	}
	if *f.avail == nil {
		*f.avail = map[simulator.QuotaKey]string{}
	}
	(*f.avail)[key] = a
	return nil
}

// quotaFlag collects repeated -quota values.
type quotaFlag struct{ quotas *map[simulator.QuotaKey]int }

// String is empty: the flag's default, DefaultOnDemandQuota, is in its usage text.
func (f quotaFlag) String() string { return "" }

func (f quotaFlag) Set(spec string) error {
	key, n, err := simulator.ParseOnDemandQuota(spec)
	if err != nil {
		return err
	}
	if *f.quotas == nil {
		*f.quotas = map[simulator.QuotaKey]int{}
	}
	(*f.quotas)[key] = n
	return nil
}

// commitFlag collects repeated -commit values.
type commitFlag struct{ commits *[]simulator.CapacityCommit }

// String is empty: there are no commits by default.
func (f commitFlag) String() string { return "" }

func (f commitFlag) Set(spec string) error {
	c, err := simulator.ParseCapacityCommit(spec)
	if err != nil {
		return err
	}
	*f.commits = append(*f.commits, c)
	return nil
}
