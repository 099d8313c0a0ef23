package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/simhash"
)

// SQLite is the default store: one file, pure Go, no server.
//
// Durability: WAL journal, so readers (the search API) never block the
// writer and the writer never blocks readers; synchronous=FULL, so each
// commit fsyncs the WAL before it returns. The indexer acks a batch to
// JetStream right after the commit, and an acked message is never
// redelivered: with synchronous=NORMAL a power loss could roll back the
// last commits after their acks, losing articles for good. FULL costs one
// fsync per transaction, which batching (100 articles per transaction)
// makes cheap. busy_timeout lets two indexers share a file, and
// BEGIN IMMEDIATE (_txlock) takes the write lock up front so a transaction
// never fails half-way on a lock upgrade.
type SQLite struct {
	db *sql.DB
	// stmts are the ingest statements, prepared on each connection the
	// first time a transaction there uses them and kept for the
	// connection's life (sqliteTx.stmt).
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
}

var _ Store = (*SQLite)(nil)

// SQLitePragmas are applied to every connection of the SQLite store.
var SQLitePragmas = []string{
	"journal_mode(WAL)",
	"synchronous(FULL)",
	"busy_timeout(10000)",
	"foreign_keys(ON)",
	"cache_size(-16000)", // 16 MiB of page cache per connection (4 connections: memory stays bounded)
	// Statement journals in memory, not in temp files: every upsert opens
	// one, and writing it to disk cost a fifth of ingest time.
	"temp_store(MEMORY)",
	// Checkpoint the WAL into the database at 4,000 pages (16 MiB) rather
	// than 1,000: a page written by several batches is copied back once,
	// not once per batch group. Commits still fsync the WAL (FULL).
	"wal_autocheckpoint(4000)",
}

// OpenSQLite opens (creating if needed) the SQLite database at path and
// applies the migrations.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite: bad path %q", path)
	}
	dsn := path + "?_txlock=immediate"
	for _, p := range SQLitePragmas {
		dsn += "&_pragma=" + p
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(0)
	s := &SQLite{db: db, stmts: map[string]*sql.Stmt{}}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return s, nil
}

func (s *SQLite) migrate(ctx context.Context) error {
	ms, err := migrations("sqlite")
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one migrator at a time
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *SQLite) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	clear(s.stmts)
	s.stmtMu.Unlock()
	return s.db.Close()
}

// stmt returns the statement q of the database: database/sql prepares it
// on each connection once, when a transaction there first uses it.
func (s *SQLite) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	s.stmts[q] = st
	return st, nil
}

// Ping checks that the database answers.
func (s *SQLite) Ping(ctx context.Context) error {
	var one int
	return wrap("ping sqlite", s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one))
}

// Ingest writes a batch in one transaction.
func (s *SQLite) Ingest(ctx context.Context, batch []schema.Article) (IngestResult, error) {
	rows, err := prepare(batch)
	if err != nil {
		return IngestResult{}, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return IngestResult{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	stx := &sqliteTx{s: s, tx: tx, stmts: map[string]*sql.Stmt{}}
	defer stx.close()
	res, err := ingest(ctx, stx, rows, time.Now())
	if err != nil {
		return IngestResult{}, err
	}
	if err := tx.Commit(); err != nil {
		return IngestResult{}, fmt.Errorf("commit: %w", err)
	}
	return res, nil
}

// sqliteTx runs the store's statements, prepared once per connection
// (SQLite.stmt), inside one transaction: a batch runs the same few
// statements a hundred times, and a batch of one would otherwise prepare
// each of them again.
type sqliteTx struct {
	s     *SQLite
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// indexed are the rows to add to the full-text index at flush.
	indexed []int64
}

func (t *sqliteTx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	dbst, err := t.s.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	// Reuses the statement prepared on the transaction's connection, if
	// any; closing st at the end of the transaction keeps that one.
	st := t.tx.StmtContext(ctx, dbst)
	t.stmts[q] = st
	return st, nil
}

func (t *sqliteTx) exec(ctx context.Context, q string, args ...any) error {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

func (t *sqliteTx) close() {
	for _, st := range t.stmts {
		st.Close()
	}
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (t *sqliteTx) page(ctx context.Context, r *row, now time.Time) error {
	return t.exec(ctx, `INSERT INTO pages (canonical_url, url, page_type, title, site, fetched_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (canonical_url) DO UPDATE SET url = excluded.url, page_type = excluded.page_type,
			title = excluded.title, site = excluded.site, fetched_at = excluded.fetched_at, updated_at = excluded.updated_at
		WHERE excluded.fetched_at > pages.fetched_at`,
		r.a.CanonicalURL, r.a.URL, r.a.PageType, r.a.Title, r.site, ms(r.a.FetchedAt), ms(now))
}

func (t *sqliteTx) lookup(ctx context.Context, canonical string) (stored, bool, error) {
	st, err := t.stmt(ctx, `SELECT id, story_id, fetched_at, content_hash, title, description, body, language FROM articles WHERE canonical_url = ?`)
	if err != nil {
		return stored{}, false, err
	}
	var s stored
	var fetched int64
	err = st.QueryRowContext(ctx, canonical).Scan(&s.id, &s.story, &fetched, &s.hash, &s.title, &s.description, &s.body, &s.language)
	if errors.Is(err, sql.ErrNoRows) {
		return stored{}, false, nil
	}
	s.fetched = time.UnixMilli(fetched)
	return s, err == nil, err
}

func (t *sqliteTx) byHash(ctx context.Context, hash string) (candidate, bool, error) {
	st, err := t.stmt(ctx, `SELECT id, story_id, simhash FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1`)
	if err != nil {
		return candidate{}, false, err
	}
	var c candidate
	var h int64
	err = st.QueryRowContext(ctx, hash).Scan(&c.id, &c.story, &h)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	c.simhash = simhash.Unsigned(h)
	return c, err == nil, err
}

// sqliteBands reads the candidates of each band through that band's
// covering index. UNION ALL: an article found twice is checked twice, which
// is cheaper than the temporary B-trees UNION builds to remove it.
var sqliteBands = func() string {
	var parts []string
	for i := range simhash.Bands {
		parts = append(parts, fmt.Sprintf(
			`SELECT * FROM (SELECT id, story_id, simhash FROM articles WHERE band%d = ? LIMIT %d)`, i, bandLimit))
	}
	return strings.Join(parts, " UNION ALL ")
}()

func (t *sqliteTx) byBands(ctx context.Context, bands [simhash.Bands]int64) ([]candidate, error) {
	st, err := t.stmt(ctx, sqliteBands)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, bands[0], bands[1], bands[2], bands[3])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		var h int64
		if err := rows.Scan(&c.id, &c.story, &h); err != nil {
			return nil, err
		}
		c.simhash = simhash.Unsigned(h)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *sqliteTx) insert(ctx context.Context, r *row, m match, now time.Time) (int64, bool, error) {
	// The id is chosen here, under the write lock BEGIN IMMEDIATE holds,
	// so a new story can take it as its id in the same statement.
	st, err := t.stmt(ctx, `INSERT INTO articles (id, canonical_url, url, host, site, title, description, body, language,
			published, dated, fetched_at, content_hash, simhash, band0, band1, band2, band3,
			story_id, dup_kind, dup_of, dup_distance, doc, first_seen, updated_at)
		SELECT n.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, n.id), ?, ?, ?, ?, ?, ?
		FROM (SELECT COALESCE((SELECT MAX(id) FROM articles), 0) + 1 AS id) AS n
		WHERE true
		ON CONFLICT (canonical_url) DO NOTHING
		RETURNING id`)
	if err != nil {
		return 0, false, err
	}
	var dupOf, story any
	if m.kind != "" {
		dupOf, story = m.of, m.story
	}
	var id int64
	err = st.QueryRowContext(ctx, r.a.CanonicalURL, r.a.URL, r.host, r.site, r.a.Title, r.a.Description, r.a.Body, r.a.Language,
		nullString(r.published), ms(r.dated), ms(r.a.FetchedAt), r.a.ContentHash, simhash.Signed(r.simhash),
		r.bands[0], r.bands[1], r.bands[2], r.bands[3],
		story, m.kind, dupOf, m.distance, string(r.doc), ms(now), ms(now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err == nil {
		t.indexed = append(t.indexed, id)
	}
	return id, err == nil, err
}

func (t *sqliteTx) update(ctx context.Context, id int64, r *row, now time.Time) error {
	if !slices.Contains(t.indexed, id) {
		// Take the old text out of the index while the row still has it.
		if err := t.exec(ctx, `INSERT INTO articles_fts (articles_fts, rowid, title, description, body)
			SELECT 'delete', id, title, description, body FROM articles WHERE id = ?`, id); err != nil {
			return err
		}
		t.indexed = append(t.indexed, id)
	}
	return t.exec(ctx, `UPDATE articles SET url = ?, host = ?, site = ?, title = ?, description = ?, body = ?, language = ?,
			published = ?, dated = ?, fetched_at = ?, content_hash = ?, simhash = ?, band0 = ?, band1 = ?, band2 = ?, band3 = ?,
			doc = ?, updated_at = ?
		WHERE id = ?`,
		r.a.URL, r.host, r.site, r.a.Title, r.a.Description, r.a.Body, r.a.Language,
		nullString(r.published), ms(r.dated), ms(r.a.FetchedAt), r.a.ContentHash, simhash.Signed(r.simhash),
		r.bands[0], r.bands[1], r.bands[2], r.bands[3], string(r.doc), ms(now), id)
}

func (t *sqliteTx) touch(ctx context.Context, id int64, r *row, now time.Time) error {
	return t.exec(ctx, `UPDATE articles SET url = ?, host = ?, site = ?, published = ?, dated = ?, fetched_at = ?, doc = ?, updated_at = ?
		WHERE id = ?`,
		r.a.URL, r.host, r.site, nullString(r.published), ms(r.dated), ms(r.a.FetchedAt), string(r.doc), ms(now), id)
}

func (t *sqliteTx) version(ctx context.Context, id int64, r *row, now time.Time) error {
	var modified any
	if r.a.Modified != nil {
		modified = r.a.Modified.Format(time.RFC3339Nano)
	}
	return t.exec(ctx, `INSERT INTO article_versions (article_id, fetched_at, content_hash, modified, recorded_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		id, ms(r.a.FetchedAt), r.a.ContentHash, modified, ms(now))
}

// flush adds the batch's new and updated rows to the full-text index in
// one statement, so FTS5 writes one segment per batch.
func (t *sqliteTx) flush(ctx context.Context) error {
	if len(t.indexed) == 0 {
		return nil
	}
	ids, err := json.Marshal(t.indexed)
	if err != nil {
		return err
	}
	return t.exec(ctx, `INSERT INTO articles_fts (rowid, title, description, body)
		SELECT id, title, description, body FROM articles WHERE id IN (SELECT value FROM json_each(?))`, string(ids))
}

func (t *sqliteTx) alias(ctx context.Context, id int64, url string) error {
	return t.exec(ctx, `INSERT INTO article_urls (url, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, url, id)
}

// Search runs s against the FTS5 index.
func (s *SQLite) Search(ctx context.Context, q Search) (SearchResult, error) {
	where := []string{"articles_fts MATCH ?"}
	args := []any{q.Query.FTS5()}
	if q.Site != "" {
		where = append(where, "(a.site = ? COLLATE NOCASE OR a.host = lower(?))")
		args = append(args, q.Site, q.Site)
	}
	if q.Lang != "" {
		where = append(where, "(a.language = lower(?) OR a.language LIKE ?)")
		args = append(args, q.Lang, langPattern(q.Lang))
	}
	if !q.From.IsZero() {
		where = append(where, "a.dated >= ?")
		args = append(args, ms(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "a.dated < ?")
		args = append(args, ms(q.To))
	}
	from := " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE " + strings.Join(where, " AND ")
	res := SearchResult{Results: []Hit{}}
	if err := s.db.QueryRowContext(ctx, "SELECT count(*)"+from, args...).Scan(&res.Total); err != nil {
		return res, searchError(err)
	}
	if res.Total == 0 || q.Offset >= res.Total {
		return res, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.url, a.canonical_url, a.title, COALESCE(a.published, ''), a.site, a.language, a.story_id,
			snippet(articles_fts, 2, ?, ?, '…', 24)`+from+
		` ORDER BY bm25(articles_fts, 8.0, 2.0, 1.0), a.id LIMIT ? OFFSET ?`, append(append([]any{markStart, markEnd}, args...), q.Limit, q.Offset)...)
	if err != nil {
		return res, searchError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var h Hit
		var pub string
		if err := rows.Scan(&h.URL, &h.CanonicalURL, &h.Title, &pub, &h.SiteName, &h.Language, &h.StoryID, &h.Snippet); err != nil {
			return res, fmt.Errorf("search: %w", err)
		}
		h.Published = parsePublished(pub)
		h.Snippet = highlight(h.Snippet)
		res.Results = append(res.Results, h)
	}
	return res, searchError(rows.Err())
}

// searchError marks full-text syntax errors as the request's fault.
func searchError(err error) error {
	if err == nil {
		return nil
	}
	if strings.Contains(err.Error(), "fts5:") {
		return fmt.Errorf("%w: %v", ErrQuery, err)
	}
	return fmt.Errorf("search: %w", err)
}

// Article returns the article at url (its URL or canonical URL).
func (s *SQLite) Article(ctx context.Context, url string) (Stored, error) {
	var out Stored
	var doc, body, kind string
	var dupOf sql.NullInt64
	var h, first, updated int64
	err := s.db.QueryRowContext(ctx, `SELECT id, story_id, dup_kind, dup_of, dup_distance, simhash, doc, body, first_seen, updated_at
		FROM articles WHERE id = COALESCE((SELECT id FROM articles WHERE canonical_url = ?), (SELECT article_id FROM article_urls WHERE url = ?))`, url, url).
		Scan(&out.ID, &out.StoryID, &kind, &dupOf, &out.Distance, &h, &doc, &body, &first, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return out, ErrNotFound
	}
	if err != nil {
		return out, fmt.Errorf("article: %w", err)
	}
	if err := json.Unmarshal([]byte(doc), &out.Article); err != nil {
		return out, fmt.Errorf("article %d: %w", out.ID, err)
	}
	restoreBody(&out.Article, body)
	out.Duplicate, out.DuplicateOf = kind, dupOf.Int64
	out.SimHash = fmt.Sprintf("%016x", simhash.Unsigned(h))
	out.FirstSeen, out.UpdatedAt = time.UnixMilli(first).UTC(), time.UnixMilli(updated).UTC()

	rows, err := s.db.QueryContext(ctx, `SELECT content_hash, COALESCE(modified, ''), fetched_at FROM article_versions
		WHERE article_id = ? ORDER BY fetched_at, content_hash`, out.ID)
	if err != nil {
		return out, fmt.Errorf("article versions: %w", err)
	}
	defer rows.Close()
	out.Versions = []Version{}
	for rows.Next() {
		var v Version
		var mod string
		var fetched int64
		if err := rows.Scan(&v.ContentHash, &mod, &fetched); err != nil {
			return out, fmt.Errorf("article versions: %w", err)
		}
		v.Modified, v.FetchedAt = parsePublished(mod), time.UnixMilli(fetched).UTC()
		out.Versions = append(out.Versions, v)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("article versions: %w", err)
	}
	story, err := s.Story(ctx, out.StoryID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return out, err
	}
	out.Copies = []Copy{}
	for _, c := range story.Articles {
		if c.ID != out.ID {
			out.Copies = append(out.Copies, c)
		}
	}
	return out, nil
}

// Story returns the copies of story id, first article first.
func (s *SQLite) Story(ctx context.Context, id int64) (Story, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, url, canonical_url, title, site, language, COALESCE(published, ''), dup_kind, dup_distance
		FROM articles WHERE story_id = ? ORDER BY id LIMIT 1000`, id)
	if err != nil {
		return Story{}, fmt.Errorf("story: %w", err)
	}
	defer rows.Close()
	st := Story{ID: id, Articles: []Copy{}}
	for rows.Next() {
		var c Copy
		var pub string
		if err := rows.Scan(&c.ID, &c.URL, &c.CanonicalURL, &c.Title, &c.SiteName, &c.Language, &pub, &c.Duplicate, &c.Distance); err != nil {
			return st, fmt.Errorf("story: %w", err)
		}
		c.Published = parsePublished(pub)
		st.Articles = append(st.Articles, c)
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("story: %w", err)
	}
	if len(st.Articles) == 0 {
		return st, ErrNotFound
	}
	return st, nil
}

// Stats counts articles, pages, stories and duplicates, by site, language
// and day.
func (s *SQLite) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM articles),
		(SELECT count(*) FROM pages),
		(SELECT count(DISTINCT story_id) FROM articles),
		(SELECT count(*) FROM article_versions),
		(SELECT count(*) FROM articles WHERE dup_kind = 'exact'),
		(SELECT count(*) FROM articles WHERE dup_kind = 'near'),
		(SELECT count(*) FROM article_urls),
		(SELECT count(*) - count(DISTINCT canonical_url) FROM articles)`).
		Scan(&st.Articles, &st.Pages, &st.Stories, &st.Versions, &st.Exact, &st.Near, &st.URLs, &st.DuplicateRows)
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	queries := []struct {
		dst *[]Count
		sql string
	}{
		{&st.BySite, `SELECT site, count(*) FROM articles GROUP BY site ORDER BY count(*) DESC, site LIMIT 100`},
		{&st.ByLanguage, `SELECT language, count(*) FROM articles GROUP BY language ORDER BY count(*) DESC, language LIMIT 100`},
		{&st.ByDay, fmt.Sprintf(`SELECT date(dated / 1000, 'unixepoch') AS day, count(*) FROM articles
			GROUP BY day ORDER BY day DESC LIMIT %d`, MaxStatsDays)},
	}
	for _, q := range queries {
		if *q.dst, err = counts(ctx, s.db, q.sql); err != nil {
			return st, err
		}
	}
	return st, nil
}

func counts(ctx context.Context, db *sql.DB, q string) ([]Count, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	out := []Count{}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Key, &c.Count); err != nil {
			return nil, fmt.Errorf("stats: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
