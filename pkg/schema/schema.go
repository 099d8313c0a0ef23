// Package schema is the wire of the Newsflow pipeline: the message types that
// travel over NATS JetStream, the subject, stream and consumer names, the
// schema version and the validation every stage applies to what it receives.
//
// It depends on nothing but the standard library, so any consumer of the
// pipeline's subjects can import it.
//
// Every message is JSON and carries "v", the schema version. Examples:
//
// A CrawlRequest on crawl.urls (a plain URL payload, as sent by
// `nats pub crawl.urls https://...`, is accepted by the fetcher too):
//
//	{"v":1,"url":"https://news.example/world/belarus-talks","depth":1,
//	 "origin":"https://news.example/","discovered_from":"https://news.example/world",
//	 "submitted_at":"2026-11-28T08:00:00Z","trace_id":"c0ffee00c0ffee00c0ffee00",
//	 "hints":{"title":"Diplomat to visit Russia","published":"2026-11-28T07:55:00Z"}}
//
// A FetchedPage on pages.fetched is an envelope (pkg/pagebody): "NFP\x01",
// the length of the metadata as a uvarint, the metadata as JSON (the page
// without its body), then the body as it is, an s2 block (bodies over
// 16 MiB are zstd). A page too large for one message has body_ref, a
// JetStream object name, and no body. Pages published before the
// envelope are the whole page as JSON, the body in base64 (zstd); readers
// still accept them. The metadata:
//
//	{"v":1,"url":"https://news.example/world/belarus-talks",
//	 "final_url":"https://news.example/world/belarus-talks","status":200,
//	 "headers":{"Content-Type":"text/html; charset=utf-8","Last-Modified":"..."},
//	 "content_type":"text/html; charset=utf-8","charset":"utf-8",
//	 "fetched_at":"2026-11-28T08:00:01Z","depth":1,"origin":"https://news.example/",
//	 "trace_id":"c0ffee00c0ffee00c0ffee00","body_encoding":"s2","body_size":48213}
//
// An Article on articles.parsed: one record per fetched page, whose
// page_type says what the page was; only "article" records carry a story.
//
//	{"v":1,"url":"https://news.example/world/belarus-talks",
//	 "canonical_url":"https://news.example/world/belarus-talks",
//	 "final_url":"https://news.example/world/belarus-talks","site_name":"News Example",
//	 "title":"Diplomat to visit Russia","authors":["Jane Doe"],
//	 "published":"2020-08-22T03:04:00+05:30","modified":"2020-08-22T03:12:00+05:30",
//	 "language":"en","description":"...","image":"https://news.example/img/1.jpg",
//	 "section":"World","tags":["Belarus"],"body":"The number two U.S. diplomat...",
//	 "page_type":"article","word_count":712,"content_hash":"9f86d081884c7d65",
//	 "fetched_at":"2026-11-28T08:00:01Z","extractor_version":"1",
//	 "trace_id":"c0ffee00c0ffee00c0ffee00"}
//
// and for a page that is not a story, a record without one:
//
//	{"v":1,"url":"https://news.example/world/","canonical_url":"https://news.example/world/",
//	 "title":"World news","body":"","page_type":"section","word_count":0,
//	 "content_hash":"e3b0c44298fc1c14","fetched_at":"2026-11-28T08:00:01Z",
//	 "extractor_version":"5","trace_id":"c0ffee00c0ffee00c0ffee01"}
//
// An Outcome on crawl.outcome (the fetcher's one outcome per accepted URL):
//
//	{"v":1,"url":"https://news.example/private/x","stage":"fetcher",
//	 "outcome":"robots_denied","reason":"disallowed by robots.txt",
//	 "trace_id":"c0ffee00c0ffee00c0ffee00","at":"2026-11-28T08:00:01Z"}
package schema

// Version is the schema version written into every message's "v" field.
// A stage rejects messages whose version it does not know.
const Version = 1

// Subjects. One payload type per subject.
const (
	// SubjectCrawlURLs carries CrawlRequest (or a plain URL).
	SubjectCrawlURLs = "crawl.urls"
	// SubjectPagesFetched carries FetchedPage.
	SubjectPagesFetched = "pages.fetched"
	// SubjectArticlesParsed carries Article.
	SubjectArticlesParsed = "articles.parsed"
	// SubjectCrawlOutcome carries Outcome.
	SubjectCrawlOutcome = "crawl.outcome"
)

// Streams, named after the first token of their subjects.
const (
	StreamCrawl    = "CRAWL"
	StreamPages    = "PAGES"
	StreamArticles = "ARTICLES"
	StreamOutcomes = "OUTCOMES"
)

// Durable consumers, named after the service that owns them.
const (
	ConsumerFetcher = "fetcher"
	ConsumerParser  = "parser"
	ConsumerIndexer = "indexer"
)

// Object store bucket for page bodies too large for one message.
const BucketPageBodies = "page_bodies"

// Header names. HeaderTraceID is set on every published message.
const (
	// HeaderTraceID joins one URL's journey across the stages.
	HeaderTraceID = "Newsflow-Trace-Id"
	// HeaderPageType repeats an articles.parsed record's page_type, so a
	// reader can count records from headers alone (newsflow ledger).
	HeaderPageType = "Newsflow-Page-Type"
	// HeaderReparse names the reparse run of an articles.parsed record;
	// absent for a fresh fetch.
	HeaderReparse = "Newsflow-Reparse"
)

// Dead letters: every message a stage terminates (undecodable, failed for
// good, or out of retries) is recorded, payload included, on
// deadletter.<stage>, so it can be listed and retried. The DEADLETTERS
// stream also captures JetStream's max-deliveries advisories, which cover
// messages whose handler never got to record them (a process killed on
// every attempt).
const (
	// SubjectDeadLetterPrefix prefixes deadletter.<stage>.
	SubjectDeadLetterPrefix = "deadletter"
	// StreamDeadLetters holds dead-letter records and advisories.
	StreamDeadLetters = "DEADLETTERS"
	// SubjectMaxDeliveriesAdvisory is JetStream's advisory subject for a
	// message that reached MaxDeliver (stream and consumer tokens follow).
	SubjectMaxDeliveriesAdvisory = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES"
)

// DeadLetterSubject returns the dead-letter subject of a stage.
func DeadLetterSubject(stage string) string { return SubjectDeadLetterPrefix + "." + stage }
