package store

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
)

// noise returns n bytes of incompressible URL-safe text: PostgreSQL
// compresses index entries, so a repeated letter would fit where a real
// long URL does not.
func noise(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:n]
}

// poison returns the articles that broke the PostgreSQL indexer for good,
// or would have: long keys, a long site name, NUL bytes and invalid UTF-8
// in every string field, the stores' snippet markers in the text, a huge
// content hash, a body beyond its cap.
func poison() map[string]schema.Article {
	out := map[string]schema.Article{}

	longURL := articletest.Article("long.example", 1)
	longURL.CanonicalURL = "https://long.example/news/" + noise(3500)
	longURL.URL = longURL.CanonicalURL + "?utm_source=" + noise(400)
	longURL.FinalURL = longURL.URL
	out["3.5 KB URL"] = longURL

	longSite := articletest.Article("site.example", 2)
	longSite.SiteName = "Site " + noise(3500)
	out["3.5 KB site name"] = longSite

	dirty := articletest.Article("dirty.example", 3)
	setStrings(reflect.ValueOf(&dirty).Elem(), func(s string) string { return s + "\x00\xff\xfe\x01 tail" })
	dirty.CanonicalURL = "https://dirty.example/news/nul"
	dirty.URL = dirty.CanonicalURL
	dirty.PageType = schema.PageArticle
	dirty.Reparse = "" // a reparse replaces the same fetch: not what this test redelivers
	out["NUL and invalid UTF-8 everywhere"] = dirty

	hash := articletest.Article("hash.example", 4)
	hash.ContentHash = noise(10 << 10)
	out["10 KB content hash"] = hash

	huge := articletest.ArticleWithBody("huge.example", 5, strings.Repeat(noise(1<<10)+" ", 2<<10)) // 2 MiB of distinct words
	huge.Title = noise(5 << 10)
	huge.Description = noise(20 << 10)
	huge.Authors = make([]string, 1000)
	for i := range huge.Authors {
		huge.Authors[i] = noise(1 << 10)
	}
	out["huge fields"] = huge

	page := articletest.Page("page.example", "/section/"+noise(3500), schema.PageSection)
	page.Title = noise(4 << 10)
	page.SiteName = noise(4 << 10)
	out["section page with 3.5 KB URL"] = page
	return out
}

// setStrings applies f to every string (in structs, slices, maps and
// pointers) of v, so a new field of schema.Article is covered too.
func setStrings(v reflect.Value, f func(string) string) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(f(v.String()))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			setStrings(v.Field(i), f)
		}
	case reflect.Slice:
		for i := range v.Len() {
			setStrings(v.Index(i), f)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			setStrings(v.Elem(), f)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		m := reflect.MakeMap(v.Type())
		for _, k := range v.MapKeys() {
			nk, nv := reflect.New(k.Type()).Elem(), reflect.New(v.Type().Elem()).Elem()
			nk.Set(k)
			nv.Set(v.MapIndex(k))
			setStrings(nk, f)
			setStrings(nv, f)
			m.SetMapIndex(nk, nv)
		}
		v.Set(m)
	}
}

// TestPoisonBatchIsIndexed: a batch holding every poison article is
// written whole on both stores, each article within its caps, and the
// stores keep indexing afterwards.
func TestPoisonBatchIsIndexed(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		items := poison()
		batch := []schema.Article{articletest.Article("daily.example", 1)}
		for _, a := range items {
			batch = append(batch, a)
		}
		res, err := s.Ingest(t.Context(), batch)
		if err != nil {
			t.Fatalf("Ingest(poison batch): %v (outage %v)", err, IsOutage(err))
		}
		if res.Inserted != len(batch)-1 || res.Pages != 1 {
			t.Errorf("result %+v, want %d articles and 1 page", res, len(batch)-1)
		}
		for name, a := range items {
			if a.PageType != schema.PageArticle {
				continue
			}
			got, err := s.Article(t.Context(), a.URL)
			if err != nil {
				t.Errorf("%s: Article(url): %v", name, err)
				continue
			}
			if got.CanonicalURL != a.CanonicalURL {
				t.Errorf("%s: canonical %q..., want the long URL kept whole", name, got.CanonicalURL[:min(60, len(got.CanonicalURL))])
			}
			checkCapped(t, name, got.Article)
		}
		// Redelivery of the same batch changes nothing: the hashed keys
		// find every row again.
		if res := mustIngest(t, s, batch...); res.Inserted != 0 || res.Unchanged != len(batch)-1 {
			t.Errorf("redelivery: %+v, want all unchanged", res)
		}
		// And the store goes on.
		next := articletest.Article("daily.example", 2)
		mustIngest(t, s, next)
		if _, err := s.Article(t.Context(), next.CanonicalURL); err != nil {
			t.Errorf("article after the poison batch: %v", err)
		}
		if st := mustStats(t, s); st.Articles != len(batch) || st.Pages != 1 {
			t.Errorf("stats %+v", st)
		}
		// The long-URL article is found by search and by its canonical URL.
		long := items["3.5 KB URL"]
		if _, err := s.Article(t.Context(), long.CanonicalURL); err != nil {
			t.Errorf("Article(canonical 3.5 KB URL): %v", err)
		}
		hits := mustSearch(t, s, "harbour OR bridge OR budget OR pension OR tunnel OR wheat", func(q *Search) { q.Site = "long.example"; q.Limit = 100 })
		if hits.Total != 1 || hits.Results[0].CanonicalURL != long.CanonicalURL {
			t.Errorf("search on the long-URL site: %d hits", hits.Total)
		}
	})
}

// checkCapped checks every cap and cleaning rule on a stored article.
func checkCapped(t *testing.T, name string, a schema.Article) {
	t.Helper()
	fields := map[string]struct {
		v   string
		max int
	}{
		"site_name": {a.SiteName, MaxSiteBytes}, "title": {a.Title, MaxTitleBytes},
		"description": {a.Description, MaxDescriptionBytes}, "body": {a.Body, MaxBodyBytes},
		"content_hash": {a.ContentHash, MaxContentHashBytes}, "url": {a.URL, schema.MaxURLLength},
	}
	for f, c := range fields {
		if len(c.v) > c.max {
			t.Errorf("%s: %s is %d bytes, cap %d", name, f, len(c.v), c.max)
		}
	}
	if len(a.Authors) > MaxLabels {
		t.Errorf("%s: %d authors, cap %d", name, len(a.Authors), MaxLabels)
	}
	setStrings(reflect.ValueOf(&a).Elem(), func(s string) string {
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\x01\x02\x03") {
			t.Errorf("%s: stored string %.40q is not clean text", name, s)
		}
		return s
	})
}

// TestLongKeysStayDistinct: two 3.5 KB URLs that differ in their last
// byte are two articles, and the same one twice is one.
func TestLongKeysStayDistinct(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		base := "https://long.example/" + noise(3500)
		a1 := articletest.Article("long.example", 1)
		a1.URL, a1.CanonicalURL = base+"a", base+"a"
		a2 := articletest.Article("long.example", 2)
		a2.URL, a2.CanonicalURL = base+"b", base+"b"
		again := a1
		again.FetchedAt = a1.FetchedAt.Add(time.Hour)
		mustIngest(t, s, a1, a2)
		if res := mustIngest(t, s, again); res.Updated != 1 {
			t.Errorf("newer fetch of a long URL: %+v, want an update", res)
		}
		if st := mustStats(t, s); st.Articles != 2 || st.URLs != 2 {
			t.Errorf("%d articles, %d urls; want 2 and 2", st.Articles, st.URLs)
		}
	})
}

func TestText(t *testing.T) {
	tests := []struct {
		give string
		max  int
		want string
	}{
		{give: "plain", max: 10, want: "plain"},
		{give: "tab\tand\nlines\r\n", want: "tab\tand\nlines\r\n"},
		{give: "nul\x00 and \x02mark\x03", want: "nul and mark"},
		{give: "bad \xff utf-8", want: "bad \uFFFD utf-8"},
		{give: "0123456789abc", max: 10, want: "0123456…"},
		{give: "ééééé", max: 6, want: "é…"}, // cut at a character boundary
		{give: "exactly10!", max: 10, want: "exactly10!"},
	}
	for _, tt := range tests {
		got := text(tt.give, tt.max)
		if got != tt.want {
			t.Errorf("text(%q, %d) = %q, want %q", tt.give, tt.max, got, tt.want)
		}
		if tt.max > 0 && len(got) > tt.max {
			t.Errorf("text(%q, %d) is %d bytes", tt.give, tt.max, len(got))
		}
	}
}

// TestInvalidItemIsNotAnOutage: an article the store refuses is reported
// as such, never as an outage, so the runner narrows the batch down to it.
func TestInvalidItemIsNotAnOutage(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		bad := articletest.Article("daily.example", 1)
		bad.CanonicalURL = "ftp://x"
		_, err := s.Ingest(t.Context(), []schema.Article{articletest.Article("daily.example", 2), bad})
		if err == nil || IsOutage(err) || Outage(t.Context(), s, err) {
			t.Errorf("Ingest(bad) = %v, outage %v; want an item error", err, IsOutage(err))
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Ingest(bad) = %v, want ErrInvalid", err)
		}
	})
}
