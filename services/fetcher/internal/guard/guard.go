// Package guard refuses connections to addresses a crawler must never
// reach: loopback, private, link-local, CGNAT, cloud metadata, multicast,
// NAT64/SIIT translation, reserved and documentation ranges (every entry of
// the IANA special-purpose registries that is not globally reachable),
// also when spelled oddly ("2130706433", "0x7f.1", "::ffff:127.0.0.1",
// "64:ff9b::a9fe:a9fe") or when a public name resolves to them. The check runs at dial time, on every connection
// (first hop, redirects, robots.txt, sitemaps, feeds), so no URL trick or
// DNS answer gets past it.
//
// It depends only on the standard library and pkg/urlnorm.
package guard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/newsflow/newsflow/pkg/urlnorm"
)

// BlockedError is returned when a connection to a refused address was
// attempted. Test with errors.As.
type BlockedError struct {
	Host   string
	Addr   netip.Addr
	Reason string
}

func (e *BlockedError) Error() string {
	if e.Host != "" && e.Host != e.Addr.String() {
		return fmt.Sprintf("blocked address %s (%s resolves to %s)", e.Addr, e.Host, e.Reason)
	}
	return fmt.Sprintf("blocked address %s (%s)", e.Addr, e.Reason)
}

// IsBlocked reports whether err says a connection was refused by the guard.
func IsBlocked(err error) bool {
	var b *BlockedError
	return errors.As(err, &b)
}

type blockedRange struct {
	prefix netip.Prefix
	reason string
}

// blockedRanges are refused outright, most specific first (the first
// match names the reason). They are the entries of the IANA IPv4 and IPv6
// Special-Purpose Address Registries that are not globally reachable
// (checked against the registries of 2025), multicast, and the cloud
// metadata addresses. A few registry entries marked globally reachable
// lie inside a refused block and are refused with it: anycast services
// (192.0.0.9, 192.0.0.10, 2001:1::1-3), AMT 2001:3::/32, AS112
// 2001:4:112::/48 and ORCHIDv2/DETs 2001:20::/27, none of which serves
// web pages. AS112 192.31.196.0/24 and 192.175.48.0/24, AMT
// 192.52.193.0/24 and 2620:4f:8000::/48 are public and allowed.
//
// IPv6 outside 2000::/3 (global unicast) is refused even when no entry
// names it, and the IPv4 inside an IPv4-mapped (::ffff:0:0/96),
// well-known NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address is judged
// by the IPv4 rules.
var blockedRanges = func() []blockedRange {
	list := []struct{ cidr, reason string }{
		// Cloud metadata, named for the log.
		{"169.254.169.254/32", "cloud metadata"},
		{"fd00:ec2::254/128", "cloud metadata"},

		// IPv4 (RFC 6890 and its updates).
		{"0.0.0.0/8", "this network"},                 // RFC 791
		{"10.0.0.0/8", "private"},                     // RFC 1918
		{"100.64.0.0/10", "carrier-grade nat"},        // RFC 6598
		{"127.0.0.0/8", "loopback"},                   // RFC 1122
		{"169.254.0.0/16", "link-local"},              // RFC 3927
		{"172.16.0.0/12", "private"},                  // RFC 1918
		{"192.0.0.0/24", "ietf protocol assignments"}, // RFC 6890: DS-Lite, dummy, PCP/TURN anycast, NAT64 discovery
		{"192.0.2.0/24", "documentation"},             // RFC 5737
		{"192.88.99.0/24", "6to4 relay anycast"},      // RFC 7526, deprecated
		{"192.168.0.0/16", "private"},                 // RFC 1918
		{"198.18.0.0/15", "benchmarking"},             // RFC 2544
		{"198.51.100.0/24", "documentation"},          // RFC 5737
		{"203.0.113.0/24", "documentation"},           // RFC 5737
		{"224.0.0.0/4", "multicast"},                  // RFC 5771
		{"240.0.0.0/4", "reserved"},                   // RFC 1112; holds 255.255.255.255, limited broadcast (RFC 919)

		// IPv6 (RFC 6890 and its updates), outside 2000::/3.
		{"::/128", "unspecified"},                   // RFC 4291
		{"::1/128", "loopback"},                     // RFC 4291
		{"::ffff:0:0:0/96", "siit ipv4-translated"}, // RFC 2765
		{"::/96", "ipv4-compatible"},                // RFC 4291, deprecated
		{"64:ff9b:1::/48", "local-use nat64"},       // RFC 8215
		{"100::/64", "discard-only"},                // RFC 6666
		{"100:0:0:1::/64", "dummy prefix"},          // RFC 9780
		{"5f00::/16", "srv6 sids"},                  // RFC 9602
		{"fc00::/7", "unique local"},                // RFC 4193
		{"fe80::/10", "link-local"},                 // RFC 4291
		{"fec0::/10", "site-local"},                 // RFC 3879, deprecated
		{"ff00::/8", "multicast"},                   // RFC 4291
		// IPv6 inside 2000::/3.
		{"2001::/32", "teredo"},                    // RFC 4380
		{"2001:2::/48", "benchmarking"},            // RFC 5180
		{"2001:10::/28", "orchid"},                 // RFC 4843, deprecated
		{"2001:20::/28", "orchidv2"},               // RFC 7343
		{"2001::/23", "ietf protocol assignments"}, // RFC 2928
		{"2001:db8::/32", "documentation"},         // RFC 3849
		{"3fff::/20", "documentation"},             // RFC 9637
	}
	out := make([]blockedRange, len(list))
	for i, l := range list {
		out[i] = blockedRange{netip.MustParsePrefix(l.cidr), l.reason}
	}
	return out
}()

var (
	nat64         = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4        = netip.MustParsePrefix("2002::/16")
	globalUnicast = netip.MustParsePrefix("2000::/3")
)

// Check returns why ip must not be dialled, or "" when it may. IPv4-mapped,
// NAT64 and 6to4 IPv6 addresses are judged by the IPv4 address inside.
func Check(ip netip.Addr) string {
	if !ip.IsValid() {
		return "invalid address"
	}
	if ip.Zone() != "" {
		return "scoped address"
	}
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return embedded("nat64", netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixTo4.Contains(ip):
			return embedded("6to4", netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	for _, r := range blockedRanges {
		if r.prefix.Contains(ip) {
			return r.reason
		}
	}
	if ip.Is6() && !globalUnicast.Contains(ip) {
		return "not global unicast"
	}
	return ""
}

// embedded judges the IPv4 address inside an IPv6 one.
func embedded(kind string, v4 netip.Addr) string {
	if reason := Check(v4); reason != "" {
		return kind + " of " + reason
	}
	return ""
}

// Resolver looks up a host's addresses; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Dialer dials TCP connections after checking every address the host
// resolves to. Unless AllowPrivate, a host with any refused address is
// refused whole (a name that mixes public and private answers is a
// rebinding attempt), and the socket's peer is checked again just before
// connect.
type Dialer struct {
	// AllowPrivate switches the guard off (tests and demos on loopback).
	AllowPrivate bool
	// Timeout bounds the connect (default 10s).
	Timeout time.Duration
	// Resolver defaults to net.DefaultResolver.
	Resolver Resolver
	// Dial connects to one checked "ip:port"; the default is a net.Dialer
	// whose Control hook checks the address once more. Tests replace it
	// so that no connection ever leaves loopback.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// DialContext is for http.Transport.DialContext. Errors are a
// *BlockedError, a lookup error or a dial error.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	ips, err := d.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	if !d.AllowPrivate {
		for _, ip := range ips {
			if reason := Check(ip); reason != "" {
				return nil, &BlockedError{Host: host, Addr: ip, Reason: reason}
			}
		}
	}
	dial := d.Dial
	if dial == nil {
		dial = d.defaultDial
	}
	var firstErr error
	for _, ip := range ips {
		conn, err := dial(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil || IsBlocked(err) {
			break
		}
	}
	return nil, firstErr
}

func (d *Dialer) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	// Numeric spellings a C resolver would accept ("2130706433",
	// "0x7f.1") are addresses, not names.
	if ip, ok := urlnorm.ParseIPv4(host); ok {
		return []netip.Addr{ip}, nil
	}
	r := d.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ips, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("lookup %s: %w", host, err)
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("lookup %s: no addresses", host)
	}
	return ips, nil
}

func (d *Dialer) defaultDial(ctx context.Context, network, addr string) (net.Conn, error) {
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	nd := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !d.AllowPrivate {
		nd.Control = Control
	}
	return nd.DialContext(ctx, network, addr)
}

// Control is a net.Dialer Control hook that refuses blocked peers: the
// last line of defence, run on the address actually connected to.
func Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: unparseable address", address)
	}
	if reason := Check(ap.Addr()); reason != "" {
		return &BlockedError{Addr: ap.Addr(), Reason: reason}
	}
	return nil
}
