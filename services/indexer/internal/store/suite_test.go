package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/pgtest"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
	"github.com/newsflow/newsflow/services/indexer/internal/query"
	"github.com/newsflow/newsflow/services/indexer/internal/simhash"
)

// backend opens fresh, empty stores of one kind; every open of one
// backend sees the same database, as two indexers would.
type backend struct {
	name string
	open func(t *testing.T) Store
}

// backends returns a SQLite backend (a temp file) and a PostgreSQL
// backend (a schema of its own, dropped at the end of the test).
func backends(t *testing.T) []backend {
	t.Helper()
	dir := t.TempDir()
	out := []backend{{name: "sqlite", open: func(t *testing.T) Store {
		t.Helper()
		s, err := OpenSQLite(t.Context(), filepath.Join(dir, "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}}}
	if dsn := PostgresSchema(t); dsn != "" {
		out = append(out, backend{name: "postgres", open: func(t *testing.T) Store {
			t.Helper()
			s, err := OpenPostgres(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}})
	}
	return out
}

// PostgresSchema creates a schema for t on the test server (see
// pgtest.Schema), dropped when t ends, and returns a DSN whose search_path
// selects it; "" when NEWSFLOW_TEST_POSTGRES=skip.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	return pgtest.Schema(t)
}

// each runs fn once per store, each with a fresh database.
func each(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Helper()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

func mustIngest(t *testing.T, s Store, batch ...schema.Article) IngestResult {
	t.Helper()
	res, err := s.Ingest(t.Context(), batch)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	return res
}

// tally is the counts of an IngestResult, comparable with !=.
type tally struct{ inserted, updated, unchanged, pages, exact, near int }

// tallies returns the counts of r, without its per-article items.
func tallies(r IngestResult) tally {
	return tally{r.Inserted, r.Updated, r.Unchanged, r.Pages, r.Exact, r.Near}
}

func mustStats(t *testing.T, s Store) Stats {
	t.Helper()
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return st
}

func mustSearch(t *testing.T, s Store, q string, mod func(*Search)) SearchResult {
	t.Helper()
	pq, err := query.Parse(q)
	if err != nil {
		t.Fatalf("Parse(%q): %v", q, err)
	}
	sr := Search{Query: pq, Limit: 10}
	if mod != nil {
		mod(&sr)
	}
	res, err := s.Search(t.Context(), sr)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return res
}

func TestRedeliveryNeverDuplicates(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		batch := []schema.Article{articletest.Article("daily.example", 1), articletest.Article("daily.example", 2), articletest.Article("daily.example", 3)}
		if got := mustIngest(t, s, batch...); got.Inserted != 3 {
			t.Errorf("first ingest = %+v, want 3 inserted", got)
		}
		for range 3 {
			if got := mustIngest(t, s, batch...); tallies(got) != tallies(IngestResult{Unchanged: 3}) {
				t.Errorf("redelivery = %+v, want 3 unchanged", got)
			}
		}
		// The same article twice in one batch, too.
		mustIngest(t, s, batch[0], batch[0])
		st := mustStats(t, s)
		if st.Articles != 3 || st.Versions != 3 || st.Stories != 3 {
			t.Errorf("stats = %d articles, %d versions, %d stories, want 3, 3, 3", st.Articles, st.Versions, st.Stories)
		}
	})
}

func TestNonArticlePagesAreKeptApart(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		res := mustIngest(t, s, articletest.Page("daily.example", "/", schema.PageHome),
			articletest.Page("daily.example", "/politics", schema.PageSection), articletest.Article("daily.example", 1))
		if res.Pages != 2 || res.Inserted != 1 {
			t.Errorf("ingest = %+v, want 2 pages, 1 article", res)
		}
		mustIngest(t, s, articletest.Page("daily.example", "/", schema.PageHome))
		st := mustStats(t, s)
		if st.Articles != 1 || st.Pages != 2 {
			t.Errorf("stats = %d articles, %d pages, want 1 and 2", st.Articles, st.Pages)
		}
		if got := mustSearch(t, s, "stories", nil); got.Total != 0 {
			t.Errorf("search for a front-page word found %d articles, want 0", got.Total)
		}
		if _, err := s.Article(t.Context(), "https://daily.example/"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Article(home page) error = %v, want ErrNotFound", err)
		}
	})
}

func TestNewerFetchUpdatesAndKeepsVersions(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		v1 := articletest.Article("daily.example", 7)
		v2 := v1
		v1.Body += " A zeppelin was seen."
		v1.ContentHash = articletest.Hash(v1.Body)
		v2.Title = "Harbour bridge reopens after repairs"
		v2.Body = v2.Body + "\n\nUpdate: the harbour bridge reopened on Friday evening."
		v2.ContentHash = articletest.Hash(v2.Body)
		v2.FetchedAt = v1.FetchedAt.Add(2 * time.Hour)
		mod := v1.Modified.Add(2 * time.Hour)
		v2.Modified = &mod

		mustIngest(t, s, v1)
		if got := mustIngest(t, s, v2); tallies(got) != tallies(IngestResult{Updated: 1}) {
			t.Errorf("newer fetch = %+v, want 1 updated", got)
		}
		// An older fetch arriving late, and a redelivery, change nothing.
		if got := mustIngest(t, s, v1, v2); tallies(got) != tallies(IngestResult{Unchanged: 2}) {
			t.Errorf("late fetches = %+v, want 2 unchanged", got)
		}
		got, err := s.Article(t.Context(), v1.CanonicalURL)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != v2.Title || got.ContentHash != v2.ContentHash || !got.FetchedAt.Equal(v2.FetchedAt) {
			t.Errorf("article = %q %s %v, want the newer fetch %q %s %v", got.Title, got.ContentHash, got.FetchedAt, v2.Title, v2.ContentHash, v2.FetchedAt)
		}
		if len(got.Versions) != 2 || got.Versions[0].ContentHash != v1.ContentHash || got.Versions[1].ContentHash != v2.ContentHash ||
			got.Versions[1].Modified == nil || !got.Versions[1].Modified.Equal(mod) || !got.Versions[0].FetchedAt.Equal(v1.FetchedAt) {
			t.Errorf("versions = %+v, want v1 then v2 with their hashes, modified and fetched times", got.Versions)
		}
		if st := mustStats(t, s); st.Articles != 1 {
			t.Errorf("articles = %d, want 1", st.Articles)
		}
		if r := mustSearch(t, s, "reopened", nil); r.Total != 1 {
			t.Errorf("search for a word of the update found %d, want 1", r.Total)
		}
		if r := mustSearch(t, s, "zeppelin", nil); r.Total != 0 {
			t.Errorf("search for a word only the old version had found %d, want 0", r.Total)
		}
	})
}

func TestReparseReplacesTheSameFetch(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		old := articletest.Article("daily.example", 11)
		mustIngest(t, s, old)

		// An upgraded extractor reads the same fetch better.
		better := old
		better.Title = "Harbour wall vote: council backs rebuild"
		better.Body = old.Body + "\n\nA paragraph the old extractor dropped."
		better.ContentHash = articletest.Hash(better.Body)
		better.ExtractorVersion = "next"
		better.Reparse = "run-1"
		if got := mustIngest(t, s, better); tallies(got) != tallies(IngestResult{Updated: 1}) {
			t.Errorf("reparse = %+v, want 1 updated", got)
		}
		// The same re-extraction without the reparse mark is a redelivery.
		again := better
		again.Reparse, again.Title = "", "A redelivery must not win"
		if got := mustIngest(t, s, again); tallies(got) != tallies(IngestResult{Unchanged: 1}) {
			t.Errorf("redelivery = %+v, want 1 unchanged", got)
		}
		got, err := s.Article(t.Context(), old.CanonicalURL)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != better.Title || got.ContentHash != better.ContentHash {
			t.Errorf("article = %q %s, want the re-extraction %q %s", got.Title, got.ContentHash, better.Title, better.ContentHash)
		}
		if st := mustStats(t, s); st.Articles != 1 {
			t.Errorf("articles = %d, want 1: a reparse updates in place", st.Articles)
		}
	})
}

func TestArticleByURLOrCanonical(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		a := articletest.Article("daily.example", 3)
		mustIngest(t, s, a)
		for _, u := range []string{a.URL, a.CanonicalURL} {
			got, err := s.Article(t.Context(), u)
			if err != nil {
				t.Fatalf("Article(%s): %v", u, err)
			}
			if got.CanonicalURL != a.CanonicalURL || got.Body != a.Body || got.Authors[0] != a.Authors[0] ||
				!got.Published.Equal(*a.Published) || got.Provenance["title"] != "json-ld" || got.StoryID != got.ID {
				t.Errorf("Article(%s) = %+v, want the article as sent, its own story", u, got)
			}
			if _, off := got.Published.Zone(); off != 3600 {
				t.Errorf("published offset = %d, want the page's own +01:00", off)
			}
		}
		if _, err := s.Article(t.Context(), "https://daily.example/nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Article(unknown) error = %v, want ErrNotFound", err)
		}
		// The same canonical URL reached through another URL: one row, found
		// by either URL, both counted.
		b2 := a
		b2.URL = a.CanonicalURL + "?from=rss"
		if res := mustIngest(t, s, b2); tallies(res) != tallies(IngestResult{Unchanged: 1}) {
			t.Errorf("same article under another URL = %+v, want 1 unchanged", res)
		}
		if got, err := s.Article(t.Context(), b2.URL); err != nil || got.CanonicalURL != a.CanonicalURL {
			t.Errorf("Article(%s) = %v, %v", b2.URL, got.CanonicalURL, err)
		}
		if st := mustStats(t, s); st.Articles != 1 || st.URLs != 2 || st.DuplicateRows != 0 {
			t.Errorf("stats = %d articles, %d urls, %d duplicate rows, want 1, 2, 0", st.Articles, st.URLs, st.DuplicateRows)
		}
	})
}

// syndicated returns one story as two sites publish it: the same body, and
// the same body with one word changed.
func syndicated(t *testing.T) (orig, exact, near schema.Article) {
	t.Helper()
	body := articletest.Body(424242, 300)
	orig = articletest.ArticleWithBody("wire.example", 1, body)
	exact = articletest.ArticleWithBody("daily.example", 50, body)
	changed := articletest.ChangeWord(body, 120, "reportedly")
	if d := simhash.Distance(simhash.Of(body), simhash.Of(changed)); d > simhash.MaxDistance || changed == body {
		t.Fatalf("test data: the edited body is at distance %d", d)
	}
	near = articletest.ArticleWithBody("courier.example", 9, changed)
	return orig, exact, near
}

func TestDuplicatesShareAStory(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		orig, exact, near := syndicated(t)
		other := articletest.Article("courier.example", 10)
		mustIngest(t, s, orig)
		res := mustIngest(t, s, exact, near, other)
		if res.Exact != 1 || res.Near != 1 || res.Inserted != 3 {
			t.Errorf("ingest = %+v, want 3 inserted, 1 exact, 1 near", res)
		}
		a, err := s.Article(t.Context(), orig.CanonicalURL)
		if err != nil {
			t.Fatal(err)
		}
		// Each article's own account, in the batch's order, for its log
		// line: the two copies join the original's story.
		wantItems := []Item{{Result: "inserted", Duplicate: "exact", Story: a.StoryID}, {Result: "inserted", Duplicate: "near", Story: a.StoryID}, {Result: "inserted"}}
		if len(res.Items) != 3 {
			t.Fatalf("items = %+v, want 3", res.Items)
		}
		wantItems[2].Story = res.Items[2].Story
		if res.Items[2].Story == 0 || res.Items[2].Story == a.StoryID || !slices.Equal(res.Items, wantItems) {
			t.Errorf("items = %+v, want %+v (the third in a story of its own)", res.Items, wantItems)
		}
		if again := mustIngest(t, s, near); !slices.Equal(again.Items, []Item{{Result: "unchanged", Story: a.StoryID}}) {
			t.Errorf("redelivery items = %+v, want unchanged in story %d", again.Items, a.StoryID)
		}
		story, err := s.Story(t.Context(), a.StoryID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{orig.CanonicalURL: "", exact.CanonicalURL: "exact", near.CanonicalURL: "near"}
		if len(story.Articles) != 3 {
			t.Fatalf("story %d has %d articles, want 3: %+v", a.StoryID, len(story.Articles), story.Articles)
		}
		for _, c := range story.Articles {
			kind, ok := want[c.CanonicalURL]
			if !ok || c.Duplicate != kind {
				t.Errorf("story copy %s duplicate=%q, want %q (in story: %v)", c.CanonicalURL, c.Duplicate, kind, ok)
			}
		}
		if len(a.Copies) != 2 {
			t.Errorf("article copies = %d, want the 2 other copies", len(a.Copies))
		}
		o, err := s.Article(t.Context(), other.CanonicalURL)
		if err != nil {
			t.Fatal(err)
		}
		if o.StoryID == a.StoryID || o.Duplicate != "" {
			t.Errorf("an unrelated article joined story %d (%q)", o.StoryID, o.Duplicate)
		}
		if _, err := s.Story(t.Context(), 999999); !errors.Is(err, ErrNotFound) {
			t.Errorf("Story(unknown) error = %v, want ErrNotFound", err)
		}
		st := mustStats(t, s)
		if st.Stories != 2 || st.Exact != 1 || st.Near != 1 {
			t.Errorf("stats = %d stories, %d exact, %d near, want 2, 1, 1", st.Stories, st.Exact, st.Near)
		}
	})
}

func TestConcurrentIndexersNeverDuplicate(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s1, s2 := b.open(t), b.open(t)
		var all []schema.Article
		for i := range 120 {
			all = append(all, articletest.Article("daily.example", i))
		}
		// Two indexers get overlapping batches in opposite orders.
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for w, s := range []Store{s1, s2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < len(all); i += 20 {
					batch := all[i : i+20]
					if w == 1 {
						j := len(all) - i - 20
						batch = all[j : j+20]
					}
					for {
						_, err := s.Ingest(context.Background(), batch)
						if err == nil {
							break
						}
						if errors.Is(err, ErrInvalid) {
							errs <- err
							return
						}
						// A deadlock or a busy database is transient: the runner retries.
						time.Sleep(10 * time.Millisecond)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		st := mustStats(t, s1)
		if st.Articles != 120 || st.Versions != 120 {
			t.Errorf("after two concurrent indexers: %d articles, %d versions, want 120 and 120", st.Articles, st.Versions)
		}
	})
}

// TestConcurrentIndexersGroupStories: two indexers ingest the two copies
// of each wire story at the same moment; each pair must still end in one
// story, which needs story grouping serialised across indexers.
func TestConcurrentIndexersGroupStories(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s1, s2 := b.open(t), b.open(t)
		const n, size = 60, 5
		var origs, copies []schema.Article
		for i := range n {
			body := articletest.Body(uint64(7000+i), 200)
			origs = append(origs, articletest.ArticleWithBody("wire.example", i, body))
			copies = append(copies, articletest.ArticleWithBody("daily.example", i, body))
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, job := range []struct {
			s    Store
			arts []schema.Article
		}{{s1, origs}, {s2, copies}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := 0; i < n; i += size {
					for {
						_, err := job.s.Ingest(context.Background(), job.arts[i:i+size])
						if err == nil {
							break
						}
						if errors.Is(err, ErrInvalid) {
							t.Error(err)
							return
						}
						time.Sleep(10 * time.Millisecond) // transient: the runner would retry
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		split := 0
		for i := range n {
			o, err1 := s1.Article(t.Context(), origs[i].CanonicalURL)
			c, err2 := s1.Article(t.Context(), copies[i].CanonicalURL)
			if err1 != nil || err2 != nil {
				t.Fatalf("article %d: %v %v", i, err1, err2)
			}
			if o.StoryID != c.StoryID {
				split++
			}
		}
		if st := mustStats(t, s1); split != 0 || st.Stories != n {
			t.Errorf("%d of %d copied stories split across two story ids (%d stories, want %d)", split, n, st.Stories, n)
		}
	})
}

func TestSearch(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		bridge := articletest.ArticleWithBody("daily.example", 1,
			"The harbour bridges will close for repairs in March. Engineers said the <b>old</b> steel needs replacing before the summer ferries start.")
		bridge.Title = "Harbour bridge to close"
		german := articletest.ArticleWithBody("zeitung.example", 2,
			"Die neuen Häuser am Hafen werden im Sommer fertig. Der Bau der Brücke dauert länger als geplant.")
		german.Language, german.Title = "de", "Neue Häuser am Hafen"
		old := articletest.ArticleWithBody("courier.example", 3, "A bridge over the river was opened by the mayor in a short ceremony.")
		early := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
		old.Published = &early
		mustIngest(t, s, bridge, german, old)

		tests := []struct {
			name string
			q    string
			mod  func(*Search)
			want []string // canonical URLs, in any order
		}{
			{name: "word", q: "ceremony", want: []string{old.CanonicalURL}},
			{name: "stemmed", q: "bridge", want: []string{bridge.CanonicalURL, old.CanonicalURL}},
			{name: "phrase", q: `"steel needs replacing"`, want: []string{bridge.CanonicalURL}},
			{name: "prefix", q: "ferr*", want: []string{bridge.CanonicalURL}},
			{name: "or", q: "ceremony OR ferries", want: []string{bridge.CanonicalURL, old.CanonicalURL}},
			{name: "not", q: "bridge -mayor", want: []string{bridge.CanonicalURL}},
			{name: "site", q: "bridge", mod: func(s *Search) { s.Site = "Courier News" }, want: []string{old.CanonicalURL}},
			{name: "host", q: "bridge", mod: func(s *Search) { s.Site = "daily.example" }, want: []string{bridge.CanonicalURL}},
			{name: "lang", q: "hafen", mod: func(s *Search) { s.Lang = "de" }, want: []string{german.CanonicalURL}},
			{name: "lang excludes", q: "hafen", mod: func(s *Search) { s.Lang = "en" }, want: nil},
			{name: "from", q: "bridge", mod: func(s *Search) { s.From = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }, want: []string{bridge.CanonicalURL}},
			{name: "to", q: "bridge", mod: func(s *Search) { s.To = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }, want: []string{old.CanonicalURL}},
			{name: "title", q: "häuser", want: []string{german.CanonicalURL}},
		}
		for _, tt := range tests {
			got := mustSearch(t, s, tt.q, tt.mod)
			if got.Total != len(tt.want) || len(got.Results) != len(tt.want) {
				t.Errorf("%s: Search(%q) = %d total, %d results, want %d", tt.name, tt.q, got.Total, len(got.Results), len(tt.want))
				continue
			}
			for _, w := range tt.want {
				found := false
				for _, h := range got.Results {
					found = found || h.CanonicalURL == w
				}
				if !found {
					t.Errorf("%s: Search(%q) misses %s", tt.name, tt.q, w)
				}
			}
		}

		got := mustSearch(t, s, "steel", nil)
		if len(got.Results) != 1 {
			t.Fatalf("Search(steel) = %+v", got)
		}
		h := got.Results[0]
		// Page text never becomes markup: SQLite escapes it, PostgreSQL's
		// ts_headline drops what looks like tags.
		if !strings.Contains(h.Snippet, "<mark>steel</mark>") || strings.Contains(h.Snippet, "<b>") {
			t.Errorf("snippet = %q, want the match in <mark> and no markup from the page", h.Snippet)
		}
		if h.Title != bridge.Title || h.SiteName != "Daily News" || h.Published == nil || !h.Published.Equal(*bridge.Published) || h.URL != bridge.URL {
			t.Errorf("hit = %+v, want the article's url, title, site and date", h)
		}

		// Paging.
		all := mustSearch(t, s, "bridge", nil)
		page := mustSearch(t, s, "bridge", func(s *Search) { s.Limit, s.Offset = 1, 1 })
		if page.Total != 2 || len(page.Results) != 1 || page.Results[0].CanonicalURL != all.Results[1].CanonicalURL {
			t.Errorf("page 2 of 1 = %+v, want the second of %+v", page, all.Results)
		}
		if past := mustSearch(t, s, "bridge", func(s *Search) { s.Offset = 50 }); past.Total != 2 || len(past.Results) != 0 {
			t.Errorf("offset past the end = %+v, want total 2 and no results", past)
		}
	})
}

func TestStats(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		a1, a2, a3 := articletest.Article("daily.example", 1), articletest.Article("daily.example", 2), articletest.Article("zeitung.example", 3)
		a3.Language = "de"
		a2.Published = nil
		mustIngest(t, s, a1, a2, a3)
		st := mustStats(t, s)
		if st.Articles != 3 {
			t.Errorf("articles = %d, want 3", st.Articles)
		}
		if len(st.BySite) != 2 || st.BySite[0] != (Count{"Daily News", 2}) || st.BySite[1] != (Count{"Zeitung News", 1}) {
			t.Errorf("by site = %+v", st.BySite)
		}
		if len(st.ByLanguage) != 2 || st.ByLanguage[0] != (Count{"en", 2}) || st.ByLanguage[1] != (Count{"de", 1}) {
			t.Errorf("by language = %+v", st.ByLanguage)
		}
		days := map[string]int{}
		for _, c := range st.ByDay {
			days[c.Key] = c.Count
		}
		want := map[string]int{}
		for _, a := range []schema.Article{a1, a2, a3} {
			d := a.FetchedAt
			if a.Published != nil {
				d = *a.Published
			}
			want[d.UTC().Format(time.DateOnly)]++
		}
		if len(days) != len(want) {
			t.Errorf("by day = %v, want %v", days, want)
		}
		for k, v := range want {
			if days[k] != v {
				t.Errorf("by day = %v, want %v", days, want)
			}
		}
	})
}

func TestInvalidArticleIsPermanent(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		bad := articletest.Article("daily.example", 1)
		bad.CanonicalURL = "ftp://x"
		if _, err := s.Ingest(t.Context(), []schema.Article{articletest.Article("daily.example", 2), bad}); !errors.Is(err, ErrInvalid) {
			t.Errorf("Ingest(bad) error = %v, want ErrInvalid", err)
		}
		if st := mustStats(t, s); st.Articles != 0 {
			t.Errorf("a failed batch left %d articles, want 0 (one transaction)", st.Articles)
		}
		nul := articletest.Article("daily.example", 3)
		nul.Body += "\x00 trailing"
		nul.Title += "\x00"
		mustIngest(t, s, nul)
		if got, err := s.Article(t.Context(), nul.CanonicalURL); err != nil || strings.Contains(got.Body, "\x00") {
			t.Errorf("article with NUL: %v, body has NUL: %v", err, strings.Contains(got.Body, "\x00"))
		}
	})
}

func TestMigrationsApplyOnce(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s1 := b.open(t)
		mustIngest(t, s1, articletest.Article("daily.example", 1))
		s2 := b.open(t) // a second start runs the migrations again
		if st := mustStats(t, s2); st.Articles != 1 {
			t.Errorf("after reopening: %d articles, want 1", st.Articles)
		}
	})
}

// FuzzSQLiteSearch checks that every query the parser accepts is valid
// FTS5: a user's query never fails inside the store.
func FuzzSQLiteSearch(f *testing.F) {
	for _, s := range []string{"bridge", `"steel needs" ferr*`, "a OR b -c", "NEAR(x)", "col:val", "x^y", "ü*"} {
		f.Add(s)
	}
	s, err := OpenSQLite(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Ingest(context.Background(), []schema.Article{articletest.Article("daily.example", 1)}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		pq, err := query.Parse(q)
		if err != nil {
			return
		}
		if _, err := s.Search(context.Background(), Search{Query: pq, Limit: 5}); err != nil {
			t.Fatalf("Search(%q -> %s): %v", q, pq.FTS5(), err)
		}
	})
}
