package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/crawlview"
	"github.com/newsflow/newsflow/pkg/schema"
)

// Ledger accounts for every URL the bus accepted on crawl.urls. It is
// built from the CRAWL stream's counters, the fetcher's outcomes on
// crawl.outcome, the parser's page records on articles.parsed, the dead
// letters, the consumers' backlogs and the indexer's row counts.
//
// Each message is counted once: records are keyed by the input they are
// about (the stream sequence in their Nats-Msg-Id, or the record id), so a
// record written twice for one input, or a message both recorded by its
// stage and reported by JetStream at max deliveries, counts once.
type Ledger struct {
	Accepted uint64 `json:"accepted"`
	// Fetcher holds the fetcher's terminal outcomes by name, one per
	// accepted message.
	Fetcher map[string]int `json:"fetcher"`
	// Parser holds the parser's records of fetched pages by page type
	// (article, section, feed...), reparse runs excluded.
	Parser    map[string]int `json:"parser"`
	InFetcher int            `json:"in_fetcher"`
	InParser  int            `json:"in_parser"`
	InIndexer int            `json:"in_indexer"`
	// DeadLetters counts the messages each stage gave up on, by stage;
	// "STAGE (unhandled)" for those only JetStream's max-deliveries
	// advisory reports.
	DeadLetters map[string]int `json:"dead_letters"`
	// Stuck counts crawl.urls messages that reached MaxDeliver with no
	// fetcher outcome.
	Stuck int `json:"stuck"`
	// Indexed is the number of article rows; IndexedURLs the number of
	// distinct fetched URLs they came from (redirects and copies of one
	// canonical URL share a row). Both -1 when the index was left out
	// (--api "").
	Indexed     int `json:"indexed"`
	IndexedURLs int `json:"indexed_urls"`
	// DuplicateRows counts rows sharing a canonical URL (always 0 with the
	// stores' unique key; measured, not assumed).
	DuplicateRows int `json:"duplicate_rows"`
	// Repeated counts records seen more than once for one input and
	// counted once (a stage that recorded a redelivered message again).
	Repeated int `json:"repeated_records"`
	// Balance is, per stage, what reached it minus what it accounts for:
	// fetcher = accepted - outcomes - stuck - backlog; parser = fetched -
	// records - dead letters - backlog; indexer = articles - indexed URLs -
	// dead letters - backlog. Positive: lost. Negative: counted more than
	// once.
	Balance map[string]int `json:"balance"`
	// Lost is what no record accounts for: the sum of the positive
	// balances.
	Lost int `json:"lost"`
	// OverCounted is the sum of the negative balances (their size): more
	// records than inputs, which is a bug, never a loss that cancels out.
	OverCounted int `json:"over_counted"`
	// Busy says the stages were working while the ledger was read: an
	// in-flight message may then be counted twice or not at all.
	Busy bool `json:"busy"`
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// balance computes Balance, Lost and OverCounted from the counters.
func (l *Ledger) balance() {
	l.Balance = map[string]int{
		"fetcher": int(l.Accepted) - sum(l.Fetcher) - l.InFetcher - l.Stuck,
		"parser":  l.Fetcher[schema.OutcomeFetched] - sum(l.Parser) - l.DeadLetters["parser"] - l.DeadLetters["parser (unhandled)"] - l.InParser,
	}
	if l.IndexedURLs >= 0 {
		l.Balance["indexer"] = l.Parser[schema.PageArticle] - l.IndexedURLs - l.DeadLetters["indexer"] - l.DeadLetters["indexer (unhandled)"] - l.InIndexer
	}
	l.Lost, l.OverCounted = 0, 0
	for _, b := range l.Balance {
		if b > 0 {
			l.Lost += b
		} else {
			l.OverCounted -= b
		}
	}
}

// Check returns an error when the books do not balance on an idle
// pipeline: a message lost, or one counted twice. While the stages work,
// in-flight messages move between counters as they are read, so a busy
// ledger is not checked.
func (l *Ledger) Check() error {
	if l.Busy {
		return nil
	}
	var problems []string
	stages := make([]string, 0, len(l.Balance))
	for stage := range l.Balance {
		stages = append(stages, stage)
	}
	sort.Strings(stages)
	for _, stage := range stages {
		switch b := l.Balance[stage]; {
		case b > 0:
			problems = append(problems, fmt.Sprintf("%d lost at the %s", b, stage))
		case b < 0:
			problems = append(problems, fmt.Sprintf("%d counted more than once at the %s", -b, stage))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("the ledger does not balance: %s", strings.Join(problems, ", "))
}

// Write prints the ledger for an operator.
func (l *Ledger) Write(w io.Writer) {
	fmt.Fprintf(w, "accepted URLs        %8d\n", l.Accepted)
	fmt.Fprintf(w, "  fetched            %8d\n", l.Fetcher[schema.OutcomeFetched])
	index := "index not checked"
	if l.Indexed >= 0 {
		index = fmt.Sprintf("indexed rows %d (from %d URLs)", l.Indexed, l.IndexedURLs)
	}
	fmt.Fprintf(w, "    articles         %8d  -> %s\n", l.Parser[schema.PageArticle], index)
	other := map[string]int{}
	for k, v := range l.Parser {
		if k != schema.PageArticle {
			other[k] = v
		}
	}
	fmt.Fprintf(w, "    other pages      %8d  %s\n", sum(other), breakdown(other))
	fmt.Fprintf(w, "    parse failed     %8d  (dead letters)\n", l.DeadLetters["parser"]+l.DeadLetters["parser (unhandled)"])
	fmt.Fprintf(w, "    in parser        %8d\n", l.InParser)
	rejected := map[string]int{}
	for k, v := range l.Fetcher {
		if k != schema.OutcomeFetched {
			rejected[k] = v
		}
	}
	fmt.Fprintf(w, "  not fetched        %8d  %s\n", sum(rejected), breakdown(rejected))
	fmt.Fprintf(w, "  stuck at max deliveries %3d\n", l.Stuck)
	fmt.Fprintf(w, "  in fetcher         %8d\n", l.InFetcher)
	fmt.Fprintf(w, "in indexer           %8d\n", l.InIndexer)
	fmt.Fprintf(w, "dead-lettered        %8d  %s\n", sum(l.DeadLetters), breakdown(l.DeadLetters))
	if l.Indexed >= 0 {
		fmt.Fprintf(w, "duplicate rows       %8d\n", l.DuplicateRows)
	}
	if l.Repeated > 0 {
		fmt.Fprintf(w, "repeated records     %8d  (one input recorded twice; counted once)\n", l.Repeated)
	}
	fmt.Fprintf(w, "lost                 %8d\n", l.Lost)
	if l.OverCounted > 0 {
		fmt.Fprintf(w, "counted twice        %8d\n", l.OverCounted)
	}
	if l.Busy {
		fmt.Fprintln(w, "(the stages were working: messages in flight may show as lost or counted twice; run again once idle)")
	}
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

const ledgerUsage = `Usage: newsflow ledger [flags]

Accounts for every URL accepted on crawl.urls: fetcher outcomes, parser
records, dead letters, backlogs and the indexer's rows (from --api).
Exits 1 when a source cannot be read, or when the books do not balance
while the pipeline is idle (a URL lost, or one counted twice).
`

func runLedger(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ledger", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn := natsFlags(fs, "newsflow-ledger")
	api := fs.String("api", envOr("NEWSFLOW_API", "http://127.0.0.1:8080"), `the indexer's HTTP address; "" leaves the index out (env NEWSFLOW_API)`)
	asJSON := fs.Bool("json", false, "print the ledger as JSON")
	fs.Usage = usageFunc(fs, ledgerUsage)
	pos, err := parseFlags(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("ledger: unexpected arguments %q (see 'newsflow ledger -h')", pos)
	}
	nc, js, err := connect(ctx, conn)
	if err != nil {
		return err
	}
	defer nc.Close()
	l, err := readLedgerWith(ctx, js, *api, conn.Timeout)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(l); err != nil {
			return err
		}
	} else {
		l.Write(stdout)
	}
	return l.Check()
}

// readLedger gathers the ledger of a running or finished cluster, each
// request bounded by defaultTimeout.
func readLedger(ctx context.Context, js jetstream.JetStream, api string) (*Ledger, error) {
	return readLedgerWith(ctx, js, api, defaultTimeout)
}

// readLedgerWith gathers the ledger; api "" leaves the index out. It fails
// when any source (a stream, a consumer, the indexer) cannot be read
// within timeout: a ledger with a part missing would not balance.
func readLedgerWith(ctx context.Context, js jetstream.JetStream, api string, timeout time.Duration) (*Ledger, error) {
	l := &Ledger{Fetcher: map[string]int{}, Parser: map[string]int{}, DeadLetters: map[string]int{}, Indexed: -1, IndexedURLs: -1}
	startLast, err := lastSeqs(ctx, js, timeout)
	if err != nil {
		return nil, err
	}

	// One outcome per crawl.urls message, keyed by that message's sequence.
	outcomes := map[string]string{}
	if err := crawlview.Scan(ctx, js, schema.StreamOutcomes, crawlview.ScanOptions{Timeout: timeout}, func(m jetstream.Msg) error {
		var o schema.Outcome
		if json.Unmarshal(m.Data(), &o) != nil {
			return nil
		}
		key := inputKey(m)
		if _, seen := outcomes[key]; seen {
			l.Repeated++
			return nil
		}
		outcomes[key] = o.Outcome
		l.Fetcher[o.Outcome]++
		return nil
	}); err != nil {
		return nil, err
	}
	// The parser's records, counted from their headers: the bodies (whole
	// articles) are not read.
	records := map[string]bool{}
	if err := crawlview.Scan(ctx, js, schema.StreamArticles, crawlview.ScanOptions{HeadersOnly: true, Timeout: timeout}, func(m jetstream.Msg) error {
		if m.Headers().Get(schema.HeaderReparse) != "" {
			return nil
		}
		key := cmp.Or(m.Headers().Get(jetstream.MsgIDHeader), seqKey(m))
		if records[key] {
			l.Repeated++
			return nil
		}
		records[key] = true
		l.Parser[cmp.Or(m.Headers().Get(schema.HeaderPageType), "unknown")]++
		return nil
	}); err != nil {
		return nil, err
	}

	entries, err := crawlview.DeadLetters(ctx, js, timeout, 0)
	if err != nil {
		return nil, err
	}
	// One dead letter per message: a stage's record and JetStream's
	// advisory about the same message count once, the record winning.
	type msgKey struct {
		stream string
		seq    uint64
	}
	recorded := map[msgKey]bool{}
	for _, e := range entries {
		if !e.FromAdv && e.Record.Seq > 0 {
			recorded[msgKey{e.Record.Stream, e.Record.Seq}] = true
		}
	}
	counted := map[msgKey]bool{}
	// A CRAWL message past MaxDeliver stays in the work queue: it is
	// counted as stuck (or by its outcome), not as backlog.
	stillQueued := map[uint64]bool{}
	for _, e := range entries {
		k := msgKey{e.Record.Stream, e.Record.Seq}
		if k.seq == 0 {
			k = msgKey{schema.StreamDeadLetters, e.ID}
		}
		if e.FromAdv && k.stream == schema.StreamCrawl && e.Record.Subject != "" {
			stillQueued[k.seq] = true
		}
		if counted[k] || (e.FromAdv && recorded[k]) {
			l.Repeated++
			continue
		}
		counted[k] = true
		if isReparse(e.Record.Data) {
			continue // not part of the crawl's books
		}
		switch {
		case e.FromAdv && e.Record.Stream == schema.StreamCrawl:
			if _, ok := outcomes[strconv.FormatUint(e.Record.Seq, 10)]; ok {
				l.Repeated++ // recorded by the fetcher, then redelivered to the end
				continue
			}
			l.Stuck++
			l.DeadLetters[e.Record.Stage+" (unhandled)"]++
		case e.FromAdv:
			l.DeadLetters[e.Record.Stage+" (unhandled)"]++
		default:
			l.DeadLetters[e.Record.Stage]++
		}
	}

	// The counters last: a message that moves on while the records are
	// read is then seldom counted twice.
	ackPending, err := stageBacklogs(ctx, js, timeout, l)
	if err != nil {
		return nil, err
	}
	l.InFetcher -= len(stillQueued)
	if api != "" {
		if err := readIndex(ctx, api, timeout, l); err != nil {
			return nil, err
		}
	}
	endLast, err := lastSeqs(ctx, js, timeout)
	if err != nil {
		return nil, err
	}
	l.Busy = ackPending > 0 || endLast != startLast
	l.balance()
	return l, nil
}

// stageBacklogs fills the ledger's backlogs (the CRAWL work queue; the
// parser's and indexer's pending and unacknowledged messages) and returns
// how many messages the stages have in hand.
func stageBacklogs(ctx context.Context, js jetstream.JetStream, timeout time.Duration, l *Ledger) (ackPending int, err error) {
	crawl, err := crawlview.StreamInfo(ctx, js, schema.StreamCrawl, timeout)
	if err != nil {
		return 0, err
	}
	l.Accepted = crawl.State.LastSeq
	l.InFetcher = int(crawl.State.Msgs)
	for name, sc := range bus.DefaultTopology().Consumers() {
		info, err := crawlview.RetryRead(ctx, timeout, func(ctx context.Context) (*jetstream.ConsumerInfo, error) {
			c, err := js.Consumer(ctx, sc.Stream, name)
			if err != nil {
				return nil, err
			}
			return c.CachedInfo(), nil
		})
		if errors.Is(err, jetstream.ErrConsumerNotFound) {
			continue // the stage never started
		}
		if err != nil {
			return 0, fmt.Errorf("consumer %s: %w", name, err)
		}
		ackPending += info.NumAckPending
		n := int(info.NumPending) + info.NumAckPending
		switch name {
		case schema.ConsumerParser:
			l.InParser = n
		case schema.ConsumerIndexer:
			l.InIndexer = n
		}
	}
	return ackPending, nil
}

// lastSeqs returns the last sequence of the streams the ledger reads, to
// tell whether anything was published while it read.
func lastSeqs(ctx context.Context, js jetstream.JetStream, timeout time.Duration) ([4]uint64, error) {
	var last [4]uint64
	for i, name := range []string{schema.StreamCrawl, schema.StreamPages, schema.StreamArticles, schema.StreamOutcomes} {
		info, err := crawlview.StreamInfo(ctx, js, name, timeout)
		if err != nil {
			return last, err
		}
		last[i] = info.State.LastSeq
	}
	return last, nil
}

// readIndex fills the indexer's row counts from its /api/stats.
func readIndex(ctx context.Context, api string, timeout time.Duration, l *Ledger) error {
	var stats struct {
		Articles      int `json:"articles"`
		URLs          int `json:"urls"`
		DuplicateRows int `json:"duplicate_rows"`
	}
	base := strings.TrimRight(api, "/")
	if err := fetchJSON(ctx, base+"/api/stats", timeout, &stats); err != nil {
		return fmt.Errorf("indexer at %s: %w (set --api, or --api '' to leave the index out)", base, err)
	}
	l.Indexed, l.IndexedURLs, l.DuplicateRows = stats.Articles, stats.URLs, stats.DuplicateRows
	return nil
}

// fetchJSON GETs url within timeout and decodes its JSON answer into v.
func fetchJSON(ctx context.Context, url string, timeout time.Duration, v any) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return fmt.Errorf("no answer within %v", timeout)
		}
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

// inputKey identifies the input message a stage's output is about: the
// runner derives every output's Nats-Msg-Id from the input's stream
// sequence ("fetcher:1234:0", "fetcher:1234:rejected:0"), so two records
// of one input share it. A record without such an id is its own key.
func inputKey(m jetstream.Msg) string {
	if seq, ok := bus.InputSeq(m.Headers().Get(jetstream.MsgIDHeader)); ok {
		return strconv.FormatUint(seq, 10)
	}
	return seqKey(m)
}

// seqKey is a message's own sequence in its stream, as a key.
func seqKey(m jetstream.Msg) string {
	if meta, err := m.Metadata(); err == nil {
		return "seq:" + strconv.FormatUint(meta.Sequence.Stream, 10)
	}
	return "msg:" + m.Subject()
}

// isReparse says whether a dead letter's payload (a page or an article)
// comes from a `newsflow reparse` run, which the crawl's books leave out.
// The payload may be cut short, so it is searched rather than decoded: the
// key can only appear unescaped as a field of the message itself.
func isReparse(data []byte) bool {
	i := bytes.Index(data, []byte(`"reparse":"`))
	return i >= 0 && len(data) > i+len(`"reparse":"`) && data[i+len(`"reparse":"`)] != '"'
}
