// Package pgtest starts a private PostgreSQL server for tests that must
// stop and restart their store (outage tests): its own data directory,
// port and socket directory, removed when the test ends. It needs initdb
// and pg_ctl on PATH (or POSTGRES_BIN naming their directory); run as
// root, it runs the server as the postgres user, since initdb refuses root.
package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// Server is a private PostgreSQL server.
type Server struct {
	dir, data  string
	port       int
	asPostgres bool
}

// Start initdbs and starts a server; it is stopped and removed at the end
// of the test. The test fails when PostgreSQL's tools are missing.
func Start(tb testing.TB) *Server {
	tb.Helper()
	if _, err := exec.LookPath(bin("initdb")); err != nil {
		tb.Fatalf("initdb not found (%v): install PostgreSQL or set POSTGRES_BIN to its bin directory", err)
	}
	// Not tb.TempDir: its parents are private to root, and the server runs
	// as postgres when the test runs as root.
	dir, err := os.MkdirTemp("", "newsflow-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{dir: dir, data: filepath.Join(dir, "data"), port: port, asPostgres: os.Geteuid() == 0}
	tb.Cleanup(func() {
		_ = s.ctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if s.asPostgres {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("running as root and no postgres user to run the server: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
	}
	if out, err := s.command(bin("initdb"), "-D", s.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	if err := s.Start(); err != nil {
		tb.Fatalf("pg_ctl start: %v", err)
	}
	return s
}

// URL is the server's connection URL (database postgres, trust auth).
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// Start starts the (stopped) server and waits until it accepts connections.
func (s *Server) Start() error { return s.ctl("start") }

// Stop stops the server at once (fast shutdown: clients are disconnected).
func (s *Server) Stop() error { return s.ctl("stop", "-m", "fast") }

func bin(name string) string {
	if d := os.Getenv("POSTGRES_BIN"); d != "" {
		return filepath.Join(d, name)
	}
	return name
}

func (s *Server) command(name string, args ...string) *exec.Cmd {
	if s.asPostgres {
		if path, err := exec.LookPath(name); err == nil {
			name = path
		}
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

// ctl runs pg_ctl and waits for it to finish.
func (s *Server) ctl(action string, args ...string) error {
	a := []string{action, "-D", s.data, "-w", "-t", "30"}
	if action == "start" {
		// fsync off: tests stop the server, they never crash the machine.
		a = append(a, "-l", filepath.Join(s.dir, "server.log"), "-o",
			fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off", s.port, s.dir))
	}
	out, err := s.command(bin("pg_ctl"), append(a, args...)...).CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		return fmt.Errorf("pg_ctl %s: %v: %s\n%s", action, err, out, log)
	}
	return nil
}
