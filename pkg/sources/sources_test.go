package sources

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/bus/bustest"
)

func TestRegistry(t *testing.T) {
	ctx := t.Context()
	s := bustest.Server(t)
	_, js := bustest.Connect(t, s)
	a, err := Open(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := a.Add(ctx, "https://News.Example/rss.xml#x", 10*time.Minute, "")
	if err != nil {
		t.Fatal(err)
	}
	if feed.URL != "https://news.example/rss.xml" || feed.Kind != KindFeed {
		t.Errorf("added %+v", feed)
	}
	if _, err := a.Add(ctx, "https://news.example/sitemap-news.xml", time.Hour, ""); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		url   string
		every time.Duration
		kind  string
	}{{"ftp://x/", time.Hour, ""}, {"https://x.example/", time.Second, ""}, {"https://x.example/", time.Hour, "video"}} {
		if _, err := a.Add(ctx, bad.url, bad.every, bad.kind); err == nil {
			t.Errorf("Add(%v) succeeded", bad)
		}
	}

	// Two replicas poll at once: each due source goes to exactly one.
	now := time.Now().UTC()
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for _, r := range []*Registry{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			due, err := r.Due(ctx, now)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			for _, s := range due {
				got[s.URL]++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(got) != 2 || got["https://news.example/rss.xml"] != 1 || got["https://news.example/sitemap-news.xml"] != 1 {
		t.Errorf("due sources %v, want each once", got)
	}
	if due, _ := a.Due(ctx, now.Add(5*time.Minute)); len(due) != 0 {
		t.Errorf("due again before the interval: %+v", due)
	}
	if due, _ := a.Due(ctx, now.Add(11*time.Minute)); len(due) != 1 || due[0].Kind != KindFeed {
		t.Errorf("due after 11m: %+v, want the feed", due)
	}

	if err := b.SetValidators(ctx, feed.URL, `"v2"`, "Sat, 28 Nov 2026 08:00:00 GMT"); err != nil {
		t.Fatal(err)
	}
	s2, _, err := a.Get(ctx, feed.URL)
	if err != nil || s2.ETag != `"v2"` || s2.LastModified == "" || s2.LastPolled.IsZero() {
		t.Errorf("after validators: %+v %v", s2, err)
	}
	if err := a.Remove(ctx, "https://news.example/rss.xml"); err != nil {
		t.Fatal(err)
	}
	if err := a.Remove(ctx, "https://news.example/rss.xml"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second remove: %v, want ErrNotFound", err)
	}
	list, err := b.List(ctx)
	if err != nil || len(list) != 1 || list[0].Kind != KindSitemap {
		t.Errorf("list %+v %v", list, err)
	}
}

func TestGuessKind(t *testing.T) {
	tests := []struct{ give, want string }{
		{"https://news.example/sitemap-news.xml", KindSitemap},
		{"https://news.example/sitemaps/2026-11.xml.gz", KindSitemap},
		{"https://news.example/rss.xml", KindFeed},
		{"https://news.example/feeds/world", KindFeed},
		{"https://news.example/atom", KindFeed},
		{"https://news.example/index.rdf", KindFeed},
		{"https://news.example/", KindPage},
		{"https://news.example/world/", KindPage},
		{"https://news.example/world/?utm_source=rss", KindPage},
	}
	for _, tt := range tests {
		if got := GuessKind(tt.give); got != tt.want {
			t.Errorf("GuessKind(%s) = %q, want %q", tt.give, got, tt.want)
		}
	}
}
