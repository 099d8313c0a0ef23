package parse

import (
	"context"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
)

// FuzzHandle feeds arbitrary bodies, raw or claiming to be zstd, through
// the whole parser stage: it may refuse them, never panic.
func FuzzHandle(f *testing.F) {
	f.Add([]byte("<html><head><title>t</title></head><body><p>x</p></body></html>"), false)
	f.Add(Compress([]byte("<p>compressed</p>")), true)
	f.Add([]byte("\x28\xb5\x2f\xfd garbage"), true)
	s := &Stage{MaxDepth: 2}
	f.Fuzz(func(t *testing.T, body []byte, zstd bool) {
		p := schema.FetchedPage{V: schema.Version, URL: "https://fuzz.example/a/b-c-d", Status: 200,
			ContentType: "text/html", Origin: "https://fuzz.example/", BodyEncoding: schema.EncodingIdentity, Body: body}
		if zstd {
			p.BodyEncoding = schema.EncodingZstd
		}
		_, _ = s.Handle(context.Background(), p)
	})
}
