package parse

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
)

// TestStageOutputsOwnTheirMemory checks that nothing a page's outputs hold
// shares the memory of its inflated body, which the stage reuses for the
// next page: the outputs of a page are the same after later pages were
// parsed, one after the other and at the same time (run it with -race).
func TestStageOutputsOwnTheirMemory(t *testing.T) {
	for _, enc := range []string{schema.EncodingGzip, schema.EncodingS2, schema.EncodingZstd} {
		t.Run(enc, func(t *testing.T) {
			pages := []schema.FetchedPage{
				page(t, "article.html", "https://courier.example/local/2024/05/02/harbour-sea-wall", 0),
				page(t, "section.html", "https://courier.example/local/", 0),
				// A feed with no hint: its bytes make it a listing, read
				// from the reused buffer too.
				rawPage("https://courier.example/rss.xml", "application/rss+xml", "", testRSS, 0),
			}
			for i := range pages {
				body := mustOpen(t, &pages[i])
				pages[i].Body, pages[i].BodyEncoding = encodeAs(enc, body), enc
			}
			s := &Stage{MaxDepth: 3}
			first, err := s.Handle(context.Background(), pages[0])
			if err != nil {
				t.Fatal(err)
			}
			want := marshalOuts(t, first)
			feed, err := s.Handle(context.Background(), pages[2])
			if err != nil || len(feed) < 3 || feed[0].Body.(schema.Article).PageType != schema.PageFeed {
				t.Fatalf("the feed gave %d outputs, err %v; want its record and 2 crawl requests", len(feed), err)
			}
			wantFeed := marshalOuts(t, feed)
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					for i := range 8 {
						if _, err := s.Handle(context.Background(), pages[(g+i)%len(pages)]); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			if got := marshalOuts(t, first); got != want {
				t.Errorf("the first page's outputs changed after other pages were parsed:\n got %.300s\nwant %.300s", got, want)
			}
			if got := marshalOuts(t, feed); got != wantFeed {
				t.Errorf("the feed's outputs changed after other pages were parsed:\n got %.300s\nwant %.300s", got, wantFeed)
			}
			again, err := s.Handle(context.Background(), pages[0])
			if err != nil {
				t.Fatal(err)
			}
			// Its links were queued moments ago (recent): compare the records.
			if got, want := marshalOuts(t, again[:1]), marshalOuts(t, first[:1]); got != want {
				t.Errorf("the first page parsed again, into a reused buffer, gives another record:\n got %.300s\nwant %.300s", got, want)
			}
		})
	}
}

// mustOpen returns the decoded body of p.
func mustOpen(t *testing.T, p *schema.FetchedPage) []byte {
	t.Helper()
	var s Stage
	body, release, err := openBody(context.Background(), &s.bufs, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	return append([]byte(nil), body...)
}

// marshalOuts is the JSON of outs without their trace ids, new on each run.
func marshalOuts(t *testing.T, outs []bus.Out) string {
	t.Helper()
	cp := append([]bus.Out(nil), outs...)
	for i := range cp {
		cp[i].TraceID = ""
	}
	b, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
