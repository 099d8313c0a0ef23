package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
)

func TestSourcesCommand(t *testing.T) {
	s := bustest.Server(t)
	nats := []string{"--nats", s.ClientURL()}
	runCmd := func(args ...string) (string, error) {
		t.Helper()
		var out, errb bytes.Buffer
		err := runSources(t.Context(), append(args, nats...), &out, &errb)
		return out.String(), err
	}
	if _, err := runCmd("add", "https://News.Example/rss.xml?utm_source=x", "--every", "10m"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd("add", "--every", "1h", "--kind", "sitemap", "https://news.example/news-map.xml"); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd("list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "https://news.example/rss.xml") || !strings.Contains(out, "feed") || !strings.Contains(out, "10m0s") {
		t.Errorf("list:\n%s", out)
	}
	out, err = runCmd("list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	// Intervals are durations as Go writes them, not nanoseconds.
	var got []sourceJSON
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var src sourceJSON
		if err := json.Unmarshal([]byte(line), &src); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		got = append(got, src)
	}
	if len(got) != 2 || got[0].Kind != "sitemap" || got[0].Every != "1h0m0s" || got[1].Every != "10m0s" || got[1].URL != "https://news.example/rss.xml" {
		t.Errorf("sources = %+v", got)
	}
	if every, err := time.ParseDuration(got[0].Every); err != nil || every != time.Hour {
		t.Errorf("every %q does not parse back to 1h: %v", got[0].Every, err)
	}
	if _, err := runCmd("remove", "https://news.example/rss.xml"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd("remove", "https://news.example/rss.xml"); err == nil {
		t.Error("removing an unknown source succeeded")
	}
	out, _ = runCmd("list")
	if strings.Contains(out, "rss.xml") {
		t.Errorf("removed source still listed:\n%s", out)
	}
	for _, bad := range [][]string{{"add"}, {"add", "ftp://x/"}, {"add", "https://x.example/", "--every", "1s"}, {"frobnicate"}} {
		if _, err := runCmd(bad...); err == nil {
			t.Errorf("sources %v succeeded", bad)
		}
	}
}
