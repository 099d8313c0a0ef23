package ops

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
)

// serve runs l.Serve with h on a random port until the test ends and
// returns the address.
func serve(t *testing.T, l Limits, h http.Handler) string {
	t.Helper()
	addr := make(chan string, 1)
	errc := make(chan error, 1)
	ctx := t.Context()
	go func() { errc <- l.Serve(ctx, "127.0.0.1:0", h, zap.NewNop(), addr) }()
	select {
	case a := <-addr:
		t.Cleanup(func() {
			if err := <-errc; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
		return a
	case err := <-errc:
		t.Fatalf("Serve: %v", err)
	}
	return ""
}

// connBudget is how many client connections a test may open: both ends
// of each are files of this process.
func connBudget(want int) int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil && rl.Cur < uint64(2*want+200) {
		return int(rl.Cur-200) / 2
	}
	return want
}

const request = "GET /healthz HTTP/1.1\r\nHost: ops\r\n\r\n"

// TestIdleConnectionsAreClosed opens thousands of keep-alive connections
// that make one request and then idle, plus connections that never finish
// their headers: the server closes every one of them after its timeout
// instead of holding them (and their goroutines and files) for ever.
func TestIdleConnectionsAreClosed(t *testing.T) {
	n := connBudget(2000)
	l := Limits{IdleTimeout: 300 * time.Millisecond, ReadHeaderTimeout: 300 * time.Millisecond, MaxConns: 2 * n}
	addr := serve(t, l, Mux(NewRegistry(), nil))
	baseline := runtime.NumGoroutine()

	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		conns = append(conns, c)
		if i%2 == 0 {
			// A keep-alive client: one request, then silence.
			if _, err := io.WriteString(c, request); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("conn %d: %v", i, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.Close {
				t.Fatalf("conn %d: the server closed a fresh keep-alive connection", i)
			}
		} else {
			// A slowloris: headers that never end.
			io.WriteString(c, "GET /healthz HTTP/1.1\r\nX-Slow: ")
		}
	}
	var open atomic.Int64
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err := io.Copy(io.Discard, c) // returns when the server closes
			if errors.Is(err, os.ErrDeadlineExceeded) {
				open.Add(1)
			}
		}()
	}
	wg.Wait()
	if k := open.Load(); k > 0 {
		t.Errorf("%d of %d idle or slow connections still open 10s after a 300ms timeout", k, n)
	}
	// The server's goroutines went with the connections.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > baseline+20 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > baseline+20 {
		t.Errorf("%d goroutines after every connection closed, %d before", g, baseline)
	}
}

// TestConnectionCap: many clients at once are served at most MaxConns at
// a time; the others wait their turn and are then served.
func TestConnectionCap(t *testing.T) {
	const maxConns = 32
	n := connBudget(1000)
	release := make(chan struct{})
	var active, peak, served atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur := active.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		<-release
		active.Add(-1)
		served.Add(1)
		w.Header().Set("Connection", "close")
	})
	addr := serve(t, Limits{MaxConns: maxConns, IdleTimeout: time.Second}, h)

	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := io.WriteString(c, request); err != nil {
				errs <- err
				return
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
		}()
	}
	// Wait until the cap is reached, then give the rest time to get in
	// if the cap did not hold.
	deadline := time.Now().Add(10 * time.Second)
	for active.Load() < maxConns && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	if p := peak.Load(); p != maxConns {
		t.Errorf("%d requests in progress at once, want the cap %d", p, maxConns)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("client: %v", err)
		break
	}
	if s := served.Load(); s != int64(n) {
		t.Errorf("served %d of %d clients", s, n)
	}
}

// TestOversizedHeadersRefused: request headers over MaxHeaderBytes get
// 431, not a megabyte of buffered memory.
func TestOversizedHeadersRefused(t *testing.T) {
	addr := serve(t, Limits{MaxHeaderBytes: 4 << 10}, Mux(NewRegistry(), nil))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	big := make([]byte, 64<<10)
	for i := range big {
		big[i] = 'a'
	}
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: ops\r\nX-Big: "+string(big)+"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", resp.StatusCode)
	}
}
