package live_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/live"
)

// Sweeper names, for -sweep-run.
const (
	sweeperServers = "flexmetal_server"
	sweeperSSHKeys = "flexmetal_ssh_key"
	sweeperTags    = "flexmetal_tag"
)

// sweepTimeout bounds one sweeper: releases on the real API take minutes, and each server's
// release is awaited so the sweep ends only once billing has stopped.
const sweepTimeout = 30 * time.Minute

// The sweepers clean up what an interrupted or failed live run left behind (`make sweep`): every
// server, SSH key and account tag whose name starts with live.Prefix, and nothing else. The
// "region" that -sweep takes means nothing to FlexMetal, whose API is account-wide: the make
// target passes "account". Keys and tags are swept after servers, which may refer to them.
func init() {
	resource.AddTestSweepers(sweeperServers, &resource.Sweeper{
		Name: sweeperServers,
		F:    sweeper("servers released", live.SweepServers),
	})
	resource.AddTestSweepers(sweeperSSHKeys, &resource.Sweeper{
		Name:         sweeperSSHKeys,
		Dependencies: []string{sweeperServers},
		F:            sweeper("SSH keys deleted", live.SweepSSHKeys),
	})
	resource.AddTestSweepers(sweeperTags, &resource.Sweeper{
		Name:         sweeperTags,
		Dependencies: []string{sweeperServers},
		F:            sweeper("tags deleted", live.SweepTags),
	})
}

// sweeper adapts one of live's sweep functions to a resource.SweeperFunc. TestMain has checked
// the gate and the settings before any sweeper runs.
func sweeper(what string, sweep func(context.Context, *flexmetal.Client, string, func(string, ...any)) ([]string, error)) resource.SweeperFunc {
	return func(string) error {
		settings, err := live.SettingsFromEnv()
		if err != nil {
			return err
		}
		client, err := settings.Client()
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), sweepTimeout)
		defer cancel()
		done, err := sweep(ctx, client, live.Prefix, log.Printf)
		log.Printf("sweep: %d %s: %q", len(done), what, done)
		if err != nil {
			return fmt.Errorf("%w; run `make sweep` again, or release or delete them in the i3D.net customer portal", err)
		}
		return nil
	}
}
