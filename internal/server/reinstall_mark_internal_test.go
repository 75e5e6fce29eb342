package server

import (
	"strings"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// TestReinstallMark_roundTrip: the tag a reinstall carries names its installation and the
// command before it (or none), fits the API's 64 characters and tag alphabet, differs between
// servers, and reads back as the pending reinstall that reinstallFinished compares.
func TestReinstallMark_roundTrip(t *testing.T) {
	const (
		server  = "01a2424b-a25c-7000-a4ac-dd3fd22929fb"
		other   = "01a2424b-a266-7000-9541-7e259f12491d"
		command = "01a2425c-0000-7000-8000-0123456789ab"
	)
	install := flexmetal.ReinstallServerRequest{Name: "web-1", OS: flexmetal.OSRequest{Slug: "debian-12"}, SSHKeys: []string{"ssh-ed25519 AAAA"}}
	for name, since := range map[string]string{"after a command": command, "first reinstall": ""} {
		t.Run(name, func(t *testing.T) {
			tag := reinstallMark(server, install, since)
			if len(tag) > 64 || !shared.ProviderTag(tag) || strings.Trim(tag, "abcdefghijklmnopqrstuvwxyz0123456789:-") != "" {
				t.Fatalf("tag %q is not a valid provider tag of at most 64 characters", tag)
			}
			if tag == reinstallMark(other, install, since) && since == "" {
				t.Errorf("two servers' first reinstalls share the tag %q", tag)
			}
			pending, found := pendingFromTags([]string{"role:web", tag, "env:prod"})
			if pending == nil || found != tag {
				t.Fatalf("pendingFromTags did not find %q", tag)
			}
			if !pending.names(install) {
				t.Errorf("the tag's pending reinstall does not name its installation")
			}
			if pending.names(flexmetal.ReinstallServerRequest{Name: "web-2", OS: install.OS, SSHKeys: install.SSHKeys}) {
				t.Errorf("the tag's pending reinstall names another installation")
			}
			if !sameCommand(pending.Since, since) {
				t.Errorf("Since = %q, want the command %q", pending.Since, since)
			}
			newer := &flexmetal.Command{UUID: "01a2425d-0000-7000-8000-0123456789ab", State: flexmetal.CommandStateFinished}
			srv := &flexmetal.Server{Status: flexmetal.StatusDelivered, Name: install.Name, OSSlug: install.OS.Slug}
			if !reinstallFinished(pending, newer, srv, install) {
				t.Errorf("a newer finished command and the planned name and OS should count as finished")
			}
			if since != "" && reinstallFinished(pending, &flexmetal.Command{UUID: since, State: flexmetal.CommandStateFinished}, srv, install) {
				t.Errorf("the command before the reinstall must not count as the reinstall")
			}
		})
	}
}

// TestPendingFromTags_ignoresOtherTags: ordinary tags, creation tags and malformed reinstall tags
// name no pending reinstall.
func TestPendingFromTags_ignoresOtherTags(t *testing.T) {
	for _, tags := range [][]string{
		nil,
		{"role:web", shared.CreationTagPrefix + "0123456789abcdef01234567"},
		{shared.ReinstallTagPrefix + "short:c0123"},
		{shared.ReinstallTagPrefix + "0123456789abcdef:x0123"},
		{shared.ReinstallTagPrefix + "0123456789abcdef"},
	} {
		if p, tag := pendingFromTags(tags); p != nil || tag != "" {
			t.Errorf("pendingFromTags(%q) = %+v, %q; want none", tags, p, tag)
		}
	}
}
