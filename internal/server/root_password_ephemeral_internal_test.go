package server

import (
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

func TestRootPasswordUnavailable(t *testing.T) {
	delivered := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	windows := &flexmetal.OperatingSystem{Name: "Windows Server 2025", Slug: "windows-2025", OSGroup: osGroupWindows}
	linux := &flexmetal.OperatingSystem{Name: "Ubuntu 24.04 LTS", Slug: "ubuntu-2404-lts", OSGroup: 2}
	cases := []struct {
		name    string
		srv     flexmetal.Server
		os      *flexmetal.OperatingSystem
		summary string
		detail  []string
	}{
		{"linux", flexmetal.Server{UUID: "u1", Name: "web", Status: "delivered", OSSlug: "ubuntu-2404-lts"}, linux,
			"Not a Windows Server", []string{"server u1 (web)", "runs Ubuntu 24.04 LTS (ubuntu-2404-lts)", "ssh_keys"}},
		{"linux not delivered", flexmetal.Server{UUID: "u1", Name: "web", Status: "provisioning"}, linux,
			"Not a Windows Server", nil},
		{"windows provisioning", flexmetal.Server{UUID: "u2", Name: "win", Status: "provisioning"}, windows,
			"Server Not Delivered", []string{`status is "provisioning"`, "waits for nothing"}},
		{"windows past the window", flexmetal.Server{UUID: "u3", Name: "win", Status: "delivered", DeliveredAt: &delivered}, windows,
			"Root Password No Longer Available", []string{"which was delivered at 2026-05-01T08:00:00Z", "first 24 hours", "i3D.net console", "reinstall the server"}},
		{"unknown os", flexmetal.Server{UUID: "u4", Name: "x", Status: "delivered", OSSlug: "custom"}, nil,
			"Root Password No Longer Available", []string{`runs "custom" (the catalog could not tell whether that is Windows)`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			summary, detail := rootPasswordUnavailable(&c.srv, c.os)
			if summary != c.summary {
				t.Errorf("summary %q, want %q", summary, c.summary)
			}
			for _, want := range c.detail {
				if !strings.Contains(detail, want) {
					t.Errorf("detail %q lacks %q", detail, want)
				}
			}
		})
	}
}
