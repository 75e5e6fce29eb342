// Command apicontract checks that the FlexMetal API still answers the way the client decodes it:
// it GETs every read endpoint the provider uses and reports, per endpoint, the fields the client
// does not decode (informational), and the fields it expects that are missing or of another JSON
// type (failures). `make api-contract` runs it.
//
// It talks to a real account, so it refuses to start, before sending anything, unless
// FLEXMETAL_LIVE=1. It reads FLEXMETAL_BASE_URL (default https://api.i3d.net) and
// FLEXMETAL_API_KEY, prints the URL first, and sends only GET requests (the client's transport
// refuses any other method). It prints field names and JSON types, never values.
//
// Exit status: 0 when every endpoint checked is as the client expects, 1 when a field is missing
// or mistyped or a request failed, 2 when it refused to start or could not go on.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK       = 0
	exitBroken   = 1
	exitNotStart = 2
)

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("apicontract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rootPassword := fs.Bool("root-password", false, "also check GET .../rootPassword on a delivered Windows server (its answer is a secret; only field names are printed)")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return exitNotStart
	}
	// The gate comes before anything that could send a request.
	if getenv("FLEXMETAL_LIVE") != "1" {
		fmt.Fprintln(stderr, "apicontract: refusing to start: it sends requests to a real FlexMetal account; set FLEXMETAL_LIVE=1 to run it")
		return exitNotStart
	}
	baseURL := getenv("FLEXMETAL_BASE_URL")
	if baseURL == "" {
		baseURL = flexmetal.DefaultBaseURL
	}
	fmt.Fprintf(stdout, "API contract check against %s (GET requests only)\n", baseURL)
	apiKey := getenv("FLEXMETAL_API_KEY")
	if apiKey == "" {
		fmt.Fprintln(stderr, "apicontract: FLEXMETAL_API_KEY is not set")
		return exitNotStart
	}
	client, err := flexmetal.NewClient(
		flexmetal.WithBaseURL(baseURL),
		flexmetal.WithAPIKey(apiKey),
		flexmetal.WithUserAgent("terraform-provider-flexmetal-apicontract"),
	)
	if err != nil {
		fmt.Fprintln(stderr, "apicontract:", err)
		return exitNotStart
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	reports, err := flexmetal.CheckContract(ctx, client, flexmetal.ContractOptions{RootPassword: *rootPassword})
	failed := printReports(stdout, reports)
	if err != nil {
		fmt.Fprintln(stderr, "apicontract: stopped:", err)
		return exitNotStart
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "FAIL: %d of %d endpoints do not match the client\n", failed, len(reports))
		return exitBroken
	}
	fmt.Fprintf(stdout, "OK: %d endpoints, none with a missing or mistyped field\n", len(reports))
	return exitOK
}

// printReports writes one line per endpoint, then its issues indented, and returns how many
// endpoints failed.
func printReports(w io.Writer, reports []flexmetal.EndpointReport) int {
	width := 0
	for _, r := range reports {
		width = max(width, len(r.Endpoint))
	}
	failed := 0
	for _, r := range reports {
		var status string
		switch {
		case r.Failed():
			failed++
			status = "FAIL"
		case r.NotChecked != "":
			status = "not checked: " + r.NotChecked
		default:
			status = fmt.Sprintf("OK (%d %s)", r.Items, plural(r.Items, "object", "objects"))
		}
		fmt.Fprintf(w, "%-*s  %s\n", width, r.Endpoint, status)
		if r.Err != nil {
			fmt.Fprintf(w, "    error: %v\n", r.Err)
		}
		printIssues(w, "missing", r.Missing, func(f flexmetal.FieldIssue) string {
			return fmt.Sprintf("%s (want %s, got %s)", f.Field, f.Want, f.Got)
		})
		printIssues(w, "mistyped", r.Mistyped, func(f flexmetal.FieldIssue) string {
			return fmt.Sprintf("%s (want %s, got %s)", f.Field, f.Want, f.Got)
		})
		printIssues(w, "undecoded", r.Undecoded, func(f flexmetal.FieldIssue) string {
			return fmt.Sprintf("%s (%s)", f.Field, f.Got)
		})
	}
	return failed
}

func printIssues(w io.Writer, label string, issues []flexmetal.FieldIssue, format func(flexmetal.FieldIssue) string) {
	if len(issues) == 0 {
		return
	}
	parts := make([]string, len(issues))
	for i, f := range issues {
		parts[i] = format(f)
	}
	fmt.Fprintf(w, "    %s: %s\n", label, strings.Join(parts, ", "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
