package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/newsflow/newsflow/pkg/demosite"
)

// demoServer is one demo site listening on loopback.
type demoServer struct {
	site *demosite.Site
	base string
	srv  *http.Server
}

// startDemoSites serves n demo sites sharing wire stories, each on its own
// port of host, until ctx is cancelled.
func startDemoSites(ctx context.Context, host string, n int, opts demosite.Options) ([]*demoServer, error) {
	var servers []*demoServer
	for _, site := range demosite.NewNetwork(n, opts) {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, fmt.Errorf("demo site: %w", err)
		}
		srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		servers = append(servers, &demoServer{site: site, base: "http://" + ln.Addr().String(), srv: srv})
	}
	go func() {
		<-ctx.Done()
		for _, s := range servers {
			_ = s.srv.Close()
		}
	}()
	return servers, nil
}

// runDemoSite serves the demo site(s) and prints each base URL on its own
// line, the first one first, until interrupted.
func runDemoSite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo-site", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address of the first site (port 0 picks a free port)")
	sites := fs.Int("sites", 1, "number of demo sites sharing wire stories (each on its own port)")
	articles := fs.Int("articles", 240, "article pages per site")
	seed := fs.Int64("seed", 1, "generator seed: the same seed serves the same site")
	fs.Usage = usageFunc(fs, "Usage: newsflow demo-site [flags]\n\nServes a generated news site with its truth at /_manifest.json.\n")
	pos, err := parseFlags(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("demo-site: unexpected arguments %q", pos)
	}
	if *sites < 1 {
		return errors.New("sites: want at least 1")
	}
	network := demosite.NewNetwork(*sites, demosite.Options{Articles: *articles, Seed: *seed})
	var servers []*http.Server
	for i, site := range network {
		listen := *addr
		if i > 0 {
			host, _, _ := net.SplitHostPort(*addr)
			listen = net.JoinHostPort(host, "0")
		}
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return fmt.Errorf("listen %s: %w", listen, err)
		}
		srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, srv)
		go func() { _ = srv.Serve(ln) }()
		fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	}
	<-ctx.Done()
	for _, s := range servers {
		_ = s.Close()
	}
	return nil
}
