package store

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
)

// execRaw runs q with one argument against the store's database directly.
func execRaw(t *testing.T, s Store, sqliteQ, pgQ string, args ...any) {
	t.Helper()
	var err error
	switch s := s.(type) {
	case *SQLite:
		_, err = s.db.ExecContext(t.Context(), sqliteQ, args...)
	case *Postgres:
		_, err = s.pool.Exec(t.Context(), pgQ, args...)
	default:
		t.Fatalf("unknown store %T", s)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// docOfRow reads the doc column of the article at canonical.
func docOfRow(t *testing.T, s Store, canonical string) string {
	t.Helper()
	var doc string
	var err error
	switch s := s.(type) {
	case *SQLite:
		err = s.db.QueryRowContext(t.Context(), `SELECT doc FROM articles WHERE canonical_url = ?`, canonical).Scan(&doc)
	case *Postgres:
		err = s.pool.QueryRow(t.Context(), `SELECT doc::text FROM articles WHERE canonical_url = $1`, canonical).Scan(&doc)
	}
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestDocLeavesTheBodyToItsColumn: the doc column holds the article
// without its body (stored once, in the body column), Article reads the
// body back from the column, and a row written before that change, whose
// doc still carries the body, reads the same.
func TestDocLeavesTheBodyToItsColumn(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		a := articletest.Article("daily.example", 7)
		a.Body += " The lighthouse keeper retires."
		a.ContentHash = articletest.Hash(a.Body)
		mustIngest(t, s, a)

		doc := docOfRow(t, s, a.CanonicalURL)
		if strings.Contains(doc, "lighthouse keeper") {
			t.Errorf("doc still holds the body: %.200s", doc)
		}
		got, err := s.Article(t.Context(), a.CanonicalURL)
		if err != nil {
			t.Fatal(err)
		}
		if got.Article.Body != a.Body {
			t.Errorf("body read back = %.80q, want %.80q", got.Article.Body, a.Body)
		}
		if got.Article.Title != a.Title || got.Article.CanonicalURL != a.CanonicalURL {
			t.Errorf("article read back = %q %q, want %q %q", got.Article.Title, got.Article.CanonicalURL, a.Title, a.CanonicalURL)
		}

		// A row of the old layout: the whole article in doc.
		old, err := json.Marshal(&a)
		if err != nil {
			t.Fatal(err)
		}
		execRaw(t, s, `UPDATE articles SET doc = ? WHERE canonical_url = ?`,
			`UPDATE articles SET doc = $1::jsonb WHERE canonical_url = $2`, string(old), a.CanonicalURL)
		if doc := docOfRow(t, s, a.CanonicalURL); !strings.Contains(doc, "lighthouse keeper") {
			t.Fatalf("old-layout doc not written: %.200s", doc)
		}
		got, err = s.Article(t.Context(), a.URL)
		if err != nil {
			t.Fatal(err)
		}
		if got.Article.Body != a.Body || got.Article.Title != a.Title {
			t.Errorf("old-layout row read back body %.80q title %q, want %.80q %q", got.Article.Body, got.Article.Title, a.Body, a.Title)
		}
	})
}
