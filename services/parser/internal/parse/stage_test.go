package parse

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	binenc "encoding/binary"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/discover"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
)

var fetchedAt = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

func page(t *testing.T, file, url string, depth int) schema.FetchedPage {
	t.Helper()
	body, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	p := schema.FetchedPage{V: schema.Version, URL: url, FinalURL: url, Status: 200,
		ContentType: "text/html; charset=utf-8", FetchedAt: fetchedAt, Depth: depth,
		Origin: "https://courier.example/", BodySize: len(body)}
	p.Body, p.BodyEncoding = pagebody.Encode(body)
	return p
}

// split sorts outputs by subject, failing on any other subject.
func split(t *testing.T, outs []bus.Out) (records []schema.Article, crawls []schema.CrawlRequest) {
	t.Helper()
	for _, o := range outs {
		switch b := o.Body.(type) {
		case schema.Article:
			if o.Subject != schema.SubjectArticlesParsed {
				t.Errorf("article on %s", o.Subject)
			}
			if o.Header[schema.HeaderPageType] != b.PageType || o.Header[schema.HeaderReparse] != b.Reparse {
				t.Errorf("record headers %v, want page type %q and reparse %q", o.Header, b.PageType, b.Reparse)
			}
			records = append(records, b)
		case schema.CrawlRequest:
			if o.Subject != schema.SubjectCrawlURLs {
				t.Errorf("crawl request on %s", o.Subject)
			}
			crawls = append(crawls, b)
		default:
			t.Errorf("unexpected output %T on %s: the parser publishes only articles.parsed and crawl.urls", o.Body, o.Subject)
		}
	}
	return
}

func TestStageArticlePage(t *testing.T) {
	s := &Stage{MaxDepth: 3}
	ctx := bus.WithTraceID(context.Background(), "trace-9")
	outs, err := s.Handle(ctx, page(t, "article.html", "https://courier.example/local/2024/05/02/harbour-sea-wall", 1))
	if err != nil {
		t.Fatal(err)
	}
	articles, crawls := split(t, outs)
	if len(articles) != 1 || articles[0].PageType != schema.PageArticle {
		t.Fatalf("got records %+v, want 1 article", articles)
	}
	a := articles[0]
	if err := a.Validate(); err != nil {
		t.Fatalf("article does not validate: %v", err)
	}
	if a.Title != "Harbour town votes to rebuild its sea wall" {
		t.Errorf("title = %q", a.Title)
	}
	if a.CanonicalURL != "https://courier.example/local/2024/05/02/harbour-sea-wall" {
		t.Errorf("canonical = %q, want the canonical link without tracking parameters", a.CanonicalURL)
	}
	if a.Published == nil || a.Published.Format(time.RFC3339) != "2024-05-02T09:30:00+02:00" {
		t.Errorf("published = %v", a.Published)
	}
	if !strings.Contains(a.Body, "crumbling sea wall") || strings.Contains(a.Body, "About us") {
		t.Errorf("body = %q", a.Body)
	}
	if a.TraceID != "trace-9" || a.ContentHash == "" || a.ExtractorVersion == "" || !a.FetchedAt.Equal(fetchedAt) {
		t.Errorf("trace %q hash %q version %q fetched %v", a.TraceID, a.ContentHash, a.ExtractorVersion, a.FetchedAt)
	}
	for _, c := range crawls {
		if strings.Contains(c.URL, "elsewhere.example") {
			t.Errorf("followed an out-of-scope link: %s", c.URL)
		}
		if c.Depth != 2 || c.Origin != "https://courier.example/" {
			t.Errorf("crawl request %+v: want depth 2 and the page's origin", c)
		}
	}
	if !slices.ContainsFunc(crawls, func(c schema.CrawlRequest) bool { return c.URL == "https://courier.example/local/" }) {
		t.Errorf("in-scope link /local/ not followed: %v", crawls)
	}
}

func TestStageSectionPageYieldsLinksAndARecord(t *testing.T) {
	s := &Stage{MaxDepth: 3}
	outs, err := s.Handle(context.Background(), page(t, "section.html", "https://courier.example/local/", 1))
	if err != nil {
		t.Fatal(err)
	}
	records, crawls := split(t, outs)
	if len(records) != 1 || records[0].PageType == schema.PageArticle {
		t.Fatalf("records = %+v, want one record of a non-article page", records)
	}
	if r := records[0]; r.Body != "" || r.WordCount != 0 || r.Validate() != nil {
		t.Errorf("non-article record carries a body (%d words) or does not validate (%v)", r.WordCount, r.Validate())
	}
	if r := records[0]; !strings.HasPrefix(r.Reason, r.PageType+":") {
		t.Errorf("non-article record's reason %q, want why it is a %s", r.Reason, r.PageType)
	}
	if len(crawls) < 9 {
		t.Errorf("got %d crawl requests, want the 9 in-scope links", len(crawls))
	}
	ids := map[string]bool{}
	for _, o := range outs {
		if ids[o.ID] {
			t.Errorf("duplicate output id %s", o.ID)
		}
		ids[o.ID] = true
	}
}

func TestStageStopsAtMaxDepth(t *testing.T) {
	s := &Stage{MaxDepth: 2}
	outs, err := s.Handle(context.Background(), page(t, "section.html", "https://courier.example/local/", 2))
	if err != nil {
		t.Fatal(err)
	}
	if _, crawls := split(t, outs); len(crawls) != 0 {
		t.Errorf("followed %d links from a page at max depth", len(crawls))
	}
}

// TestStageLeafSkipsLinks: at the deepest depth the page's links are not
// resolved (handle reports -1, so the log line has no links_found), and
// its record is the one the page gets where its links are followed.
func TestStageLeafSkipsLinks(t *testing.T) {
	p := page(t, "section.html", "https://courier.example/local/", 2)
	leafOuts, found, err := (&Stage{MaxDepth: 2}).handle(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if found != -1 {
		t.Errorf("found = %d at the deepest depth, want -1 (links not read)", found)
	}
	innerOuts, found, err := (&Stage{MaxDepth: 3}).handle(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if found < 9 {
		t.Errorf("found = %d where links are followed, want the page's links", found)
	}
	leaf, _ := split(t, leafOuts)
	inner, crawls := split(t, innerOuts)
	if len(crawls) == 0 {
		t.Fatal("no crawl requests where links are followed: the comparison proves nothing")
	}
	if len(leaf) != 1 || len(inner) != 1 || !reflect.DeepEqual(leaf[0], inner[0]) {
		t.Errorf("the leaf's record differs from the record where links are followed:\n leaf %+v\ninner %+v", leaf, inner)
	}
}

func TestStageRedeliveryIsIdempotent(t *testing.T) {
	s := &Stage{MaxDepth: 3}
	p := page(t, "article.html", "https://courier.example/local/2024/05/02/harbour-sea-wall", 0)
	first, _ := s.Handle(bus.WithAttempt(context.Background(), 1), p)
	second, _ := s.Handle(bus.WithAttempt(context.Background(), 2), p)
	if len(first) != len(second) {
		t.Fatalf("%d vs %d outputs", len(first), len(second))
	}
	for i := range first {
		if first[i].ID != second[i].ID {
			t.Errorf("output %d id %q then %q: a redelivery must reuse ids", i, first[i].ID, second[i].ID)
		}
	}
}

type mapBodies map[string][]byte

func (m mapBodies) Get(_ context.Context, name string) ([]byte, error) {
	b, ok := m[name]
	if !ok {
		return nil, pagebody.ErrNotFound
	}
	return b, nil
}

func TestStageBodies(t *testing.T) {
	good := page(t, "article.html", "https://courier.example/local/2024/05/02/harbour-sea-wall", 0)
	tests := []struct {
		name          string
		give          func() schema.FetchedPage
		bodies        Bodies
		wantPermanent bool
		wantErr       bool
	}{
		{name: "object store", give: func() schema.FetchedPage {
			p := good
			p.BodyRef, p.Body = "obj-1", nil
			return p
		}, bodies: mapBodies{"obj-1": good.Body}},
		{name: "object missing", give: func() schema.FetchedPage {
			p := good
			p.BodyRef, p.Body = "gone", nil
			return p
		}, bodies: mapBodies{}, wantErr: true, wantPermanent: true},
		{name: "corrupt s2", give: func() schema.FetchedPage {
			p := good
			p.Body = []byte("not s2 at all")
			return p
		}, wantErr: true, wantPermanent: true},
		{name: "s2 announcing 4 GiB", give: func() schema.FetchedPage {
			p := good
			p.Body = append(binenc.AppendUvarint(nil, 1<<32-1), good.Body[1:]...)
			return p
		}, wantErr: true, wantPermanent: true},
		{name: "corrupt zstd", give: func() schema.FetchedPage {
			p := good
			p.Body, p.BodyEncoding = []byte("not zstd at all"), schema.EncodingZstd
			return p
		}, wantErr: true, wantPermanent: true},
		{name: "zstd, as retained from before s2", give: func() schema.FetchedPage {
			p := good
			body, _ := os.ReadFile("testdata/article.html")
			p.Body, p.BodyEncoding = encodeAs(schema.EncodingZstd, body), schema.EncodingZstd
			return p
		}},
		{name: "identity", give: func() schema.FetchedPage {
			p := good
			body, _ := os.ReadFile("testdata/article.html")
			p.Body, p.BodyEncoding = body, schema.EncodingIdentity
			return p
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Stage{MaxDepth: 3, Bodies: tt.bodies}
			outs, err := s.Handle(context.Background(), tt.give())
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				if bus.IsPermanent(err) != tt.wantPermanent {
					t.Errorf("permanent = %v, want %v (%v)", bus.IsPermanent(err), tt.wantPermanent, err)
				}
				return
			}
			if a, _ := split(t, outs); len(a) != 1 {
				t.Errorf("want one article, got %d", len(a))
			}
		})
	}
}

func TestBodyRejectsBombs(t *testing.T) {
	sitemap := &schema.Hints{Kind: schema.KindSitemap}
	feed := &schema.Hints{Kind: schema.KindFeed}
	tests := []struct {
		name     string
		size     int
		declared int // BodySize, which a hostile message may understate
		hints    *schema.Hints
		wantLen  int // bytes kept, when no error is wanted
		wantErr  bool
	}{
		{name: "page within the limit", size: pagebody.MaxPage, wantLen: pagebody.MaxPage},
		{name: "page over the page limit", size: pagebody.MaxPage + 1, wantErr: true},
		{name: "page over the limit, size understated", size: pagebody.MaxPage + 1, declared: 10, wantErr: true},
		{name: "sitemap within what is read", size: pagebody.ListingRead, hints: sitemap, wantLen: pagebody.ListingRead},
		// A listing is read up to the limit: its first entries are kept.
		{name: "sitemap over what is read", size: 4 * pagebody.ListingRead, hints: sitemap, wantLen: pagebody.ListingRead},
		{name: "feed over what is read, size understated", size: 4 * pagebody.ListingRead, declared: 10, hints: feed, wantLen: pagebody.ListingRead},
	}
	if pagebody.ListingRead != discover.MaxListingSize {
		t.Errorf("pagebody.ListingRead %d != discover.MaxListingSize %d: one limit for what a listing may hold", pagebody.ListingRead, discover.MaxListingSize)
	}
	var bufs pagebody.Buffers // shared, as a stage's are: each case reuses the last one's buffer
	for _, tt := range tests {
		for _, enc := range []string{schema.EncodingS2, schema.EncodingZstd, schema.EncodingGzip, schema.EncodingIdentity} {
			body := make([]byte, tt.size)
			p := schema.FetchedPage{BodyEncoding: enc, Body: encodeAs(enc, body), BodySize: cmp.Or(tt.declared, tt.size), Hints: tt.hints}
			got, release, err := openBody(context.Background(), &bufs, &p, nil)
			release()
			// The fetcher writes a body over MaxPage as zstd, which can be
			// read as a prefix; an s2 block that large is refused unread.
			if !tt.wantErr && !(enc == schema.EncodingS2 && tt.size > pagebody.MaxPage) {
				if err != nil || len(got) != tt.wantLen {
					t.Errorf("%s (%s): %d bytes, err %v; want %d bytes", tt.name, enc, len(got), err, tt.wantLen)
				}
				continue
			}
			if err == nil || !bus.IsPermanent(err) || !errors.Is(err, pagebody.ErrTooLarge) {
				t.Errorf("%s (%s): err = %v, want a permanent error", tt.name, enc, err)
			}
		}
	}
}

// encodeAs returns body in encoding, whatever pagebody.Encode would
// choose for its size: what any fetcher, old or hostile, may publish.
func encodeAs(encoding string, body []byte) []byte {
	switch encoding {
	case schema.EncodingS2:
		return s2.Encode(nil, body)
	case schema.EncodingZstd:
		e, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
		defer e.Close()
		return e.EncodeAll(body, nil)
	case schema.EncodingGzip:
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		w.Write(body)
		w.Close()
		return b.Bytes()
	}
	return body
}

func TestStageReparseFollowsNoLinks(t *testing.T) {
	s := &Stage{MaxDepth: 3}
	p := page(t, "article.html", "https://courier.example/local/2024/05/02/harbour-sea-wall", 0)
	p.Reparse = "run-1"
	outs, err := s.Handle(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	articles, crawls := split(t, outs)
	if len(articles) != 1 || len(crawls) != 0 {
		t.Errorf("reparse gave %d records and %d crawls; want only the article", len(articles), len(crawls))
	}
	fresh, _ := s.Handle(context.Background(), page(t, "article.html", p.URL, 0))
	if outs[0].ID == fresh[0].ID {
		t.Errorf("reparse record id %q equals the fresh one: the stream would drop it", outs[0].ID)
	}
	sec := page(t, "section.html", "https://courier.example/local/", 0)
	sec.Reparse = "run-1"
	outs, _ = s.Handle(context.Background(), sec)
	if records, crawls := split(t, outs); len(records) != 1 || len(crawls) != 0 {
		t.Errorf("reparse of a section page gave %d records and %d crawls, want its record only", len(records), len(crawls))
	}
}

func TestStageSkipsLinksItPublishedRecently(t *testing.T) {
	s := &Stage{MaxDepth: 3}
	first := page(t, "section.html", "https://courier.example/local/", 1)
	outs, _ := s.Handle(bus.WithAttempt(context.Background(), 1), first)
	_, crawls := split(t, outs)
	if len(crawls) == 0 {
		t.Fatal("no links from the section page")
	}
	// Another fetch of the same listing repeats every link: none is sent again.
	again := first
	again.FetchedAt = first.FetchedAt.Add(time.Minute)
	outs, _ = s.Handle(bus.WithAttempt(context.Background(), 1), again)
	if _, crawls := split(t, outs); len(crawls) != 0 {
		t.Errorf("%d links republished, want none", len(crawls))
	}
}

func TestRecentIsBounded(t *testing.T) {
	r := newRecent(2)
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		if r.add(id) {
			t.Fatalf("%s reported as seen", id)
		}
	}
	if len(r.cur)+len(r.prev) > 4 {
		t.Errorf("holds %d ids, want at most 4", len(r.cur)+len(r.prev))
	}
	if !r.add("e") || r.add("a") {
		t.Error("want the latest id remembered and the oldest forgotten")
	}
}

// TestStageLinksGoAsSpelled: the parser leaves normalising to the fetcher
// (one normalisation per URL, into the seen-set's key): an in-scope link
// goes as the page spelled it, resolved; links out of scope, repeated or
// not a valid crawl request do not go.
func TestStageLinksGoAsSpelled(t *testing.T) {
	long := "/" + strings.Repeat("x", schema.MaxURLLength)
	html := `<html><body><article><h1>Links</h1><p>` + strings.Repeat("Words of a story. ", 40) + `</p>
<a href="/a">a</a> <a href="/a">again</a> <a href="b?utm_source=x&id=2">b</a>
<a href="HTTPS://COURIER.EXAMPLE/C">c</a> <a href="https://other.example/x">out</a>
<a href="` + long + `">long</a></article></body></html>`
	p := schema.FetchedPage{V: schema.Version, URL: "https://courier.example/news/", Status: 200, ContentType: "text/html",
		FetchedAt: fetchedAt, Depth: 1, Origin: "https://courier.example/", BodyEncoding: schema.EncodingIdentity, Body: []byte(html)}
	outs, err := (&Stage{MaxDepth: 3}).Handle(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	_, crawls := split(t, outs)
	var got []string
	for _, c := range crawls {
		got = append(got, c.URL)
	}
	want := []string{"https://courier.example/a", "https://courier.example/news/b?utm_source=x&id=2", "https://courier.example/C"}
	if !slices.Equal(got, want) {
		t.Errorf("crawl requests %v, want %v", got, want)
	}
}
