package schema

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

func TestDecodeCrawlRequest(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		wantURL string
		wantErr error  // errors.Is target, or nil
		wantMsg string // substring of the error, when not nil
	}{
		{name: "plain URL", give: "https://news.example/a", wantURL: "https://news.example/a"},
		{name: "plain URL with newline", give: "https://news.example/a\n", wantURL: "https://news.example/a"},
		{name: "json", give: `{"v":1,"url":"http://news.example/b","depth":2}`, wantURL: "http://news.example/b"},
		{name: "empty", give: "  ", wantErr: ErrEmpty},
		{name: "garbage", give: "\x00\x01\xff binary", wantErr: ErrMalformed},
		{name: "two URLs", give: "https://a.example https://b.example", wantErr: ErrMalformed},
		{name: "broken json", give: `{"v":1,"url":`, wantErr: ErrMalformed},
		{name: "trailing json", give: `{"v":1,"url":"https://a.example/"} {}`, wantErr: ErrMalformed},
		{name: "wrong version", give: `{"v":7,"url":"https://a.example/"}`, wantErr: ErrVersion},
		{name: "ftp scheme", give: "ftp://files.example/x", wantMsg: `unsupported scheme "ftp"`},
		{name: "javascript", give: "javascript:alert(1)", wantMsg: `unsupported scheme "javascript"`},
		{name: "relative", give: "/just/a/path", wantMsg: "not an absolute URL"},
		{name: "no host", give: "https:///path", wantMsg: "no host"},
		{name: "negative depth", give: `{"v":1,"url":"https://a.example/","depth":-1}`, wantMsg: "depth"},
		{name: "huge URL", give: "https://a.example/" + strings.Repeat("x", MaxURLLength), wantMsg: "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeCrawlRequest([]byte(tt.give), now)
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			case tt.wantMsg != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantMsg)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if got.URL != tt.wantURL || got.V != Version || got.Origin == "" || got.SubmittedAt.IsZero() {
					t.Errorf("got %+v, want url %s with version, origin and submitted_at filled", got, tt.wantURL)
				}
			}
		})
	}
}

func TestMessagesRoundTrip(t *testing.T) {
	pub := now.Add(-time.Hour).In(time.FixedZone("IST", 5*3600+1800))
	art := Article{V: Version, URL: "https://a.example/x", CanonicalURL: "https://a.example/x", Title: "T",
		Published: &pub, PageType: PageArticle, ContentHash: "abc", FetchedAt: now}
	data, err := json.Marshal(art)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"published":"`+pub.Format(time.RFC3339)+`"`) {
		t.Errorf("published not RFC 3339 with its offset: %s", data)
	}
	got, err := Decode[Article](data)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Published.Equal(pub) || got.Title != "T" {
		t.Errorf("round trip: %+v", got)
	}

	page := FetchedPage{V: Version, URL: "https://a.example/x", Status: 200, BodyEncoding: EncodingZstd, FetchedAt: now, Body: []byte{1, 2}}
	data, _ = json.Marshal(page)
	if _, err := Decode[FetchedPage](data); err != nil {
		t.Fatal(err)
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name string
		give validator
		want string
	}{
		{"page status", &FetchedPage{V: 1, URL: "https://a.example/", Status: 42, BodyEncoding: EncodingZstd, FetchedAt: now}, "status"},
		{"page encoding", &FetchedPage{V: 1, URL: "https://a.example/", Status: 200, BodyEncoding: "lz4", FetchedAt: now}, "body_encoding"},
		{"page both bodies", &FetchedPage{V: 1, URL: "https://a.example/", Status: 200, BodyEncoding: EncodingZstd, Body: []byte{1}, BodyRef: "x", FetchedAt: now}, "body_ref"},
		{"article page type", &Article{V: 1, URL: "https://a.example/", CanonicalURL: "https://a.example/", PageType: "blog", ContentHash: "x"}, "page_type"},
		{"article canonical", &Article{V: 1, URL: "https://a.example/", CanonicalURL: "mailto:x@y", PageType: PageArticle, ContentHash: "x"}, "canonical_url"},
		{"outcome empty", &Outcome{V: 1, URL: "https://a.example/"}, "outcome"},
		{"version", &Outcome{V: 0, URL: "https://a.example/", Outcome: "x"}, "version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.give.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error about %s", err, tt.want)
			}
		})
	}
}

func FuzzDecodeCrawlRequest(f *testing.F) {
	for _, s := range []string{"https://a.example/", `{"v":1,"url":"https://a.example/"}`, "", "\xff", `{"v":1,"url":"https://a.example/","hints":{"title":"x"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := DecodeCrawlRequest(data, now)
		if err != nil {
			return
		}
		if err := CheckURL("url", req.URL); err != nil {
			t.Fatalf("accepted an invalid URL %q: %v", req.URL, err)
		}
	})
}

func FuzzDecodeFetchedPage(f *testing.F) {
	f.Add([]byte(`{"v":1,"url":"https://a.example/","status":200,"body_encoding":"zstd","fetched_at":"2026-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode[FetchedPage](data)
		if err == nil && p.Validate() != nil {
			t.Fatal("Decode accepted a page that does not validate")
		}
	})
}

func FuzzDecodeArticle(f *testing.F) {
	f.Add([]byte(`{"v":1,"url":"https://a.example/","canonical_url":"https://a.example/","page_type":"article","content_hash":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Decode[Article](data)
		if err == nil && a.Validate() != nil {
			t.Fatal("Decode accepted an article that does not validate")
		}
	})
}
