package schema

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRangesAtDecode: a depth or a pipeline time out of range is rejected
// at decode with the field named; a depth of MaxDepth still decodes, so
// depth+1 of anything decoded cannot overflow.
func TestRangesAtDecode(t *testing.T) {
	req := func(extra string) string { return `{"v":1,"url":"https://a.example/"` + extra + `}` }
	page := func(extra string) string {
		return `{"v":1,"url":"https://a.example/","status":200,"body_encoding":"zstd","fetched_at":"2026-01-01T00:00:00Z"` + extra + `}`
	}
	art := func(extra string) string {
		return `{"v":1,"url":"https://a.example/","canonical_url":"https://a.example/","page_type":"article","content_hash":"x","fetched_at":"2026-01-01T00:00:00Z"` + extra + `}`
	}
	decode := map[string]func([]byte) error{
		"request": func(b []byte) error { _, err := DecodeCrawlRequest(b, now); return err },
		"page":    func(b []byte) error { _, err := Decode[FetchedPage](b); return err },
		"article": func(b []byte) error { _, err := Decode[Article](b); return err },
		"outcome": func(b []byte) error { _, err := Decode[Outcome](b); return err },
	}
	tests := []struct {
		kind, give string
		wantField  string // "" for accepted
	}{
		{kind: "request", give: req(`,"depth":9223372036854775807`), wantField: "depth"},
		{kind: "request", give: req(`,"depth":-9223372036854775808`), wantField: "depth"},
		{kind: "request", give: req(fmt.Sprintf(`,"depth":%d`, MaxDepth+1)), wantField: "depth"},
		{kind: "request", give: req(fmt.Sprintf(`,"depth":%d`, MaxDepth))},
		{kind: "request", give: req(`,"depth":0`)},
		{kind: "request", give: req(`,"submitted_at":"9999-12-31T23:59:59Z"`), wantField: "submitted_at"},
		{kind: "request", give: req(`,"submitted_at":"0001-01-01T00:00:01Z"`), wantField: "submitted_at"},
		{kind: "request", give: req(`,"submitted_at":"2026-05-01T10:00:00+02:00"`)},
		{kind: "page", give: page(`,"depth":9223372036854775807`), wantField: "depth"},
		{kind: "page", give: page(`,"depth":-1`), wantField: "depth"},
		{kind: "page", give: page(`,"body_size":-5`), wantField: "body_size"},
		{kind: "page", give: page(`,"depth":3`)},
		{kind: "page", give: strings.Replace(page(""), "2026-01-01", "2201-01-01", 1), wantField: "fetched_at"},
		{kind: "page", give: strings.Replace(page(""), "2026-01-01", "1999-12-31", 1), wantField: "fetched_at"},
		{kind: "article", give: strings.Replace(art(""), "2026-01-01", "3000-01-01", 1), wantField: "fetched_at"},
		{kind: "article", give: art(`,"word_count":-1`), wantField: "word_count"},
		{kind: "article", give: art(`,"published":"1851-09-18T00:00:00-05:00"`)}, // an archive's first issue
		{kind: "outcome", give: `{"v":1,"url":"https://a.example/","outcome":"fetched","at":"9000-01-01T00:00:00Z"}`, wantField: "at"},
		{kind: "outcome", give: `{"v":1,"url":"https://a.example/","outcome":"fetched","at":"2026-01-01T00:00:00Z"}`},
	}
	for _, tt := range tests {
		err := decode[tt.kind]([]byte(tt.give))
		if tt.wantField == "" {
			if err != nil {
				t.Errorf("%s %s: %v, want accepted", tt.kind, tt.give, err)
			}
			continue
		}
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.wantField {
			t.Errorf("%s %s: err = %v, want a *FieldError on %s", tt.kind, tt.give, err, tt.wantField)
		}
	}
}

// TestClaimedTimesOutOfRangeAreDropped: a page's own claims (published,
// modified, a feed's hint) out of range cost the claim, not the message;
// Validate, which producers call, still reports them.
func TestClaimedTimesOutOfRangeAreDropped(t *testing.T) {
	a, err := Decode[Article]([]byte(`{"v":1,"url":"https://a.example/","canonical_url":"https://a.example/","page_type":"article","content_hash":"x",
		"fetched_at":"2026-01-01T00:00:00Z","published":"0001-01-01T00:00:00Z","modified":"9999-01-01T00:00:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	if a.Published != nil || a.Modified != nil {
		t.Errorf("published %v, modified %v: want both dropped", a.Published, a.Modified)
	}
	r, err := DecodeCrawlRequest([]byte(`{"v":1,"url":"https://a.example/","hints":{"title":"T","published":"2999-01-01T00:00:00Z"}}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Hints == nil || r.Hints.Published != nil || r.Hints.Title != "T" {
		t.Errorf("hints = %+v, want the title kept and the date dropped", r.Hints)
	}
	far := time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC)
	bad := Article{V: Version, URL: "https://a.example/", CanonicalURL: "https://a.example/", PageType: PageArticle, ContentHash: "x", FetchedAt: now, Published: &far}
	var fe *FieldError
	if err := bad.Validate(); !errors.As(err, &fe) || fe.Field != "published" {
		t.Errorf("Validate = %v, want a *FieldError on published", err)
	}
	req := CrawlRequest{V: Version, URL: "https://a.example/", Hints: &Hints{Published: &far}}
	if err := req.Validate(); !errors.As(err, &fe) || fe.Field != "hints.published" {
		t.Errorf("Validate = %v, want a *FieldError on hints.published", err)
	}
}

// FuzzDepthNeverOverflows: whatever depth a decoded request carries,
// depth+1 is positive and at most MaxDepth+1.
func FuzzDepthNeverOverflows(f *testing.F) {
	for _, d := range []string{"0", "1", "1000", "1001", "9223372036854775807", "-1", "1e3", "1.5"} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, depth string) {
		r, err := DecodeCrawlRequest([]byte(`{"v":1,"url":"https://a.example/","depth":`+depth+`}`), now)
		if err != nil {
			return
		}
		if next := r.Depth + 1; next <= 0 || next > MaxDepth+1 {
			t.Fatalf("depth %s decoded as %d", depth, r.Depth)
		}
	})
}
