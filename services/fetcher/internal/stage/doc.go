// Package stage is the fetcher's pipeline stage: one CrawlRequest in, at
// most one FetchedPage and exactly one Outcome out. The fetcher only
// fetches: feeds, sitemaps and links are expanded into crawl requests by
// the parser. In order the stage normalises the URL, claims it in the
// cluster-wide seen-set, checks robots.txt, waits for the host's
// politeness slot, fetches, and encodes the body (through the object
// store when too large for one message).
//
// The stage neither acks nor logs, and its outputs are published by the
// bus runner. Transient failures are returned as errors (the runner
// redelivers with backoff, or after a Retry-After) until the last
// attempt, which the runner announces (bus.LastAttempt) and which records
// a terminal outcome instead, so every URL ends with one outcome. The one
// thing published at once is a fresh robots.txt's Sitemap lines: they
// belong to the read of robots.txt, not to the request that happened to
// read it, which may yet fail.
//
// What the stage needs of the cluster is declared here as small
// interfaces (Claims, Robots, Slots, Bodies, Sources, Publisher), so
// Handle is tested with in-memory implementations; the JetStream-backed
// ones live in packages seen, robots and politeness.
//
// Files:
//
//	stage.go   Stage, Config, the interfaces, Handle and the outputs of a result
//	job.go     one URL: robots.txt, the host's slot, the fetch, the response
//	record.go  Describe, Report and Reject for the runner; headers kept
//	claims.go  SeenClaims: the seen-set as Claims
package stage
