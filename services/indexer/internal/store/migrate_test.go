package store

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
)

// TestURLKeyMigrationKeepsRows: a PostgreSQL database written before the
// URLs were keyed by their hash is migrated in place: its rows are found
// by URL afterwards (the key computed by the database equals the
// indexer's), and a redelivery of an old article still finds its row.
func TestURLKeyMigrationKeepsRows(t *testing.T) {
	dsn := PostgresSchema(t)
	if dsn == "" {
		return
	}
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	ms, err := migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version >= 3 {
			break
		}
		if _, err := conn.Exec(ctx, m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations VALUES ($1, $2, now())`, m.version, m.name); err != nil {
			t.Fatal(err)
		}
	}
	a := articletest.Article("daily.example", 1)
	a.CanonicalURL = "https://daily.example/news/ünïcode-" + noise(100)
	// A row as the indexer of before wrote it (the columns that matter).
	if _, err := conn.Exec(ctx, `INSERT INTO articles (id, canonical_url, url, host, site, title, description, body, language,
			dated, fetched_at, content_hash, simhash, band0, band1, band2, band3, story_id, doc, ts_config, tsv, first_seen, updated_at)
		VALUES (1, $1, $2, 'daily.example', 'Daily', 't', 'd', 'b', 'en', $3, $3, $4, 0, 0, 0, 0, 0, 1, '{}', 'simple', ''::tsvector, now(), now())`,
		a.CanonicalURL, a.URL, a.FetchedAt, a.ContentHash); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO article_urls (url, article_id) VALUES ($1, 1)`, a.URL); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO pages (canonical_url, url, page_type, title, site, fetched_at, updated_at)
		VALUES ('https://daily.example/', 'https://daily.example/', 'home', 'Daily', 'Daily', now(), now())`); err != nil {
		t.Fatal(err)
	}

	s, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, u := range []string{a.CanonicalURL, a.URL} {
		if got, err := s.Article(ctx, u); err != nil || got.ID != 1 {
			t.Errorf("Article(%s) after the migration: id %d, %v; want the old row", u, got.ID, err)
		}
	}
	if res := mustIngest(t, s, a); res.Inserted != 0 || res.Unchanged != 1 {
		t.Errorf("redelivery of a migrated article: %+v, want unchanged", res)
	}
	home := articletest.Page("daily.example", "/", "home")
	mustIngest(t, s, home)
	if st := mustStats(t, s); st.Articles != 1 || st.Pages != 1 || st.URLs != 1 {
		t.Errorf("stats after the migration: %+v", st)
	}
}
