package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
)

// ftsSegments counts the SQLite full-text index's stored segments and
// records: every write to the index adds to them.
func ftsSegments(t *testing.T, s *SQLite) int {
	t.Helper()
	var n int
	if err := s.db.QueryRowContext(t.Context(), `SELECT count(*) FROM articles_fts_data`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSameTextKeepsItsIndexEntry: a newer fetch with the same text
// updates the fetch's metadata, adds a version and keeps the full-text
// entry as it is (SQLite: no index write at all); the index still finds
// it; a later changed text replaces the entry.
func TestSameTextKeepsItsIndexEntry(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		sq, _ := s.(*SQLite)
		v1 := articletest.Article("daily.example", 21)
		v1.Body += " The zeppelin hangar opens."
		v1.ContentHash = articletest.Hash(v1.Body)
		mustIngest(t, s, v1)
		before := 0
		if sq != nil {
			before = ftsSegments(t, sq)
		}

		v2 := v1 // the same text, fetched later under another URL and site name
		v2.URL = v1.URL + "?ref=home"
		v2.SiteName = "The Daily Renamed"
		v2.FetchedAt = v1.FetchedAt.Add(time.Hour)
		v2.Authors = []string{"Maria Keller"}
		if got := mustIngest(t, s, v2); tallies(got) != tallies(IngestResult{Updated: 1}) {
			t.Errorf("same text, newer fetch = %+v, want 1 updated", got)
		}
		if sq != nil {
			if after := ftsSegments(t, sq); after != before {
				t.Errorf("full-text index rows %d -> %d: an unchanged text was re-indexed", before, after)
			}
		}
		got, err := s.Article(t.Context(), v1.CanonicalURL)
		if err != nil {
			t.Fatal(err)
		}
		if got.URL != v2.URL || got.SiteName != v2.SiteName || !got.FetchedAt.Equal(v2.FetchedAt) || len(got.Authors) != 1 || len(got.Versions) != 2 {
			t.Errorf("article = %s %q %v %v, %d versions; want the newer fetch's metadata and 2 versions", got.URL, got.SiteName, got.FetchedAt, got.Authors, len(got.Versions))
		}
		if r := mustSearch(t, s, "zeppelin", func(q *Search) { q.Site = v2.SiteName }); r.Total != 1 || r.Results[0].URL != v2.URL {
			t.Errorf("search by the new site name = %+v, want the article under its newer URL", r)
		}
		if r := mustSearch(t, s, "zeppelin", nil); r.Total != 1 {
			t.Errorf("search after the unchanged fetch found %d, want 1", r.Total)
		}
		// A redelivery of the same-text fetch is still unchanged.
		if got := mustIngest(t, s, v2); tallies(got) != tallies(IngestResult{Unchanged: 1}) {
			t.Errorf("redelivery = %+v, want 1 unchanged", got)
		}

		// The same hash (the parser's is case-folded) but other letters:
		// the stored text must be the newer one.
		v3 := v2
		v3.Body = strings.Replace(v2.Body, "zeppelin", "Zeppelin", 1)
		v3.FetchedAt = v2.FetchedAt.Add(time.Hour)
		mustIngest(t, s, v3)
		if r := mustSearch(t, s, "zeppelin", nil); r.Total != 1 || !strings.Contains(r.Results[0].Snippet, "Zeppelin") {
			t.Errorf("search after a case change = %+v, want the snippet of the newer text", r)
		}

		// A changed text replaces the entry.
		v4 := v3
		v4.Body = strings.Replace(v3.Body, "Zeppelin", "airship", 1)
		v4.ContentHash = articletest.Hash(v4.Body)
		v4.FetchedAt = v3.FetchedAt.Add(time.Hour)
		if got := mustIngest(t, s, v4); tallies(got) != tallies(IngestResult{Updated: 1}) {
			t.Errorf("changed text = %+v, want 1 updated", got)
		}
		if r := mustSearch(t, s, "zeppelin", nil); r.Total != 0 {
			t.Errorf("search for a word the text lost found %d, want 0", r.Total)
		}
		if r := mustSearch(t, s, "airship", nil); r.Total != 1 {
			t.Errorf("search for a word the text gained found %d, want 1", r.Total)
		}
		if st := mustStats(t, s); st.Articles != 1 || st.Versions != 4 {
			t.Errorf("stats = %d articles, %d versions; want 1 and 4 (a version per fetch)", st.Articles, st.Versions)
		}
	})
}

// spyTx records which write ingest chose for each article, and whether it
// had computed the article's fingerprint, around a real transaction.
type spyTx struct {
	ingestTx
	calls []string
}

func (s *spyTx) note(op string, r *row) {
	fp := "no fingerprint"
	if r.fingerprinted {
		fp = "fingerprint"
	}
	s.calls = append(s.calls, op+" "+fp)
}

func (s *spyTx) insert(ctx context.Context, r *row, m match, now time.Time) (int64, bool, error) {
	s.note("insert", r)
	return s.ingestTx.insert(ctx, r, m, now)
}

func (s *spyTx) update(ctx context.Context, id int64, r *row, now time.Time) error {
	s.note("update", r)
	return s.ingestTx.update(ctx, id, r, now)
}

func (s *spyTx) touch(ctx context.Context, id int64, r *row, now time.Time) error {
	s.note("touch", r)
	return s.ingestTx.touch(ctx, id, r, now)
}

// ingestSpied runs the ingest algorithm on batch through s's own
// transaction, wrapped in a spyTx, and commits.
func ingestSpied(t *testing.T, s Store, batch ...schema.Article) []string {
	t.Helper()
	ctx := t.Context()
	rows, err := prepare(batch)
	if err != nil {
		t.Fatal(err)
	}
	spy := &spyTx{}
	switch s := s.(type) {
	case *SQLite:
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		stx := &sqliteTx{s: s, tx: tx, stmts: map[string]*sql.Stmt{}}
		spy.ingestTx = stx
		_, err = ingest(ctx, spy, rows, time.Now())
		stx.close()
		if err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	case *Postgres:
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			spy.ingestTx = pgTx{tx}
			_, err := ingest(ctx, spy, rows, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("store %T", s)
	}
	return spy.calls
}

// TestIngestRewritesOnlyChangedText: ingest re-indexes and fingerprints
// an article only when it is new or its indexed text changed.
func TestIngestRewritesOnlyChangedText(t *testing.T) {
	later := func(mod func(a *schema.Article)) func(schema.Article) schema.Article {
		return func(a schema.Article) schema.Article {
			a.FetchedAt = a.FetchedAt.Add(time.Hour)
			mod(&a)
			return a
		}
	}
	reparse := func(mod func(a *schema.Article)) func(schema.Article) schema.Article {
		return func(a schema.Article) schema.Article {
			a.Reparse = "run-1"
			mod(&a)
			return a
		}
	}
	tests := []struct {
		name string
		give func(stored schema.Article) schema.Article
		want string // "" for no write
	}{
		{name: "redelivery", give: func(a schema.Article) schema.Article { return a }},
		{name: "same text, newer fetch", give: later(func(a *schema.Article) { a.URL += "?x=1"; a.SiteName = "Other" }), want: "touch no fingerprint"},
		{name: "new body", give: later(func(a *schema.Article) { a.Body += " More."; a.ContentHash = articletest.Hash(a.Body) }), want: "update fingerprint"},
		{name: "same hash, other body", give: later(func(a *schema.Article) { a.Body = strings.ToUpper(a.Body) }), want: "update fingerprint"},
		{name: "new title", give: later(func(a *schema.Article) { a.Title += "!" }), want: "update fingerprint"},
		{name: "new description", give: later(func(a *schema.Article) { a.Description += " More." }), want: "update fingerprint"},
		{name: "new language", give: later(func(a *schema.Article) { a.Language = "de" }), want: "update fingerprint"},
		{name: "reparse, new text", give: reparse(func(a *schema.Article) { a.Title = "A better title" }), want: "update fingerprint"},
		{name: "reparse, same text", give: reparse(func(a *schema.Article) { a.ExtractorVersion = "next" }), want: "touch no fingerprint"},
	}
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		for i, tt := range tests {
			stored := articletest.Article("daily.example", 31+i)
			if got := ingestSpied(t, s, stored); len(got) != 1 || got[0] != "insert fingerprint" {
				t.Fatalf("%s: new article: %v, want [insert fingerprint]", tt.name, got)
			}
			got := strings.Join(ingestSpied(t, s, tt.give(stored)), ",")
			if got != tt.want {
				t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
			}
		}
	})
}
