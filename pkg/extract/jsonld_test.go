package extract

import (
	"reflect"
	"testing"
)

func TestTrimJSON(t *testing.T) {
	tests := []struct{ give, want string }{
		{give: `{"a":1}`, want: `{"a":1}`},
		{give: "<!--\n{\"a\":1}\n-->", want: `{"a":1}`},
		{give: "\n<![CDATA[\n{\"a\":1}\n]]>\n", want: `{"a":1}`},
		{give: "//<![CDATA[\n{\"a\":1}\n//]]>", want: `{"a":1}`},
		{give: "/* <![CDATA[ */ {\"a\":1}; /* ]]> */", want: `{"a":1}`},
	}
	for _, tt := range tests {
		if got := trimJSON(tt.give); got != tt.want {
			t.Errorf("trimJSON(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestParseLD(t *testing.T) {
	related := `{"@type":"NewsArticle","url":"https://times.example/other-story","headline":"Another story","datePublished":"2019-01-01"}`
	own := `{"@type":"NewsArticle","url":"https://times.example/local/bridge/","headline":"Bridge &amp; tunnel: the council&#8217;s plan","datePublished":"2021-06-08","author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Organization","name":"Example Times"}]}`
	tests := []struct {
		name      string
		scripts   []string
		canonical string
		headline  string
		published string
		authors   []ldName
	}{
		{
			name:    "the story's own object, named by the canonical URL, over one it links to",
			scripts: []string{"[" + related + "," + own + "]"}, canonical: "http://www.times.example/local/bridge",
			headline: "Bridge & tunnel: the council’s plan", published: "2021-06-08",
			authors: []ldName{{name: "Jane Doe"}, {name: "Example Times", org: true}},
		},
		{
			name: "without a canonical URL, the first", scripts: []string{related, own},
			headline: "Another story", published: "2019-01-01",
		},
		{
			name: "wrapped in CDATA", scripts: []string{"<![CDATA[" + own + "]]>"},
			headline: "Bridge & tunnel: the council’s plan", published: "2021-06-08",
			authors: []ldName{{name: "Jane Doe"}, {name: "Example Times", org: true}},
		},
	}
	for _, tt := range tests {
		got := parseLD(tt.scripts, tt.canonical)
		if got.headline != tt.headline || got.published != tt.published || !reflect.DeepEqual(got.authors, tt.authors) {
			t.Errorf("%s: headline %q published %q authors %v, want %q %q %v", tt.name, got.headline, got.published, got.authors, tt.headline, tt.published, tt.authors)
		}
	}
}
