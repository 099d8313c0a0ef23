-- Every URL an article arrived under (a canonical URL may be reached
-- through several), so /api/articles?url= finds it by any of them and
-- /api/stats counts the URLs behind the rows.
CREATE TABLE article_urls (
	url        TEXT   PRIMARY KEY,
	article_id BIGINT NOT NULL REFERENCES articles (id)
);
CREATE INDEX article_urls_article ON article_urls (article_id);
INSERT INTO article_urls (url, article_id) SELECT url, id FROM articles ON CONFLICT DO NOTHING;
