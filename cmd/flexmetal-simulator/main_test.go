package main

import (
	"bufio"
	"context"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:0", true},
		{"127.0.0.2:8080", true},
		{"[::1]:0", true},
		{"localhost:9000", true},
		{":8080", false},
		{"0.0.0.0:8080", false},
		{"[::]:8080", false},
		{"192.168.1.10:8080", false},
		{"example.com:80", false},
		{"127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if err := checkLoopback(tt.addr); (err == nil) != tt.ok {
				t.Fatalf("checkLoopback(%q) = %v, want ok=%v", tt.addr, err, tt.ok)
			}
		})
	}
}

func TestRun_ServesAndWritesURLFile(t *testing.T) {
	urlFile := filepath.Join(t.TempDir(), "url")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, outW := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-url-file", urlFile, "-quiet", "-api-key", "k"}, outW, io.Discard)
		outW.Close()
	}()

	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading banner: %v (run: %v)", err, <-errc)
	}
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "flexmetal-simulator listening on ")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("banner %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	written, err := os.ReadFile(urlFile)
	if err != nil || string(written) != base {
		t.Fatalf("url file %q (%v), want %q", written, err, base)
	}

	req, _ := http.NewRequest(http.MethodGet, base+"/v3/operatingsystem", nil)
	req.Header.Set("PRIVATE-TOKEN", "k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}

	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run: %v", err)
	}
	if _, err := os.Stat(urlFile); !os.IsNotExist(err) {
		t.Fatalf("url file left behind: %v", err)
	}
}

func TestRun_RefusesNonLoopbackAndBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-listen", "0.0.0.0:0"},
		{"-page-size", "0"},
		{"-step", "-1s"},
		{"extra"},
	} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Fatalf("run(%v) succeeded", args)
		}
	}
}

func TestRun_ZeroStepDeliversAtOnce(t *testing.T) {
	sim := simulator.New(simulator.Config{StepDuration: zeroMeansImmediate(0)})
	snap, err := sim.AddServer(simulator.CreateServerRequest{
		Name:         "instant",
		Location:     simulator.LocationRotterdam,
		InstanceType: simulator.InstanceTypeBM7Std8,
		OS:           simulator.OSRequest{Slug: simulator.OSDebian12},
		SSHKey:       []string{simulator.ExamplePublicKeyEd25519},
	})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Status != simulator.StatusDelivered {
		t.Fatalf("status %q, want delivered at once with -step 0", snap.Status)
	}
}

func TestRun_PrintsVersion(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "1.2.3"
	var out strings.Builder
	// A background context: if -version started the server, run would never return.
	if err := run(context.Background(), []string{"-version"}, &out, io.Discard); err != nil {
		t.Fatalf("run(-version): %v", err)
	}
	if got, want := out.String(), "flexmetal-simulator 1.2.3\n"; got != want {
		t.Fatalf("output %q, want %q", got, want)
	}
}

func TestParseFlags_QuotaAndCommit(t *testing.T) {
	o, err := parseFlags([]string{
		"-quota", "EU: Rotterdam/bm7.std.8=2",
		"-quota", "bm8.std.32=1",
		"-quota", "EU: Rotterdam/bm7.std.8=3", // a later value for the same pair wins
		"-commit", "EU: Rotterdam/bm7.std.8=4@MY-CONTRACT-1",
		"-commit", "AE: Dubai/bm9.hmm.32=1@MY-CONTRACT-2",
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	wantQuotas := map[simulator.QuotaKey]int{
		{Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8}: 3,
		{InstanceType: simulator.InstanceTypeBM8Std32}:                                       1,
	}
	if len(o.quotas) != len(wantQuotas) {
		t.Fatalf("quotas %v, want %v", o.quotas, wantQuotas)
	}
	for k, n := range wantQuotas {
		if o.quotas[k] != n {
			t.Fatalf("quotas %v, want %v", o.quotas, wantQuotas)
		}
	}
	if len(o.commits) != 2 || o.commits[0] != (simulator.CapacityCommit{ContractID: "MY-CONTRACT-1", Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8, Capacity: 4}) || o.commits[1].ContractID != "MY-CONTRACT-2" {
		t.Fatalf("commits %+v", o.commits)
	}

	for _, args := range [][]string{
		{"-quota", "bm7.std.8"},
		{"-quota", "EU: Atlantis/bm7.std.8=1"},
		{"-commit", "bm7.std.8=1@C-1"},
	} {
		var stderr strings.Builder
		if _, err := parseFlags(args, &stderr); err == nil || !strings.Contains(stderr.String(), args[1]) {
			t.Fatalf("parseFlags(%q) = %v, stderr %q; want an error quoting the value", args, err, stderr.String())
		}
	}
}

func TestRun_QuotaReachesTheSimulator(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, outW := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-quiet", "-quota", "EU: Rotterdam/bm7.std.8=0"}, outW, io.Discard)
		outW.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading banner: %v (run: %v)", err, <-errc)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	base := strings.TrimPrefix(strings.TrimSpace(line), "flexmetal-simulator listening on ")

	body := `{"name": "x", "location": "EU: Rotterdam", "instanceType": "bm7.std.8", "os": {"slug": "windows-2025"}}`
	req, _ := http.NewRequest(http.MethodPost, base+"/v3/flexMetal/servers", strings.NewReader(body))
	req.Header.Set("PRIVATE-TOKEN", simulator.DefaultAPIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(reply), "On-demand quota exceeded") {
		t.Fatalf("order with a quota of 0: %d %s, want 422 naming the quota", resp.StatusCode, reply)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run: %v", err)
	}
}

func TestRun_HelpDescribesTheFailureRules(t *testing.T) {
	var stderr strings.Builder
	if err := run(context.Background(), []string{"-h"}, io.Discard, &stderr); err != nil {
		t.Fatalf("run(-h): %v", err)
	}
	for _, want := range []string{"fail-delivery", "fail-reinstall", "fail-reinstall-keep", "stuck", "Windows, Talos and custom-ipxe", "24 hours", "-quota", "-commit"} {
		if !strings.Contains(stderr.String(), want) {
			t.Fatalf("help lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestParseFlags_AvailabilityAndNoPlans(t *testing.T) {
	o, err := parseFlags([]string{
		"-availability", "HK: Hong Kong/bm7.std.8=unavailable",
		"-availability", "bm8.std.32=low",
		"-no-plans",
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := map[simulator.QuotaKey]string{
		{Location: simulator.LocationHongKong, InstanceType: simulator.InstanceTypeBM7Std8}: simulator.AvailabilityUnavailable,
		{InstanceType: simulator.InstanceTypeBM8Std32}:                                      simulator.AvailabilityLow,
	}
	if !maps.Equal(o.avail, want) || !o.noPlans {
		t.Fatalf("availability %v, no-plans %v; want %v, true", o.avail, o.noPlans, want)
	}
	for _, args := range [][]string{
		{"-availability", "bm7.std.8=scarce"},
		{"-availability", "JP: Tokyo/bm7.std.8=low"},
		{"-availability", "bm0.none=high"},
	} {
		var stderr strings.Builder
		if _, err := parseFlags(args, &stderr); err == nil || !strings.Contains(stderr.String(), args[1]) {
			t.Fatalf("parseFlags(%q) = %v, stderr %q; want an error quoting the value", args, err, stderr.String())
		}
	}
}
