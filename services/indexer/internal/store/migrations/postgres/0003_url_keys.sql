-- Unique keys over URLs become the SHA-256 of the URL (url_key, computed
-- by the indexer): a btree entry holds at most ~2700 bytes, and URLs of
-- 3 KB and more are ordinary on the web. The URLs themselves stay in their
-- columns. (The indexed site is capped by the indexer, see MaxSiteBytes.)
ALTER TABLE articles ADD COLUMN url_key BYTEA;
UPDATE articles SET url_key = sha256(convert_to(canonical_url, 'UTF8'));
ALTER TABLE articles ALTER COLUMN url_key SET NOT NULL;
ALTER TABLE articles DROP CONSTRAINT articles_canonical_url_key;
CREATE UNIQUE INDEX articles_url_key ON articles (url_key);

ALTER TABLE pages ADD COLUMN url_key BYTEA;
UPDATE pages SET url_key = sha256(convert_to(canonical_url, 'UTF8'));
ALTER TABLE pages ALTER COLUMN url_key SET NOT NULL;
ALTER TABLE pages DROP CONSTRAINT pages_pkey;
ALTER TABLE pages ADD PRIMARY KEY (url_key);

ALTER TABLE article_urls ADD COLUMN url_key BYTEA;
UPDATE article_urls SET url_key = sha256(convert_to(url, 'UTF8'));
ALTER TABLE article_urls ALTER COLUMN url_key SET NOT NULL;
ALTER TABLE article_urls DROP CONSTRAINT article_urls_pkey;
ALTER TABLE article_urls ADD PRIMARY KEY (url_key);
