// Package live runs a chosen subset of the acceptance tests, and the sweepers that clean up
// after them, against the FlexMetal API that FLEXMETAL_BASE_URL names (by default the real one,
// https://api.i3d.net), through its public HTTP interface only: no simulator hooks, no clock
// control, real timeouts.
//
// Live runs cost money: the tests order a real server, billed per started hour. Nothing here
// sends a request unless FLEXMETAL_LIVE=1 (Enabled); an API key alone never starts a live run.
// Everything the tests create is named with Prefix and a random suffix, so `make sweep` can
// find what an interrupted run left behind without touching anything else.
//
// `make testacc-live` runs the tests and `make sweep` the sweepers; `make test-live-sim` runs
// both against the simulator started as a separate process, as if it were the real API.
// CONTRIBUTING.md describes a run against a real account.
package live

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// Prefix starts the name of every server, SSH key and tag the live tests create, and is what
// the sweepers look for: nothing else is ever released or deleted.
const Prefix = "tf-acc-"

// Environment variables of a live run besides the provider's FLEXMETAL_BASE_URL and
// FLEXMETAL_API_KEY.
const (
	// EnvLive must be "1" for any live test or sweeper to send a request.
	EnvLive = "FLEXMETAL_LIVE"
	// EnvLocation overrides DefaultLocation.
	EnvLocation = "FLEXMETAL_LIVE_LOCATION"
	// EnvInstanceType overrides DefaultInstanceType.
	EnvInstanceType = "FLEXMETAL_LIVE_INSTANCE_TYPE"
	// EnvOS overrides DefaultOS.
	EnvOS = "FLEXMETAL_LIVE_OS"
)

// What the tests order unless the environment says otherwise: the smallest instance type of the
// getting-started guide, at its location, with its operating system.
const (
	DefaultLocation     = "EU: Rotterdam"
	DefaultInstanceType = "bm7.std.8"
	DefaultOS           = "ubuntu-2404-lts"
)

// Servers is how many servers a full run of the live tests orders, for the banner it prints
// before the first request: TestLive_serverOrderedRetaggedReinstalledAndImported orders the one.
const Servers = 1

// Enabled reports whether the environment opts in to live runs: FLEXMETAL_LIVE is exactly "1".
func Enabled() bool { return os.Getenv(EnvLive) == "1" }

// Refusal is the message that stops a live run, before any request, when Enabled is false.
// what names the run, e.g. "make sweep".
func Refusal(what string) string {
	return fmt.Sprintf("%s: refusing to start: %s is %q, not \"1\". Live runs order real servers on the FlexMetal account that %s names (billed per started hour) and delete resources named %s*. Set %s=1 to run; CONTRIBUTING.md explains the cost.",
		what, EnvLive, os.Getenv(EnvLive), shared.EnvAPIKey, Prefix, EnvLive)
}

// Settings are a live run's endpoint, key and the server it orders.
type Settings struct {
	BaseURL      string
	APIKey       string
	Location     string
	InstanceType string
	OS           string
}

// SettingsFromEnv reads the settings, with the defaults above, and refuses a missing key or an
// unusable URL: both would only fail later, request by request.
func SettingsFromEnv() (Settings, error) {
	s := Settings{
		BaseURL:      cmp.Or(os.Getenv(shared.EnvBaseURL), flexmetal.DefaultBaseURL),
		APIKey:       os.Getenv(shared.EnvAPIKey),
		Location:     cmp.Or(os.Getenv(EnvLocation), DefaultLocation),
		InstanceType: cmp.Or(os.Getenv(EnvInstanceType), DefaultInstanceType),
		OS:           cmp.Or(os.Getenv(EnvOS), DefaultOS),
	}
	if strings.TrimSpace(s.APIKey) == "" {
		return s, fmt.Errorf("%s is not set: set it to an API key of the account to test against", shared.EnvAPIKey)
	}
	if msg := shared.CheckBaseURL(s.BaseURL); msg != "" {
		return s, fmt.Errorf("%s is %q: %s", shared.EnvBaseURL, s.BaseURL, msg)
	}
	return s, nil
}

// Client builds an API client for the settings, with the client's production retry policy and
// poll interval.
func (s Settings) Client() (*flexmetal.Client, error) {
	return flexmetal.NewClient(
		flexmetal.WithBaseURL(s.BaseURL),
		flexmetal.WithAPIKey(s.APIKey),
		flexmetal.WithUserAgent("terraform-provider-flexmetal-live-tests"),
	)
}

// Order describes the server the tests order, for the banner a run prints before it starts.
func (s Settings) Order() string {
	return fmt.Sprintf("%s in %q with %s", s.InstanceType, s.Location, s.OS)
}

// Swept is what one sweep released or deleted, by name.
type Swept struct {
	Servers []string
	SSHKeys []string
	Tags    []string
}

// SweepServers releases every server whose name starts with prefix and that is not already
// releasing or released, then waits until each is released (billing stops then). logf reports
// each release. The releases are all started before the first wait, so one slow release does not
// hold up the others' start; every error is returned, joined.
func SweepServers(ctx context.Context, c *flexmetal.Client, prefix string, logf func(format string, args ...any)) ([]string, error) {
	servers, err := c.Servers.List(ctx, flexmetal.ListServersOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing servers: %w", err)
	}
	var released []string
	var errs []error
	var waiting []*flexmetal.Server
	for _, srv := range servers {
		if !strings.HasPrefix(srv.Name, prefix) || srv.Status == flexmetal.StatusReleasing || srv.Status == flexmetal.StatusReleased {
			continue
		}
		logf("releasing server %s (%s), status %q", srv.UUID, srv.Name, srv.Status)
		if _, err := c.Servers.Release(ctx, srv.UUID); err != nil && !flexmetal.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("releasing server %s (%s): %w", srv.UUID, srv.Name, err))
			continue
		}
		waiting = append(waiting, srv)
	}
	for _, srv := range waiting {
		if _, err := c.Servers.WaitForRelease(ctx, srv.UUID, nil); err != nil {
			errs = append(errs, fmt.Errorf("waiting for server %s (%s) to be released: %w", srv.UUID, srv.Name, err))
			continue
		}
		released = append(released, srv.Name)
	}
	return released, errors.Join(errs...)
}

// SweepSSHKeys deletes every stored SSH key whose name starts with prefix.
func SweepSSHKeys(ctx context.Context, c *flexmetal.Client, prefix string, logf func(format string, args ...any)) ([]string, error) {
	keys, err := c.SSHKeys.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing SSH keys: %w", err)
	}
	var deleted []string
	var errs []error
	for _, k := range keys {
		if !strings.HasPrefix(k.Name, prefix) {
			continue
		}
		logf("deleting SSH key %s (%s)", k.UUID, k.Name)
		if err := c.SSHKeys.Delete(ctx, k.UUID); err != nil && !flexmetal.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting SSH key %s (%s): %w", k.UUID, k.Name, err))
			continue
		}
		deleted = append(deleted, k.Name)
	}
	return deleted, errors.Join(errs...)
}

// SweepTags deletes every account tag whose name starts with prefix (the API removes it from
// the servers that carry it).
func SweepTags(ctx context.Context, c *flexmetal.Client, prefix string, logf func(format string, args ...any)) ([]string, error) {
	tags, err := c.Tags.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing tags: %w", err)
	}
	var deleted []string
	var errs []error
	for _, t := range tags {
		if !strings.HasPrefix(t.Name, prefix) {
			continue
		}
		logf("deleting tag %s", t.Name)
		if err := c.Tags.Delete(ctx, t.Name); err != nil && !flexmetal.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting tag %s: %w", t.Name, err))
			continue
		}
		deleted = append(deleted, t.Name)
	}
	return deleted, errors.Join(errs...)
}

// Sweep releases servers first, then deletes SSH keys and tags, all by prefix: a server being
// released may still refer to a key or carry a tag. It goes on after an error, so one failure
// leaves as little behind as possible, and returns every error, joined.
func Sweep(ctx context.Context, c *flexmetal.Client, prefix string, logf func(format string, args ...any)) (Swept, error) {
	var s Swept
	var errServers, errKeys, errTags error
	s.Servers, errServers = SweepServers(ctx, c, prefix, logf)
	s.SSHKeys, errKeys = SweepSSHKeys(ctx, c, prefix, logf)
	s.Tags, errTags = SweepTags(ctx, c, prefix, logf)
	return s, errors.Join(errServers, errKeys, errTags)
}

// Empty reports whether the sweep found nothing.
func (s Swept) Empty() bool { return len(s.Servers)+len(s.SSHKeys)+len(s.Tags) == 0 }
