package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/simhash"
)

// Postgres is the store for a team that outgrows one machine: several
// indexers may write to it at once. Durability is the server's
// (synchronous_commit=on by default: a commit is flushed before it
// returns, so an ack after commit never loses an article).
type Postgres struct {
	pool *pgxpool.Pool
}

var _ Store = (*Postgres)(nil)

// tsConfigs maps a language code to the PostgreSQL text search
// configuration that stems it. Other languages use 'simple' (no stemming,
// exact words).
var tsConfigs = map[string]string{
	"ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english", "es": "spanish",
	"fi": "finnish", "fr": "french", "ga": "irish", "hu": "hungarian", "id": "indonesian", "it": "italian",
	"lt": "lithuanian", "nb": "norwegian", "nl": "dutch", "nn": "norwegian", "no": "norwegian",
	"pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
}

// tsConfig returns the configuration for a language code such as "en-GB".
func tsConfig(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if c, ok := tsConfigs[base]; ok {
		return c
	}
	return "simple"
}

// OpenPostgres connects to the database at dsn (a postgres:// URL; a
// search_path parameter selects the schema) and applies the migrations.
func OpenPostgres(ctx context.Context, dsn string) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	p := &Postgres{pool: pool}
	if err := p.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return p, nil
}

func (p *Postgres) migrate(ctx context.Context) error {
	ms, err := migrations("postgres")
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		// One migrator at a time across every indexer sharing the database.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7286415021)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, m := range ms {
			if m.version <= current {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())`, m.version, m.name); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
		}
		return nil
	})
}

// Close closes the pool.
func (p *Postgres) Close() error { p.pool.Close(); return nil }

// Ping checks that the server answers.
func (p *Postgres) Ping(ctx context.Context) error {
	return wrap("ping postgres", p.pool.Ping(ctx))
}

// ingestLock is the advisory lock key that serialises ingest transactions
// across indexers sharing a database ("nfingest" in ASCII).
const ingestLock = 0x6e66696e67657374

// Ingest writes a batch in one transaction. The transaction first takes
// an advisory lock, so batches of concurrent indexers apply one after
// another: a copy of a story ingested by one indexer sees the original
// another indexer committed a moment before (READ COMMITTED takes a new
// snapshot per statement) and joins its story, and two batches never
// deadlock on each other's rows.
func (p *Postgres) Ingest(ctx context.Context, batch []schema.Article) (IngestResult, error) {
	rows, err := prepare(batch)
	if err != nil {
		return IngestResult{}, err
	}
	var res IngestResult
	err = pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(ingestLock)); err != nil {
			return err
		}
		var err error
		res, err = ingest(ctx, pgTx{tx}, rows, time.Now())
		return err
	})
	if err != nil {
		return IngestResult{}, pgIngestError(err)
	}
	return res, nil
}

// pgIngestError marks errors the data caused (class 22, data exception) as
// ErrInvalid; everything else (connection loss, deadlock, shutdown) is
// worth retrying.
func pgIngestError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22") {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return err
}

type pgTx struct{ tx pgx.Tx }

func (t pgTx) page(ctx context.Context, r *row, now time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO pages (canonical_url, url, page_type, title, site, fetched_at, updated_at, url_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (url_key) DO UPDATE SET url = excluded.url, page_type = excluded.page_type,
			title = excluded.title, site = excluded.site, fetched_at = excluded.fetched_at, updated_at = excluded.updated_at
		WHERE excluded.fetched_at > pages.fetched_at`,
		r.a.CanonicalURL, r.a.URL, r.a.PageType, r.a.Title, r.site, r.a.FetchedAt, now, urlKey(r.a.CanonicalURL))
	return err
}

func (t pgTx) lookup(ctx context.Context, canonical string) (stored, bool, error) {
	var s stored
	err := t.tx.QueryRow(ctx, `SELECT id, story_id, fetched_at, content_hash, title, description, body, language FROM articles WHERE url_key = $1`,
		urlKey(canonical)).Scan(&s.id, &s.story, &s.fetched, &s.hash, &s.title, &s.description, &s.body, &s.language)
	if errors.Is(err, pgx.ErrNoRows) {
		return stored{}, false, nil
	}
	return s, err == nil, err
}

func (t pgTx) byHash(ctx context.Context, hash string) (candidate, bool, error) {
	var c candidate
	var h int64
	err := t.tx.QueryRow(ctx, `SELECT id, story_id, simhash FROM articles WHERE content_hash = $1 ORDER BY id LIMIT 1`, hash).Scan(&c.id, &c.story, &h)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	c.simhash = simhash.Unsigned(h)
	return c, err == nil, err
}

var pgBands = func() string {
	var parts []string
	for i := range simhash.Bands {
		parts = append(parts, fmt.Sprintf(
			`(SELECT id, story_id, simhash FROM articles WHERE band%d = $%d LIMIT %d)`, i, i+1, bandLimit))
	}
	return strings.Join(parts, " UNION ALL ")
}()

func (t pgTx) byBands(ctx context.Context, bands [simhash.Bands]int64) ([]candidate, error) {
	rows, err := t.tx.Query(ctx, pgBands, bands[0], bands[1], bands[2], bands[3])
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

// pgTSV builds the document vector: title weighs most, then the
// description, then the body, of which the first MaxIndexedBodyBytes
// ($body) are read.
func pgTSV(body string) string {
	return `setweight(to_tsvector($1::regconfig, $2), 'A') || setweight(to_tsvector($1::regconfig, $3), 'B') || setweight(to_tsvector($1::regconfig, ` + body + `), 'C')`
}

// indexedBody is the part of a body the full-text index reads.
func indexedBody(body string) string {
	if len(body) <= MaxIndexedBodyBytes {
		return body
	}
	cut := MaxIndexedBodyBytes
	for cut > 0 && !utf8.RuneStart(body[cut]) {
		cut--
	}
	return body[:cut]
}

func (t pgTx) insert(ctx context.Context, r *row, m match, now time.Time) (int64, bool, error) {
	var dupOf, story *int64
	if m.kind != "" {
		dupOf, story = &m.of, &m.story
	}
	var id int64
	// The id is drawn first so a new story can take it as its id.
	err := t.tx.QueryRow(ctx, `INSERT INTO articles (id, ts_config, title, description, body, tsv,
			canonical_url, url, host, site, language, published, dated, fetched_at, content_hash, simhash,
			band0, band1, band2, band3, story_id, dup_kind, dup_of, dup_distance, doc, first_seen, updated_at, url_key)
		SELECT n.id, $1::regconfig, $2, $3, $4, `+pgTSV("$25")+`,
			$5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, COALESCE($19::bigint, n.id), $20, $21, $22, $23::jsonb, $24, $24, $26
		FROM (SELECT nextval(pg_get_serial_sequence('articles', 'id')) AS id) AS n
		ON CONFLICT (url_key) DO NOTHING
		RETURNING id`,
		tsConfig(r.a.Language), r.a.Title, r.a.Description, r.a.Body,
		r.a.CanonicalURL, r.a.URL, r.host, r.site, r.a.Language, nullString(r.published), r.dated, r.a.FetchedAt,
		r.a.ContentHash, simhash.Signed(r.simhash), r.bands[0], r.bands[1], r.bands[2], r.bands[3],
		story, m.kind, dupOf, m.distance, string(r.doc), now, indexedBody(r.a.Body), urlKey(r.a.CanonicalURL)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

func (t pgTx) update(ctx context.Context, id int64, r *row, now time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE articles SET ts_config = $1::regconfig, title = $2, description = $3, body = $4, tsv = `+pgTSV("$21")+`,
			url = $5, host = $6, site = $7, language = $8, published = $9, dated = $10, fetched_at = $11,
			content_hash = $12, simhash = $13, band0 = $14, band1 = $15, band2 = $16, band3 = $17,
			doc = $18::jsonb, updated_at = $19
		WHERE id = $20`,
		tsConfig(r.a.Language), r.a.Title, r.a.Description, r.a.Body,
		r.a.URL, r.host, r.site, r.a.Language, nullString(r.published), r.dated, r.a.FetchedAt,
		r.a.ContentHash, simhash.Signed(r.simhash), r.bands[0], r.bands[1], r.bands[2], r.bands[3],
		string(r.doc), now, id, indexedBody(r.a.Body))
	return err
}

func (t pgTx) touch(ctx context.Context, id int64, r *row, now time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE articles SET url = $1, host = $2, site = $3, published = $4, dated = $5, fetched_at = $6,
			doc = $7::jsonb, updated_at = $8
		WHERE id = $9`,
		r.a.URL, r.host, r.site, nullString(r.published), r.dated, r.a.FetchedAt, string(r.doc), now, id)
	return err
}

func (t pgTx) version(ctx context.Context, id int64, r *row, now time.Time) error {
	var modified *string
	if r.a.Modified != nil {
		s := r.a.Modified.Format(time.RFC3339Nano)
		modified = &s
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO article_versions (article_id, fetched_at, content_hash, modified, recorded_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, id, r.a.FetchedAt, r.a.ContentHash, modified, now)
	return err
}

func (t pgTx) alias(ctx context.Context, id int64, url string) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO article_urls (url_key, url, article_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, urlKey(url), url, id)
	return err
}

func (t pgTx) flush(context.Context) error { return nil }

// pgQuery returns the SQL tsquery for a search: stemmed by the language
// asked for, or by every configured language when none is, so an article
// matches in whatever language it was indexed.
func pgQuery(lang string) string {
	cfgs := []string{"simple"}
	if lang != "" {
		if c := tsConfig(lang); c != "simple" {
			cfgs = append(cfgs, c)
		}
	} else {
		seen := map[string]bool{}
		for _, c := range tsConfigs {
			if !seen[c] {
				seen[c] = true
				cfgs = append(cfgs, c)
			}
		}
		// Deterministic SQL text keeps the server's plan cache useful.
		sortStrings(cfgs[1:])
	}
	var parts []string
	for _, c := range cfgs {
		parts = append(parts, fmt.Sprintf("to_tsquery('%s', $1)", c))
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

// Search runs s against the tsvector index.
func (p *Postgres) Search(ctx context.Context, q Search) (SearchResult, error) {
	// The union query finds candidates through the GIN index; each is then
	// checked with the query stemmed in its own language, so a stemmer of
	// another language never makes a false match.
	where := []string{"a.tsv @@ q.tsq", "a.tsv @@ to_tsquery(a.ts_config, $1)"}
	args := []any{q.Query.TSQuery()}
	add := func(cond string, vals ...any) {
		for _, v := range vals {
			args = append(args, v)
			cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(args)), 1)
		}
		where = append(where, cond)
	}
	if q.Site != "" {
		add("(lower(a.site) = lower(?) OR a.host = lower(?))", q.Site, q.Site)
	}
	if q.Lang != "" {
		add("(a.language = lower(?) OR a.language LIKE ?)", q.Lang, langPattern(q.Lang))
	}
	if !q.From.IsZero() {
		add("a.dated >= ?", q.From)
	}
	if !q.To.IsZero() {
		add("a.dated < ?", q.To)
	}
	with := "WITH q AS (SELECT " + pgQuery(q.Lang) + " AS tsq) "
	from := " FROM articles a, q WHERE " + strings.Join(where, " AND ")
	res := SearchResult{Results: []Hit{}}
	if err := p.pool.QueryRow(ctx, with+"SELECT count(*)"+from, args...).Scan(&res.Total); err != nil {
		return res, pgSearchError(err)
	}
	if res.Total == 0 || q.Offset >= res.Total {
		return res, nil
	}
	n := len(args)
	args = append(args, q.Limit, q.Offset)
	sql := with + fmt.Sprintf(`, hits AS (SELECT a.id, ts_rank_cd(a.tsv, q.tsq) AS rank %s ORDER BY rank DESC, a.id LIMIT $%d OFFSET $%d)
		SELECT a.url, a.canonical_url, a.title, COALESCE(a.published, ''), a.site, a.language, a.story_id,
			ts_headline(a.ts_config, a.body, to_tsquery(a.ts_config, $1), 'StartSel=%s, StopSel=%s, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')
		FROM hits JOIN articles a ON a.id = hits.id ORDER BY hits.rank DESC, a.id`, from, n+1, n+2, markStart, markEnd)
	rows, err := p.pool.Query(ctx, sql, args...)
	if err != nil {
		return res, pgSearchError(err)
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
	return res, pgSearchError(rows.Err())
}

// pgSearchError marks tsquery syntax errors (42601) and bad values (22xxx)
// as the request's fault.
func pgSearchError(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "42601" || strings.HasPrefix(pe.Code, "22")) {
		return fmt.Errorf("%w: %v", ErrQuery, pe.Message)
	}
	return fmt.Errorf("search: %w", err)
}

// Article returns the article at url (its URL or canonical URL).
func (p *Postgres) Article(ctx context.Context, url string) (Stored, error) {
	var out Stored
	var doc []byte
	var body string
	var dupOf *int64
	var h int64
	err := p.pool.QueryRow(ctx, `SELECT id, story_id, dup_kind, dup_of, dup_distance, simhash, doc, body, first_seen, updated_at
		FROM articles WHERE id = COALESCE((SELECT id FROM articles WHERE url_key = $1), (SELECT article_id FROM article_urls WHERE url_key = $1))`, urlKey(url)).
		Scan(&out.ID, &out.StoryID, &out.Duplicate, &dupOf, &out.Distance, &h, &doc, &body, &out.FirstSeen, &out.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, ErrNotFound
	}
	if err != nil {
		return out, fmt.Errorf("article: %w", err)
	}
	if err := json.Unmarshal(doc, &out.Article); err != nil {
		return out, fmt.Errorf("article %d: %w", out.ID, err)
	}
	restoreBody(&out.Article, body)
	if dupOf != nil {
		out.DuplicateOf = *dupOf
	}
	out.SimHash = fmt.Sprintf("%016x", simhash.Unsigned(h))
	out.FirstSeen, out.UpdatedAt = out.FirstSeen.UTC(), out.UpdatedAt.UTC()
	rows, err := p.pool.Query(ctx, `SELECT content_hash, COALESCE(modified, ''), fetched_at FROM article_versions
		WHERE article_id = $1 ORDER BY fetched_at, content_hash`, out.ID)
	if err != nil {
		return out, fmt.Errorf("article versions: %w", err)
	}
	defer rows.Close()
	out.Versions = []Version{}
	for rows.Next() {
		var v Version
		var mod string
		if err := rows.Scan(&v.ContentHash, &mod, &v.FetchedAt); err != nil {
			return out, fmt.Errorf("article versions: %w", err)
		}
		v.Modified, v.FetchedAt = parsePublished(mod), v.FetchedAt.UTC()
		out.Versions = append(out.Versions, v)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("article versions: %w", err)
	}
	story, err := p.Story(ctx, out.StoryID)
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
func (p *Postgres) Story(ctx context.Context, id int64) (Story, error) {
	rows, err := p.pool.Query(ctx, `SELECT id, url, canonical_url, title, site, language, COALESCE(published, ''), dup_kind, dup_distance
		FROM articles WHERE story_id = $1 ORDER BY id LIMIT 1000`, id)
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
func (p *Postgres) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := p.pool.QueryRow(ctx, `SELECT
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
		{&st.ByDay, fmt.Sprintf(`SELECT to_char(dated AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) FROM articles
			GROUP BY day ORDER BY day DESC LIMIT %d`, MaxStatsDays)},
	}
	for _, q := range queries {
		rows, err := p.pool.Query(ctx, q.sql)
		if err != nil {
			return st, fmt.Errorf("stats: %w", err)
		}
		*q.dst, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Count, error) {
			var c Count
			var n int64
			err := r.Scan(&c.Key, &n)
			c.Count = int(n)
			return c, err
		})
		if err != nil {
			return st, fmt.Errorf("stats: %w", err)
		}
	}
	return st, nil
}
