package pgtest

import (
	"net"
	"net/url"
	"testing"
	"time"
)

func TestStartStopStart(t *testing.T) {
	s := Start(t)
	u, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	reachable := func() bool {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	}
	if !reachable() {
		t.Fatal("server not reachable after Start")
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if reachable() {
		t.Fatal("server still reachable after Stop")
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if !reachable() {
		t.Fatal("server not reachable after a restart")
	}
}
