package flexmetal_test

import (
	"context"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

func TestServerIPv4AndIPv6Address(t *testing.T) {
	cases := map[string]struct {
		addresses []string
		want4     string
		want6     string
	}{
		"none":                      {nil, "", ""},
		"IPv4 then IPv6":            {[]string{"192.0.2.1", "2001:db8:0:1::1"}, "192.0.2.1", "2001:db8:0:1::1"},
		"IPv6 first":                {[]string{"2001:db8:0:1::1", "192.0.2.1"}, "192.0.2.1", "2001:db8:0:1::1"},
		"IPv4 only":                 {[]string{"198.51.100.7"}, "198.51.100.7", ""},
		"IPv6 only":                 {[]string{"2001:db8::7"}, "", "2001:db8::7"},
		"two IPv4, the first wins":  {[]string{"2001:db8::2", "192.0.2.2", "198.51.100.2"}, "192.0.2.2", "2001:db8::2"},
		"as written by the API":     {[]string{"2001:DB8:0:0::1"}, "", "2001:DB8:0:0::1"},
		"with prefix lengths":       {[]string{"192.0.2.9/24", "2001:db8::9/64"}, "192.0.2.9", "2001:db8::9"},
		"IPv4-mapped IPv6 is IPv4":  {[]string{"::ffff:192.0.2.3"}, "192.0.2.3", ""},
		"unparsable and blank skip": {[]string{"", "not-an-ip", "192.0.2.300", "192.0.2.4"}, "192.0.2.4", ""},
		"link-local skipped":        {[]string{"fe80::1", "fe80::2%eth0", "2001:db8::5"}, "", "2001:db8::5"},
		"loopback and unspecified":  {[]string{"127.0.0.1", "0.0.0.0", "::1", "::"}, "", ""},
		"surrounding space trimmed": {[]string{" 192.0.2.6 "}, "192.0.2.6", ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := &flexmetal.Server{IPAddresses: tc.addresses}
			if got := s.IPv4Address(); got != tc.want4 {
				t.Errorf("IPv4Address() = %q, want %q", got, tc.want4)
			}
			if got := s.IPv6Address(); got != tc.want6 {
				t.Errorf("IPv6Address() = %q, want %q", got, tc.want6)
			}
		})
	}
}

// TestServerAddresses_fromTheWire: the API's entries carry only ipAddress, so the families come
// from the addresses themselves, whatever their order.
func TestServerAddresses_fromTheWire(t *testing.T) {
	api, _ := newAPI(t, scripted(t, okJSON(`[{"uuid":"u1","status":"delivered","ipAddresses":[{"ipAddress":"2001:db8:0:3::1"},{"ipAddress":"192.0.2.3"}]}]`)))
	s, err := newClient(t, api.URL).Servers.Get(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if s.IPv4Address() != "192.0.2.3" || s.IPv6Address() != "2001:db8:0:3::1" || len(s.IPAddresses) != 2 {
		t.Fatalf("addresses %q: IPv4 %q, IPv6 %q", s.IPAddresses, s.IPv4Address(), s.IPv6Address())
	}
}
