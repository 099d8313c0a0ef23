package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
)

// Ledger accounts for every URL the bus accepted on crawl.urls. It is
// built from the CRAWL stream's counters, the fetcher's outcomes on
// crawl.outcome, the parser's page records on articles.parsed, the dead
// letters, the consumers' backlogs and the indexer's row counts.
type Ledger struct {
	Accepted uint64 `json:"accepted"`
	// Fetcher holds the fetcher's terminal outcomes by name.
	Fetcher map[string]int `json:"fetcher"`
	// Parser holds the parser's records of fetched pages by page type
	// (article, section, feed...), reparse runs excluded.
	Parser      map[string]int `json:"parser"`
	InFetcher   int            `json:"in_fetcher"`
	InParser    int            `json:"in_parser"`
	InIndexer   int            `json:"in_indexer"`
	DeadLetters map[string]int `json:"dead_letters"` // by stage
	// Stuck counts messages that reached MaxDeliver unhandled (advisories).
	Stuck int `json:"stuck"`
	// Indexed is the number of article rows; IndexedURLs the number of
	// distinct fetched URLs they came from (redirects and copies of one
	// canonical URL share a row). Both -1 when the indexer is unreachable.
	Indexed     int `json:"indexed"`
	IndexedURLs int `json:"indexed_urls"`
	// DuplicateRows counts rows sharing a canonical URL (always 0 with the
	// stores' unique key; measured, not assumed).
	DuplicateRows int `json:"duplicate_rows"`
	// Lost is what no record accounts for: accepted URLs without a fetcher
	// outcome or backlog, fetched pages without a parser record, dead
	// letter or backlog, and articles neither indexed, dead-lettered nor
	// pending.
	Lost int `json:"lost"`
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// balance computes Lost from the counters.
func (l *Ledger) balance() {
	fetchLost := int(l.Accepted) - sum(l.Fetcher) - l.InFetcher - l.Stuck
	parseLost := l.Fetcher[schema.OutcomeFetched] - sum(l.Parser) - l.DeadLetters["parser"] - l.InParser
	indexLost := 0
	if l.IndexedURLs >= 0 {
		indexLost = l.Parser[schema.PageArticle] - l.IndexedURLs - l.DeadLetters["indexer"] - l.InIndexer
	}
	l.Lost = max(fetchLost, 0) + max(parseLost, 0) + max(indexLost, 0)
}

// Write prints the ledger for an operator.
func (l *Ledger) Write(w io.Writer) {
	fmt.Fprintf(w, "accepted URLs        %8d\n", l.Accepted)
	fmt.Fprintf(w, "  fetched            %8d\n", l.Fetcher[schema.OutcomeFetched])
	fmt.Fprintf(w, "    articles         %8d  -> indexed rows %d (from %d URLs)\n", l.Parser[schema.PageArticle], l.Indexed, l.IndexedURLs)
	other := map[string]int{}
	for k, v := range l.Parser {
		if k != schema.PageArticle {
			other[k] = v
		}
	}
	fmt.Fprintf(w, "    other pages      %8d  %s\n", sum(other), breakdown(other))
	fmt.Fprintf(w, "    parse failed     %8d  (dead letters)\n", l.DeadLetters["parser"])
	fmt.Fprintf(w, "    in parser        %8d\n", l.InParser)
	rejected := map[string]int{}
	for k, v := range l.Fetcher {
		if k != schema.OutcomeFetched {
			rejected[k] = v
		}
	}
	fmt.Fprintf(w, "  rejected (outcome) %8d  %s\n", sum(rejected), breakdown(rejected))
	fmt.Fprintf(w, "  stuck at max deliveries %3d\n", l.Stuck)
	fmt.Fprintf(w, "  in fetcher         %8d\n", l.InFetcher)
	fmt.Fprintf(w, "in indexer           %8d\n", l.InIndexer)
	fmt.Fprintf(w, "dead-lettered        %8d  %s\n", sum(l.DeadLetters), breakdown(l.DeadLetters))
	fmt.Fprintf(w, "duplicate rows       %8d\n", l.DuplicateRows)
	fmt.Fprintf(w, "lost                 %8d\n", l.Lost)
}

func breakdown(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func runLedger(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ledger", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn := natsFlags(fs, "newsflow-ledger")
	api := fs.String("api", envOr("NEWSFLOW_API", "http://127.0.0.1:8080"), "the indexer's HTTP address (env NEWSFLOW_API)")
	asJSON := fs.Bool("json", false, "print the ledger as JSON")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: newsflow ledger [flags]\n\nAccounts for every URL accepted on crawl.urls.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	nc, js, err := bus.Connect(ctx, *conn, zap.NewNop())
	if err != nil {
		return err
	}
	defer nc.Close()
	l, err := readLedger(ctx, js, *api)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(l)
	}
	l.Write(stdout)
	return nil
}

// readLedger gathers the ledger of a running or finished cluster.
func readLedger(ctx context.Context, js jetstream.JetStream, api string) (*Ledger, error) {
	l := &Ledger{Fetcher: map[string]int{}, Parser: map[string]int{}, DeadLetters: map[string]int{}, Indexed: -1, IndexedURLs: -1}
	crawl, err := js.Stream(ctx, schema.StreamCrawl)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	l.Accepted = crawl.CachedInfo().State.LastSeq
	l.InFetcher = int(crawl.CachedInfo().State.Msgs)

	if err := eachMessage(ctx, js, schema.StreamOutcomes, func(m jetstream.Msg) {
		var o schema.Outcome
		if json.Unmarshal(m.Data(), &o) == nil {
			l.Fetcher[o.Outcome]++
		}
	}); err != nil {
		return nil, err
	}
	// The parser's records, counted from their headers: the bodies (whole
	// articles) are not read.
	if err := eachHeader(ctx, js, schema.StreamArticles, func(m jetstream.Msg) {
		if m.Headers().Get(schema.HeaderReparse) != "" {
			return
		}
		l.Parser[cmp.Or(m.Headers().Get(schema.HeaderPageType), "unknown")]++
	}); err != nil {
		return nil, err
	}
	entries, err := readDeadLetters(ctx, js)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.FromAdv {
			if e.Record.Stream == schema.StreamCrawl {
				l.Stuck++
			}
			l.DeadLetters[e.Record.Stage+" (unhandled)"]++
			continue
		}
		l.DeadLetters[e.Record.Stage]++
	}
	// Stuck CRAWL messages are still in the stream: count them once.
	l.InFetcher -= l.Stuck
	for name, sc := range bus.DefaultTopology().Consumers() {
		if name == schema.ConsumerFetcher {
			continue
		}
		c, err := js.Consumer(ctx, sc.Stream, name)
		if err != nil {
			continue // the stage never started
		}
		info, err := c.Info(ctx)
		if err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
		n := int(info.NumPending) + info.NumAckPending
		if name == schema.ConsumerParser {
			l.InParser = n
		} else {
			l.InIndexer = n
		}
	}
	var stats struct {
		Articles      int `json:"articles"`
		URLs          int `json:"urls"`
		DuplicateRows int `json:"duplicate_rows"`
	}
	if api != "" && getJSON(ctx, strings.TrimRight(api, "/")+"/api/stats", &stats) == nil {
		l.Indexed, l.IndexedURLs, l.DuplicateRows = stats.Articles, stats.URLs, stats.DuplicateRows
	}
	l.balance()
	return l, nil
}

// eachMessage calls fn for every message of a stream, in order.
func eachMessage(ctx context.Context, js jetstream.JetStream, stream string, fn func(jetstream.Msg)) error {
	return scanStream(ctx, js, stream, false, fn)
}

// eachHeader is eachMessage without the messages' data: the server sends
// headers only.
func eachHeader(ctx context.Context, js jetstream.JetStream, stream string, fn func(jetstream.Msg)) error {
	return scanStream(ctx, js, stream, true, fn)
}

func scanStream(ctx context.Context, js jetstream.JetStream, stream string, headersOnly bool, fn func(jetstream.Msg)) error {
	st, err := js.Stream(ctx, stream)
	if err != nil {
		return fmt.Errorf("%s: %w", stream, err)
	}
	if st.CachedInfo().State.Msgs == 0 {
		return nil
	}
	last := st.CachedInfo().State.LastSeq
	cons, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{HeadersOnly: headersOnly})
	if err != nil {
		return fmt.Errorf("%s: %w", stream, err)
	}
	for {
		msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			return fmt.Errorf("%s: %w", stream, err)
		}
		fn(msg)
		meta, err := msg.Metadata()
		if err != nil || meta.NumPending == 0 || meta.Sequence.Stream >= last {
			return err
		}
	}
}
