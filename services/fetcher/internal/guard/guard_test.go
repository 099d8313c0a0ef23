package guard

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		give    string
		blocked bool
	}{
		{give: "127.0.0.1", blocked: true},
		{give: "127.8.9.10", blocked: true},
		{give: "10.1.2.3", blocked: true},
		{give: "172.16.0.1", blocked: true},
		{give: "172.31.255.255", blocked: true},
		{give: "172.32.0.1", blocked: false},
		{give: "192.168.1.1", blocked: true},
		{give: "100.64.0.1", blocked: true},
		{give: "100.127.255.254", blocked: true},
		{give: "100.128.0.1", blocked: false},
		{give: "169.254.169.254", blocked: true},
		{give: "169.254.1.1", blocked: true},
		{give: "0.0.0.0", blocked: true},
		{give: "224.0.0.1", blocked: true},
		{give: "255.255.255.255", blocked: true},
		{give: "::1", blocked: true},
		{give: "::", blocked: true},
		{give: "::ffff:127.0.0.1", blocked: true},
		{give: "::ffff:169.254.169.254", blocked: true},
		{give: "::ffff:8.8.8.8", blocked: false},
		{give: "64:ff9b::7f00:1", blocked: true},
		{give: "2002:7f00:1::", blocked: true},
		{give: "fe80::1", blocked: true},
		{give: "fd00:ec2::254", blocked: true},
		{give: "fc00::1", blocked: true},
		{give: "8.8.8.8", blocked: false},
		{give: "93.184.216.34", blocked: false},
		{give: "2606:4700::1111", blocked: false},
	}
	for _, tt := range tests {
		got := Check(netip.MustParseAddr(tt.give))
		if (got != "") != tt.blocked {
			t.Errorf("Check(%s) = %q, want blocked=%v", tt.give, got, tt.blocked)
		}
	}
	if got := Check(netip.MustParseAddr("169.254.169.254")); got != "cloud metadata" {
		t.Errorf("metadata reason = %q", got)
	}
}

// mapResolver answers lookups from a map, standing in for DNS.
type mapResolver map[string][]netip.Addr

func (m mapResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips, ok := m[host]; ok {
		return ips, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// loopbackDial sends every connection to srv whatever address was asked,
// so a broken guard can never reach a real private or metadata address.
func loopbackDial(t *testing.T, srv *httptest.Server, dialled *[]string) func(context.Context, string, string) (net.Conn, error) {
	t.Helper()
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		*dialled = append(*dialled, addr)
		var d net.Dialer
		return d.DialContext(ctx, network, srv.Listener.Addr().String())
	}
}

func TestDialerRefusesBlockedAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "reached")
	}))
	t.Cleanup(srv.Close)
	res := mapResolver{
		"public.example":   {netip.MustParseAddr("93.184.216.34")},
		"evil.example":     {netip.MustParseAddr("127.0.0.1")},
		"meta.example":     {netip.MustParseAddr("169.254.169.254")},
		"mixed.example":    {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("10.0.0.5")},
		"mapped.example":   {netip.MustParseAddr("::ffff:10.0.0.1")},
		"internal.example": {netip.MustParseAddr("fd12::1")},
	}
	tests := []struct {
		give    string
		blocked bool
	}{
		{give: "http://public.example/", blocked: false},
		{give: "http://evil.example/", blocked: true},
		{give: "http://meta.example/latest/meta-data/", blocked: true},
		{give: "http://mixed.example/", blocked: true},
		{give: "http://mapped.example/", blocked: true},
		{give: "http://internal.example/", blocked: true},
		{give: "http://127.0.0.1/", blocked: true},
		{give: "http://169.254.169.254/", blocked: true},
		{give: "http://2130706433/", blocked: true},
		{give: "http://0x7f.1/", blocked: true},
		{give: "http://0177.0.0.1/", blocked: true},
		{give: "http://[::1]/", blocked: true},
		{give: "http://[::ffff:127.0.0.1]/", blocked: true},
	}
	for _, tt := range tests {
		var dialled []string
		d := &Dialer{Resolver: res, Dial: loopbackDial(t, srv, &dialled)}
		client := &http.Client{Transport: &http.Transport{DialContext: d.DialContext, Proxy: nil}}
		resp, err := client.Get(tt.give)
		if resp != nil {
			resp.Body.Close()
		}
		if tt.blocked {
			if !IsBlocked(err) {
				t.Errorf("GET %s: err = %v, want a blocked address", tt.give, err)
			}
			if len(dialled) != 0 {
				t.Errorf("GET %s dialled %v despite the guard", tt.give, dialled)
			}
			continue
		}
		if err != nil {
			t.Errorf("GET %s: %v", tt.give, err)
		}
	}
}

func TestDialerAllowPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "reached")
	}))
	t.Cleanup(srv.Close)
	d := &Dialer{AllowPrivate: true}
	client := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "reached" {
		t.Errorf("body = %q", body)
	}
}

// TestControlRefusesLoopback checks the last line of defence: the default
// dial path refuses a loopback peer even if resolution was bypassed.
func TestControlRefusesLoopback(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	d := &Dialer{}
	_, err := d.defaultDial(t.Context(), "tcp", srv.Listener.Addr().String())
	var b *BlockedError
	if !errors.As(err, &b) || !strings.Contains(b.Reason, "loopback") {
		t.Errorf("defaultDial(loopback) = %v, want blocked loopback", err)
	}
}
