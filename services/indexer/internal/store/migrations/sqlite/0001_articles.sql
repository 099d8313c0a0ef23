-- Articles, keyed by canonical URL. Times are unix milliseconds (UTC);
-- "published" keeps the page's own RFC 3339 text with its offset.
-- Small columns come first: SQLite reads a row's columns in order, and the
-- lookups of ingest (by URL, hash, band) must not walk the overflow pages
-- of a long body to reach them.
CREATE TABLE articles (
	id            INTEGER PRIMARY KEY,
	canonical_url TEXT    NOT NULL UNIQUE,
	fetched_at    INTEGER NOT NULL,
	content_hash  TEXT    NOT NULL,
	simhash       INTEGER NOT NULL,
	band0         INTEGER NOT NULL,
	band1         INTEGER NOT NULL,
	band2         INTEGER NOT NULL,
	band3         INTEGER NOT NULL,
	story_id      INTEGER NOT NULL,
	dup_kind      TEXT    NOT NULL DEFAULT '',  -- '', 'exact' or 'near'
	dup_of        INTEGER,
	dup_distance  INTEGER NOT NULL DEFAULT 0,
	dated         INTEGER NOT NULL,  -- published, else fetched: filters and per-day counts
	published     TEXT,
	language      TEXT    NOT NULL,
	host          TEXT    NOT NULL,
	site          TEXT    NOT NULL,  -- site name, or host when the page names none
	first_seen    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	url           TEXT    NOT NULL,
	title         TEXT    NOT NULL,
	description   TEXT    NOT NULL,
	body          TEXT    NOT NULL,
	doc           TEXT    NOT NULL   -- the latest fetch as received (JSON)
);
CREATE INDEX articles_content_hash ON articles (content_hash);
-- Near-duplicate lookup: two fingerprints within distance 3 share a band.
-- The indexes cover the lookup (simhash, story_id): no row is read.
CREATE INDEX articles_band0 ON articles (band0, simhash, story_id);
CREATE INDEX articles_band1 ON articles (band1, simhash, story_id);
CREATE INDEX articles_band2 ON articles (band2, simhash, story_id);
CREATE INDEX articles_band3 ON articles (band3, simhash, story_id);
CREATE INDEX articles_story ON articles (story_id);
CREATE INDEX articles_dated ON articles (dated);
CREATE INDEX articles_site ON articles (site COLLATE NOCASE);

-- Every fetch of an article: its version history.
CREATE TABLE article_versions (
	article_id   INTEGER NOT NULL REFERENCES articles (id),
	fetched_at   INTEGER NOT NULL,
	content_hash TEXT    NOT NULL,
	modified     TEXT,
	recorded_at  INTEGER NOT NULL,
	PRIMARY KEY (article_id, fetched_at, content_hash)
) WITHOUT ROWID;

-- Pages that are not articles (home, section, listing), kept apart.
CREATE TABLE pages (
	canonical_url TEXT    PRIMARY KEY,
	url           TEXT    NOT NULL,
	page_type     TEXT    NOT NULL,
	title         TEXT    NOT NULL,
	site          TEXT    NOT NULL,
	fetched_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- Full-text index over the articles table (external content). The porter
-- stemmer serves English, the most common language of the crawl; FTS5 has
-- no per-row language, and unicode61 with diacritics removed keeps other
-- languages searchable by their exact words.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
	title, description, body,
	content = 'articles', content_rowid = 'id',
	tokenize = 'porter unicode61 remove_diacritics 2'
);
-- The indexer writes the index itself, once per transaction for all the
-- batch's new rows (see sqliteTx.flush): FTS5 flushes its pending terms at
-- every statement savepoint, so a trigger per row would write a tiny
-- segment per article and spend its time merging them. Deleting a row
-- still keeps the index in step.
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
	INSERT INTO articles_fts (articles_fts, rowid, title, description, body) VALUES ('delete', old.id, old.title, old.description, old.body);
END;
