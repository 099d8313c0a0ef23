package parse

import (
	"context"
	"testing"

	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
)

// FuzzHandle feeds arbitrary bodies, raw or claiming to be s2 or zstd, as an
// HTML page, a feed, a sitemap or robots.txt lines, through the whole
// parser stage: it may refuse them, never panic, and what it publishes
// validates.
func FuzzHandle(f *testing.F) {
	f.Add([]byte("<html><head><title>t</title></head><body><p>x</p></body></html>"), uint8(0), uint8(0))
	compressed, _ := pagebody.Encode([]byte("<p>compressed</p>"))
	f.Add(compressed, uint8(1), uint8(0))
	f.Add(encodeAs(schema.EncodingZstd, []byte("<p>compressed</p>")), uint8(2), uint8(0))
	f.Add([]byte("\x28\xb5\x2f\xfd garbage"), uint8(2), uint8(0))
	f.Add([]byte("\xff\xff\xff\x0f garbage"), uint8(1), uint8(0))
	f.Add([]byte(testRSS), uint8(0), uint8(1))
	f.Add([]byte(testSitemapIndex), uint8(0), uint8(2))
	f.Add([]byte("Sitemap: /s.xml\nsitemap: https://fuzz.example/n.xml"), uint8(0), uint8(3))
	encodings := []string{schema.EncodingIdentity, schema.EncodingS2, schema.EncodingZstd}
	kinds := []struct{ contentType, kind string }{
		{"text/html", ""}, {"application/xml", schema.KindFeed}, {"application/xml", schema.KindSitemap}, {"text/plain", schema.KindRobots},
	}
	s := &Stage{MaxDepth: 2}
	f.Fuzz(func(t *testing.T, body []byte, encoding, kind uint8) {
		k := kinds[int(kind)%len(kinds)]
		p := schema.FetchedPage{V: schema.Version, URL: "https://fuzz.example/a/b-c-d", Status: 200,
			ContentType: k.contentType, Origin: "https://fuzz.example/", BodyEncoding: encodings[int(encoding)%len(encodings)], Body: body,
			Hints: &schema.Hints{Kind: k.kind}}
		outs, err := s.Handle(context.Background(), p)
		if err != nil {
			return
		}
		for _, o := range outs {
			var verr error
			switch b := o.Body.(type) {
			case schema.Article:
				verr = b.Validate()
			case schema.CrawlRequest:
				verr = b.Validate()
			}
			if verr != nil {
				t.Fatalf("published an invalid %T: %v", o.Body, verr)
			}
		}
	})
}
