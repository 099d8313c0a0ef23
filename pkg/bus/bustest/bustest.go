// Package bustest starts a real JetStream server for the tests of every
// module and connects to it. By default the server runs in process
// (nats-server as a library, a random port, its store in a temporary
// directory). When NEWSFLOW_TEST_NATS_SERVER names a nats-server binary,
// each test starts that binary instead, as a separate process on a random
// port with its own temporary store, so the same suites check the bus
// against the server an operator runs (the Debian package's 2.9, say).
// Either way the server is shut down when the test ends.
package bustest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/natsserver"
)

// EnvServer is the environment variable naming a nats-server binary to
// test against instead of the embedded server.
const EnvServer = "NEWSFLOW_TEST_NATS_SERVER"

// NATS is one JetStream server started for a test.
type NATS struct {
	url string
}

// ClientURL returns the URL clients connect to.
func (n *NATS) ClientURL() string { return n.url }

// Server starts a JetStream server for tb (see the package doc) and
// returns it; it is shut down at the end of the test.
func Server(tb testing.TB) *NATS {
	tb.Helper()
	if bin := os.Getenv(EnvServer); bin != "" {
		return external(tb, bin)
	}
	s, err := natsserver.Start(natsserver.Options{Port: -1, StoreDir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return &NATS{url: s.ClientURL()}
}

// external starts the nats-server binary bin on a random loopback port.
// The server writes the port it took to a ports file, read here.
func external(tb testing.TB, bin string) *NATS {
	tb.Helper()
	dir := tb.TempDir()
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", "-1", "-js", "-sd", filepath.Join(dir, "store"),
		"--ports_file_dir", dir, "-l", filepath.Join(dir, "server.log"))
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	portsFile := filepath.Join(dir, filepath.Base(bin)+"_"+strconv.Itoa(cmd.Process.Pid)+".ports")
	deadline := time.Now().Add(15 * time.Second)
	for {
		var ports struct {
			Client []string `json:"nats"` // client URLs
		}
		if data, err := os.ReadFile(portsFile); err == nil && json.Unmarshal(data, &ports) == nil && len(ports.Client) > 0 {
			return &NATS{url: ports.Client[0]}
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			tb.Fatalf("%s exited: %v\n%s", bin, err, log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: no ports file %s after 15s", bin, portsFile)
		}
	}
}

// Connect opens a client connection to s, closed at the end of the test.
func Connect(tb testing.TB, s *NATS) (*nats.Conn, jetstream.JetStream) {
	tb.Helper()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		tb.Fatal(err)
	}
	return nc, js
}
