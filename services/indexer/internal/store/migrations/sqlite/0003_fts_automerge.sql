-- FTS5 merges a level of its index once automerge segments have gathered
-- there (default 4). The indexer adds one segment per batch, so at 4 it
-- spent about a tenth of ingest merging them at commit; at 8 it merges
-- half as often, and a query reads at most twice as many segments per
-- level (the index stays complete: merging only reorganises it).
-- Measured in docs/PERFORMANCE.md, "Ingest benchmark, phase 2".
INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 8);
