package guard

import (
	"net/netip"
	"testing"
)

// registry is every entry of the IANA IPv4 and IPv6 Special-Purpose
// Address Registries (iana-ipv4-special-registry and
// iana-ipv6-special-registry, as of 2025), with the registry's "Globally
// Reachable" column, and what the guard does with it. Entries that are
// globally reachable but lie inside a refused block are refused with it
// (see blockedRanges).
var registry = []struct {
	prefix  string
	name    string
	global  string // the registry's Globally Reachable: "true", "false" or "n/a"
	blocked bool
}{
	// IPv4.
	{prefix: "0.0.0.0/8", name: `"This network" (RFC 791)`, global: "false", blocked: true},
	{prefix: "0.0.0.0/32", name: `"This host on this network" (RFC 1122)`, global: "false", blocked: true},
	{prefix: "10.0.0.0/8", name: "Private-Use (RFC 1918)", global: "false", blocked: true},
	{prefix: "100.64.0.0/10", name: "Shared Address Space (RFC 6598)", global: "false", blocked: true},
	{prefix: "127.0.0.0/8", name: "Loopback (RFC 1122)", global: "false", blocked: true},
	{prefix: "169.254.0.0/16", name: "Link Local (RFC 3927)", global: "false", blocked: true},
	{prefix: "172.16.0.0/12", name: "Private-Use (RFC 1918)", global: "false", blocked: true},
	{prefix: "192.0.0.0/24", name: "IETF Protocol Assignments (RFC 6890)", global: "false", blocked: true},
	{prefix: "192.0.0.0/29", name: "IPv4 Service Continuity Prefix (RFC 7335)", global: "false", blocked: true},
	{prefix: "192.0.0.8/32", name: "IPv4 dummy address (RFC 7600)", global: "false", blocked: true},
	{prefix: "192.0.0.9/32", name: "Port Control Protocol Anycast (RFC 7723)", global: "true", blocked: true},
	{prefix: "192.0.0.10/32", name: "Traversal Using Relays around NAT Anycast (RFC 8155)", global: "true", blocked: true},
	{prefix: "192.0.0.170/32", name: "NAT64/DNS64 Discovery (RFC 8880)", global: "false", blocked: true},
	{prefix: "192.0.0.171/32", name: "NAT64/DNS64 Discovery (RFC 8880)", global: "false", blocked: true},
	{prefix: "192.0.2.0/24", name: "Documentation TEST-NET-1 (RFC 5737)", global: "false", blocked: true},
	{prefix: "192.31.196.0/24", name: "AS112-v4 (RFC 7535)", global: "true", blocked: false},
	{prefix: "192.52.193.0/24", name: "AMT (RFC 7450)", global: "true", blocked: false},
	{prefix: "192.88.99.0/24", name: "Deprecated 6to4 Relay Anycast (RFC 7526)", global: "n/a", blocked: true},
	{prefix: "192.168.0.0/16", name: "Private-Use (RFC 1918)", global: "false", blocked: true},
	{prefix: "192.175.48.0/24", name: "Direct Delegation AS112 Service (RFC 7534)", global: "true", blocked: false},
	{prefix: "198.18.0.0/15", name: "Benchmarking (RFC 2544)", global: "false", blocked: true},
	{prefix: "198.51.100.0/24", name: "Documentation TEST-NET-2 (RFC 5737)", global: "false", blocked: true},
	{prefix: "203.0.113.0/24", name: "Documentation TEST-NET-3 (RFC 5737)", global: "false", blocked: true},
	{prefix: "240.0.0.0/4", name: "Reserved (RFC 1112)", global: "false", blocked: true},
	{prefix: "255.255.255.255/32", name: "Limited Broadcast (RFC 919)", global: "false", blocked: true},
	// Not in the special-purpose registry: the multicast registry.
	{prefix: "224.0.0.0/4", name: "Multicast (RFC 5771)", global: "n/a", blocked: true},

	// IPv6.
	{prefix: "::1/128", name: "Loopback Address (RFC 4291)", global: "false", blocked: true},
	{prefix: "::/128", name: "Unspecified Address (RFC 4291)", global: "false", blocked: true},
	{prefix: "64:ff9b:1::/48", name: "IPv4-IPv6 Translat., local use (RFC 8215)", global: "false", blocked: true},
	{prefix: "100::/64", name: "Discard-Only Address Block (RFC 6666)", global: "false", blocked: true},
	{prefix: "100:0:0:1::/64", name: "Dummy IPv6 Prefix (RFC 9780)", global: "false", blocked: true},
	{prefix: "2001::/23", name: "IETF Protocol Assignments (RFC 2928)", global: "false", blocked: true},
	{prefix: "2001::/32", name: "TEREDO (RFC 4380)", global: "n/a", blocked: true},
	{prefix: "2001:1::1/128", name: "Port Control Protocol Anycast (RFC 7723)", global: "true", blocked: true},
	{prefix: "2001:1::2/128", name: "TURN Anycast (RFC 8155)", global: "true", blocked: true},
	{prefix: "2001:1::3/128", name: "DNS-SD Service Registration Protocol Anycast (RFC 9665)", global: "true", blocked: true},
	{prefix: "2001:2::/48", name: "Benchmarking (RFC 5180)", global: "false", blocked: true},
	{prefix: "2001:3::/32", name: "AMT (RFC 7450)", global: "true", blocked: true},
	{prefix: "2001:4:112::/48", name: "AS112-v6 (RFC 7535)", global: "true", blocked: true},
	{prefix: "2001:10::/28", name: "Deprecated ORCHID (RFC 4843)", global: "n/a", blocked: true},
	{prefix: "2001:20::/28", name: "ORCHIDv2 (RFC 7343)", global: "true", blocked: true},
	{prefix: "2001:30::/28", name: "Drone Remote ID Protocol Entity Tags (RFC 9374)", global: "true", blocked: true},
	{prefix: "2001:db8::/32", name: "Documentation (RFC 3849)", global: "false", blocked: true},
	{prefix: "2620:4f:8000::/48", name: "Direct Delegation AS112 Service (RFC 7534)", global: "true", blocked: false},
	{prefix: "3fff::/20", name: "Documentation (RFC 9637)", global: "false", blocked: true},
	{prefix: "5f00::/16", name: "Segment Routing (SRv6) SIDs (RFC 9602)", global: "false", blocked: true},
	{prefix: "fc00::/7", name: "Unique-Local (RFC 4193)", global: "false", blocked: true},
	{prefix: "fe80::/10", name: "Link-Local Unicast (RFC 4291)", global: "false", blocked: true},
	// Not in the registry (deprecated or other registries), refused.
	{prefix: "::/96", name: "IPv4-compatible, deprecated (RFC 4291)", global: "n/a", blocked: true},
	{prefix: "::ffff:0:0:0/96", name: "SIIT IPv4-translated (RFC 2765)", global: "n/a", blocked: true},
	{prefix: "fec0::/10", name: "Site-local, deprecated (RFC 3879)", global: "n/a", blocked: true},
	{prefix: "ff00::/8", name: "Multicast (RFC 4291)", global: "n/a", blocked: true},
	{prefix: "4000::/3", name: "Unassigned, outside 2000::/3", global: "n/a", blocked: true},
	{prefix: "8000::/1", name: "Unassigned, outside 2000::/3", global: "n/a", blocked: true},
}

// TestSpecialPurposeRegistries checks the first and last address of every
// registry entry.
func TestSpecialPurposeRegistries(t *testing.T) {
	for _, e := range registry {
		p := netip.MustParsePrefix(e.prefix)
		for _, ip := range []netip.Addr{p.Addr(), lastAddr(p)} {
			got := Check(ip)
			if (got != "") != e.blocked {
				t.Errorf("%s %s (%s, globally reachable %s): Check = %q, want blocked %v", e.prefix, ip, e.name, e.global, got, e.blocked)
			}
		}
	}
}

// TestEmbeddedIPv4 checks addresses that carry an IPv4 address: mapped
// (::ffff:0:0/96, RFC 4291), well-known NAT64 (64:ff9b::/96, RFC 6052)
// and 6to4 (2002::/16, RFC 3056) are judged by the IPv4 address inside;
// local-use NAT64 (64:ff9b:1::/48, RFC 8215), SIIT and Teredo are refused
// whatever they embed.
func TestEmbeddedIPv4(t *testing.T) {
	tests := []struct {
		give    string
		blocked bool
	}{
		{give: "64:ff9b:1::a9fe:a9fe", blocked: true}, // local-use NAT64 of 169.254.169.254
		{give: "64:ff9b:1::808:808", blocked: true},   // local-use NAT64, even of 8.8.8.8
		{give: "::ffff:0:a9fe:a9fe", blocked: true},   // SIIT of 169.254.169.254
		{give: "::ffff:0:808:808", blocked: true},     // SIIT of 8.8.8.8
		{give: "::ffff:169.254.169.254", blocked: true},
		{give: "::ffff:10.0.0.1", blocked: true},
		{give: "::ffff:198.18.0.1", blocked: true},
		{give: "::ffff:8.8.8.8", blocked: false},
		{give: "64:ff9b::a9fe:a9fe", blocked: true},
		{give: "64:ff9b::c0a8:101", blocked: true}, // 192.168.1.1
		{give: "64:ff9b::c000:2aa", blocked: true}, // 192.0.2.170
		{give: "64:ff9b::808:808", blocked: false}, // 8.8.8.8 through a public NAT64
		{give: "2002:a9fe:a9fe::1", blocked: true},
		{give: "2002:c0a8:101::1", blocked: true},
		{give: "2002:7f00:1::", blocked: true},
		{give: "2002:808:808::1", blocked: false},
		{give: "2001:0:4136:e378:8000:63bf:3fff:fdd2", blocked: true}, // Teredo, RFC 4380's example
		{give: "2606:4700::1111", blocked: false},
		{give: "2a00:1450:4001:80b::200e", blocked: false},
	}
	for _, tt := range tests {
		got := Check(netip.MustParseAddr(tt.give))
		if (got != "") != tt.blocked {
			t.Errorf("Check(%s) = %q, want blocked %v", tt.give, got, tt.blocked)
		}
	}
	if got := Check(netip.MustParseAddr("64:ff9b::a9fe:a9fe")); got != "nat64 of cloud metadata" {
		t.Errorf("Check(64:ff9b::a9fe:a9fe) = %q, want the embedded address's reason", got)
	}
}

// lastAddr is the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
