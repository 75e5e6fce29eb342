package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// countingAPI answers every request with the handler's answer and counts them.
func countingAPI(t *testing.T, h http.HandlerFunc) (string, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

func TestRun_refusesToStartWithoutTheLiveGate(t *testing.T) {
	url, requests := countingAPI(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`[]`)) })
	for name, vars := range map[string]map[string]string{
		"unset":  {"FLEXMETAL_BASE_URL": url, "FLEXMETAL_API_KEY": "k"},
		"not 1":  {"FLEXMETAL_LIVE": "true", "FLEXMETAL_BASE_URL": url, "FLEXMETAL_API_KEY": "k"},
		"no key": {"FLEXMETAL_LIVE": "1", "FLEXMETAL_BASE_URL": url},
	} {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), nil, env(vars), &stdout, &stderr); code != exitNotStart {
				t.Errorf("exit %d, want %d; stderr: %s", code, exitNotStart, stderr.String())
			}
			if stderr.Len() == 0 {
				t.Error("no reason given on stderr")
			}
		})
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the API received %d requests, want none", n)
	}
}

func TestRun_missingFieldFailsNamingEndpointAndField(t *testing.T) {
	url, _ := countingAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v3/flexMetal/location" {
			_, _ = w.Write([]byte(`[{"id": 18, "shortName": "RTM", "displayName": "Rotterdam", "countryId": 150,
				"countryName": "Netherlands", "countryShortName": "NL", "region": "EU"}]`))
			return
		}
		_, _ = w.Write([]byte(`[]`))
	})
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), nil, env(map[string]string{"FLEXMETAL_LIVE": "1", "FLEXMETAL_BASE_URL": url, "FLEXMETAL_API_KEY": "k"}), &stdout, &stderr)
	out := stdout.String()
	if code != exitBroken {
		t.Errorf("exit %d, want %d\n%s%s", code, exitBroken, out, stderr.String())
	}
	if first, _, _ := strings.Cut(out, "\n"); !strings.Contains(first, url) {
		t.Errorf("first line %q does not name the URL", first)
	}
	for _, want := range []string{
		"GET /v3/flexMetal/location ", "FAIL",
		"missing: name (want string, got absent)",
		"undecoded: region (string)",
		"FAIL: 1 of 15 endpoints",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// The client and the simulator are written apart (the simulator shares no code with the client):
// this catches drift between them. Every endpoint is seeded through the public API so none is
// left unchecked, and delivery and reinstalls are immediate, so nothing waits.
func TestRun_simulatorMatchesTheClient(t *testing.T) {
	sim := simulator.New(simulator.Config{
		StepDuration: -1, ReinstallStepDuration: -1, ReleaseDuration: -1,
		CapacityCommits: []simulator.CapacityCommit{{
			ContractID: "CONTRACT-1", Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8, Capacity: 2,
		}},
	})
	url, stop := sim.Start()
	t.Cleanup(stop)
	seed(t, url)

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-root-password"}, env(map[string]string{
		"FLEXMETAL_LIVE": "1", "FLEXMETAL_BASE_URL": url, "FLEXMETAL_API_KEY": simulator.DefaultAPIKey,
	}), &stdout, &stderr)
	out := stdout.String()
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	endpoints := 0
	for _, line := range lines {
		if !strings.HasPrefix(line, "GET ") {
			continue
		}
		endpoints++
		if !strings.Contains(line, "  OK (") {
			t.Errorf("not checked and OK: %s", line)
		}
	}
	if endpoints != 15 {
		t.Errorf("%d endpoints reported, want 15:\n%s", endpoints, out)
	}
	for _, s := range sim.Servers() {
		if pw, ok := sim.RootPassword(s.UUID); ok && pw != "" && strings.Contains(out+stderr.String(), pw) {
			t.Errorf("the output carries the root password of %s", s.UUID)
		}
	}
	t.Log("\n" + out)
}

// seed orders a Windows and a Linux server under a contract, tagged, with a stored key, and
// reinstalls the Linux one, through the client: each read endpoint then has something to show.
func seed(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	c, err := flexmetal.NewClient(flexmetal.WithBaseURL(url), flexmetal.WithAPIKey(simulator.DefaultAPIKey))
	if err != nil {
		t.Fatal(err)
	}
	key, err := c.SSHKeys.Create(ctx, "ops", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example.com")
	if err != nil {
		t.Fatalf("storing a key: %v", err)
	}
	order := func(name, os string, keys []string) *flexmetal.Server {
		s, err := c.Servers.Create(ctx, flexmetal.CreateServerRequest{
			Name: name, Location: simulator.LocationRotterdam, InstanceType: simulator.InstanceTypeBM7Std8,
			OS: flexmetal.OSRequest{Slug: os}, SSHKeys: keys, Tags: []string{"contract-check"}, ContractID: "CONTRACT-1",
		})
		if err != nil {
			t.Fatalf("ordering %s: %v", name, err)
		}
		return s
	}
	order("win-1", simulator.OSWindows2025, nil)
	linux := order("linux-1", simulator.OSDebian12, []string{key.UUID})
	if _, err := c.Servers.Reinstall(ctx, linux.UUID, flexmetal.ReinstallServerRequest{
		OS: flexmetal.OSRequest{Slug: simulator.OSUbuntu2404}, SSHKeys: []string{key.UUID},
	}); err != nil {
		t.Fatalf("reinstalling %s: %v", linux.UUID, err)
	}
}
