package discover

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestFeedShapes covers feeds as real sites serve them.
func TestFeedShapes(t *testing.T) {
	base := mustURL(t, "https://news.example/feed/")
	item := func(inner string) string {
		return `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>` + inner + `</channel></rss>`
	}
	tests := []struct {
		name        string
		contentType string
		body        string
		want        []string // URL|title
	}{
		{name: "guid isPermaLink=true only", contentType: "application/rss+xml",
			body: item(`<item><title>A</title><guid isPermaLink="true">https://news.example/a</guid></item>`),
			want: []string{"https://news.example/a|A"}},
		{name: "guid permalink by default", contentType: "application/rss+xml",
			body: item(`<item><title>B</title><guid>https://news.example/b</guid></item>`),
			want: []string{"https://news.example/b|B"}},
		{name: "guid isPermaLink=false is no link", contentType: "application/rss+xml",
			body: item(`<item><title>C</title><guid isPermaLink="false">https://news.example/c</guid></item>`),
			want: nil},
		{name: "guid that is no URL is no link", contentType: "application/rss+xml",
			body: item(`<item><title>D</title><guid>12345@news.example</guid></item><item><guid>tag:news.example,2026:1</guid></item>`),
			want: nil},
		{name: "link wins over guid", contentType: "application/rss+xml",
			body: item(`<item><link>https://news.example/link</link><guid>https://news.example/guid</guid></item>`),
			want: []string{"https://news.example/link|"}},
		{name: "relative permalink guid", contentType: "application/rss+xml",
			body: item(`<item><guid isPermaLink="true">/rel</guid></item>`),
			want: []string{"https://news.example/rel|"}},
		{name: "feed served as text/html", contentType: "text/html; charset=utf-8",
			body: item(`<item><title>E</title><link>https://news.example/e</link></item>`),
			want: []string{"https://news.example/e|E"}},
		{name: "feed served as text/plain", contentType: "text/plain",
			body: item(`<item><title>F</title><link>https://news.example/f</link></item>`),
			want: []string{"https://news.example/f|F"}},
		{name: "ISO-8859-1 feed", contentType: "application/rss+xml",
			body: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><item><title>Caf\xe9 cr\xe8me</title><link>https://news.example/caf\xe9</link></item></channel></rss>",
			want: []string{"https://news.example/caf%C3%A9|Café crème"}},
		{name: "windows-1252 by HTTP charset", contentType: "text/xml; charset=windows-1252",
			body: "<rss version=\"2.0\"><channel><item><title>\x93Quoted\x94</title><link>https://news.example/q</link></item></channel></rss>",
			want: []string{"https://news.example/q|“Quoted”"}},
		{name: "UTF-8 feed with a stray Latin-1 byte", contentType: "application/rss+xml",
			body: "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><item><title>na\xefve – ok</title><link>https://news.example/n</link></item></channel></rss>",
			want: []string{"https://news.example/n|naïve – ok"}},
		{name: "BOM, white space and stylesheet before the root", contentType: "application/xml",
			body: "\xef\xbb\xbf\n  <?xml version=\"1.0\"?>\n<?xml-stylesheet type=\"text/xsl\" href=\"/rss.xsl\"?>\n<!-- generated -->\n" +
				`<rss version="2.0"><channel><item><link>https://news.example/g</link></item></channel></rss>`,
			want: []string{"https://news.example/g|"}},
		{name: "RSS 0.91 DOCTYPE", contentType: "text/xml",
			body: `<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><item><title>H</title><link>https://news.example/h</link></item></channel></rss>`,
			want: []string{"https://news.example/h|H"}},
		{name: "CDATA and wrapped links", contentType: "application/rss+xml",
			body: item("<item><title><![CDATA[I & J]]></title><link>\n   https://news.example/wrapped\n/story   \n</link></item>"),
			want: []string{"https://news.example/wrapped/story|I & J"}},
		{name: "relative links and junk schemes", contentType: "application/rss+xml",
			body: item(`<item><link>story-1</link></item><item><link>javascript:void(0)</link></item><item><link>https://user:pw@news.example/x</link></item>`),
			want: []string{"https://news.example/feed/story-1|"}},
		{name: "Atom entry link without rel", contentType: "application/atom+xml",
			body: `<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>K</title><link rel="self" href="https://news.example/api/k"/><link href="https://news.example/k"/></entry></feed>`,
			want: []string{"https://news.example/k|K"}},
		{name: "Atom xml:base", contentType: "application/atom+xml",
			body: `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/section/"><entry><title>L</title><link href="l.html"/></entry></feed>`,
			want: []string{"https://news.example/section/l.html|L"}},
		{name: "namespaced Atom root", contentType: "text/html",
			body: `<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"><atom:entry><atom:title>M</atom:title><atom:link href="https://news.example/m"/></atom:entry></atom:feed>`,
			want: []string{"https://news.example/m|M"}},
		{name: "JSON Feed as application/json", contentType: "application/json",
			body: `{"version":"https://jsonfeed.org/version/1","title":"J","items":[{"id":"1","url":"https://news.example/j","title":"N"}]}`,
			want: []string{"https://news.example/j|N"}},
		{name: "JSON Feed with BOM", contentType: "application/feed+json",
			body: "\xef\xbb\xbf" + `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","url":"https://news.example/o"}]}`,
			want: []string{"https://news.example/o|"}},
		{name: "HTML entity in a title", contentType: "application/rss+xml",
			body: item(`<item><title>P&nbsp;Q</title><link>https://news.example/p</link></item>`),
			want: []string{"https://news.example/p|P Q"}},
	}
	for _, tt := range tests {
		kind := Detect(tt.contentType, []byte(tt.body), "")
		if kind != KindFeed {
			t.Errorf("%s: Detect = %q, want feed", tt.name, kind)
			continue
		}
		got, err := Parse(kind, tt.contentType, []byte(tt.body), base)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		var have []string
		for _, e := range got {
			have = append(have, e.URL+"|"+e.Title)
		}
		if strings.Join(have, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s: got %q, want %q", tt.name, have, tt.want)
		}
	}
}

func TestFeedTitleCut(t *testing.T) {
	title := strings.Repeat("é", MaxTitleBytes) // 2 bytes each, cut inside
	body := `<rss version="2.0"><channel><item><title>x` + title + `</title><link>https://news.example/a</link></item></channel></rss>`
	got, err := Parse(KindFeed, "application/rss+xml", []byte(body), nil)
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v", got, err)
	}
	if len(got[0].Title) > MaxTitleBytes || !utf8.ValidString(got[0].Title) {
		t.Errorf("title of %d bytes, valid %v", len(got[0].Title), utf8.ValidString(got[0].Title))
	}
}

func TestUnreadableFeed(t *testing.T) {
	for _, body := range []string{"", "<rss><channel><item>", "not a feed", `{"items": 3}`, "<html><body>x</body></html>"} {
		got, err := Parse(KindFeed, "application/rss+xml", []byte(body), nil)
		if err == nil && len(got) > 0 {
			t.Errorf("Parse(%q) = %v, want an error or nothing", body, got)
		}
	}
}
