package flexmetal

import (
	"net/netip"
	"strings"
)

// IPv4Address returns the server's IPv4 address: the first entry of IPAddresses that is one, ""
// while there is none.
//
// The API marks no entry as IPv4 or IPv6 (its FlexMetalServerIpAddress has only ipAddress) and
// documents no order, so each entry is parsed rather than taken by position.
func (s *Server) IPv4Address() string { return firstAddress(s.IPAddresses, true) }

// IPv6Address returns the server's IPv6 address: the first entry of IPAddresses that is one, ""
// while there is none. See IPv4Address.
func (s *Server) IPv6Address() string { return firstAddress(s.IPAddresses, false) }

// firstAddress returns the first of addresses that is a usable address of the family (IPv4 when
// v4): the entry as the API wrote it, or its plain address when the API wrote it as an
// IPv4-mapped IPv6 address or with a prefix length. Entries that do not parse, and addresses no
// one else can reach the server at (loopback, link-local, unspecified, multicast), are skipped.
func firstAddress(addresses []string, v4 bool) string {
	for _, raw := range addresses {
		text := strings.TrimSpace(raw)
		a, err := netip.ParseAddr(text)
		if err != nil {
			p, perr := netip.ParsePrefix(text)
			if perr != nil {
				continue
			}
			a, text = p.Addr(), p.Addr().String()
		}
		if a.Is4In6() {
			a = a.Unmap()
			text = a.String()
		}
		if a.Is4() != v4 || !a.IsGlobalUnicast() {
			continue
		}
		return text
	}
	return ""
}
