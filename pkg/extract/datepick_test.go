package extract

import (
	"strings"
	"testing"
	"time"
)

// extractHTML extracts a page given as a string, with the tests' clock.
func extractHTML(t *testing.T, url, page string) *Article {
	t.Helper()
	a, err := Extract(Input{URL: url, Body: []byte(page), Now: testNow})
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	return a
}

// storyPage builds a news page: head holds extra <head> markup, before the
// story's header (after the headline) and after its body.
func storyPage(head, header, after string) string {
	var body strings.Builder
	for _, s := range []string{
		"The council voted on Tuesday to close the old bridge for a year of repairs, sending commuters on a long detour through the industrial district.",
		"Engineers found cracks in two of the bridge's supports during an inspection in the spring, and the repairs cannot wait another winter, officials said.",
		"Shop owners on the east bank fear the closure will keep customers away, and asked the council for help with the cost of the detour signs.",
	} {
		body.WriteString("<p>" + s + "</p>")
	}
	return `<!DOCTYPE html><html lang="en"><head><title>Council closes the old bridge | Example Times</title>` + head + `</head><body>
<nav class="menu"><a href="/">Home</a><a href="/local/">Local</a></nav>
<main><article><header><h1>Council closes the old bridge</h1>` + header + `</header>
<div class="article-body">` + body.String() + `</div>` + after + `</article></main>
<footer class="site-footer"><p>© 2024 Example Times. Updated daily since 3 March 1999.</p></footer></body></html>`
}

func TestPublishedDate(t *testing.T) {
	const related = `<aside class="related"><h2>Related stories</h2><ul>
<li><a href="/a">Bridge inspection finds cracks</a> <time datetime="2019-05-01T10:00:00Z">1 May 2019</time></li>
<li><a href="/b">Detour plan approved</a> <span class="date">2 May 2019</span></li></ul></aside>`
	const comments = `<section class="comments"><div class="comment"><p class="meta">Posted by reader on 9 June 2021 at 10:00</p><p>About time they fixed it.</p></div></section>`
	tests := []struct {
		name, url, head, header, after string
		want, wantSrc, wantMod         string
	}{
		{
			name: "meta tag over dates in related stories and comments",
			url:  "https://times.example/local/council-closes-old-bridge",
			head: `<meta property="article:published_time" content="2021-06-08T09:30:00+02:00">`, after: related + comments,
			want: "2021-06-08T09:30:00+02:00", wantSrc: "opengraph",
		},
		{
			name: "JSON-LD over meta",
			url:  "https://times.example/local/council-closes-old-bridge",
			head: `<script type="application/ld+json">{"@type":"NewsArticle","headline":"Council closes the old bridge","datePublished":"2021-06-07T18:00:00+02:00","dateModified":"2021-06-08T09:30:00+02:00"}</script>` +
				`<meta property="article:published_time" content="2021-06-08T09:30:00+02:00">`,
			want: "2021-06-07T18:00:00+02:00", wantSrc: "json-ld", wantMod: "2021-06-08T09:30:00+02:00",
		},
		{
			name: "the same instant in UTC and in the page's zone: the page's",
			url:  "https://times.example/local/council-closes-old-bridge",
			head: `<script type="application/ld+json">{"@type":"NewsArticle","headline":"Council closes the old bridge","datePublished":"2021-06-08T01:30:00Z"}</script>` +
				`<meta property="article:published_time" content="2021-06-07T18:30:00-07:00">`,
			want: "2021-06-07T18:30:00-07:00", wantSrc: "opengraph",
		},
		{
			name:   "a dateline under the headline, in German, with an update",
			url:    "https://zeitung.example/lokales/bruecke-gesperrt",
			header: `<p class="meta">Veröffentlicht am 8. Juni 2021, 09:30 Uhr · Aktualisiert am 9. Juni 2021</p>`, after: related,
			want: "2021-06-08T09:30:00Z", wantSrc: "text", wantMod: "2021-06-09T00:00:00Z",
		},
		{
			name:   "numeric d.m.yyyy in a date box",
			url:    "https://zeitung.example/lokales/bruecke-gesperrt",
			header: `<span class="datum">08.06.2021</span>`,
			want:   "2021-06-08T00:00:00Z", wantSrc: "text",
		},
		{
			name:   "a <time> at the head of the story, not the one in the related box before it",
			url:    "https://times.example/local/council-closes-old-bridge",
			header: `<time datetime="2021-06-08T09:30:00+01:00">8 June 2021</time>`, after: related,
			want: "2021-06-08T09:30:00+01:00", wantSrc: "time",
		},
		{
			name:   "an update alone is the modified date, and stands in for the published one",
			url:    "https://times.example/local/council-closes-old-bridge",
			header: `<p class="byline">By Jane Doe</p><p class="timestamp">Updated June 9, 2021 3:45 PM</p>`,
			want:   "2021-06-09T15:45:00Z", wantSrc: "text", wantMod: "2021-06-09T15:45:00Z",
		},
		{
			name: "only the URL dates the story",
			url:  "https://times.example/2021/06/08/council-closes-old-bridge/", after: related + comments,
			want: "2021-06-08T00:00:00Z", wantSrc: "url",
		},
		{
			name:   "the URL's day takes the time a dateline gives it",
			url:    "https://times.example/2021/06/08/council-closes-old-bridge/",
			header: `<p class="small">Last week's vote · 08/06/2021 09:30</p>`,
			want:   "2021-06-08T09:30:00Z", wantSrc: "text",
		},
		{
			name:  "nothing structured: the latest date the story prints",
			url:   "https://times.example/local/council-closes-old-bridge",
			after: `<p>The inspection of 3 March 2021 was followed by a second one on 20 May 2021.</p>`,
			want:  "2021-05-20T00:00:00Z", wantSrc: "text",
		},
		{
			name:   "a quoted post's date is not the story's",
			url:    "https://times.example/local/council-closes-old-bridge",
			header: `<blockquote class="twitter-tweet"><p>Finally!</p>— Ann Roe (@ann) <time datetime="2020-01-01T10:00:00Z">January 1, 2020</time></blockquote>`,
			head:   `<meta name="date" content="2021-06-08">`,
			want:   "2021-06-08T00:00:00Z", wantSrc: "meta",
		},
		{
			name: "a date after the clock is not published yet",
			url:  "https://times.example/local/council-closes-old-bridge",
			head: `<meta property="article:published_time" content="2099-01-01T00:00:00Z"><meta name="date" content="2021-06-08">`,
			want: "2021-06-08T00:00:00Z", wantSrc: "meta",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := extractHTML(t, tt.url, storyPage(tt.head, tt.header, tt.after))
			got := ""
			if a.Published != nil {
				got = a.Published.Format(time.RFC3339)
			}
			if got != tt.want || a.Provenance["published"] != tt.wantSrc {
				t.Errorf("published %s from %q, want %s from %q", got, a.Provenance["published"], tt.want, tt.wantSrc)
			}
			mod := ""
			if a.Modified != nil {
				mod = a.Modified.Format(time.RFC3339)
			}
			if tt.wantMod != "" && mod != tt.wantMod {
				t.Errorf("modified %s, want %s", mod, tt.wantMod)
			}
		})
	}
}

func TestLabelSet(t *testing.T) {
	tests := []struct {
		give string
		want bool
	}{
		{give: "last updated: 3 june", want: true},
		{give: "aktualisiert am 3. juni", want: true},
		{give: "mis à jour le 3 juin", want: true},
		{give: "stand: 29.03.2017", want: true},
		{give: "i understand the plan", want: false}, // "stand" inside a word
		{give: "update", want: true},
		{give: "更新：2021年6月3日", want: true},
		{give: "published 3 june", want: false},
	}
	for _, tt := range tests {
		if got := modifiedSet.in(tt.give); got != tt.want {
			t.Errorf("modifiedSet.in(%q) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

func TestBestDate(t *testing.T) {
	utc := time.Date(2021, 6, 8, 1, 30, 0, 0, time.UTC)
	local := utc.In(time.FixedZone("", -7*3600))
	day := time.Date(2021, 6, 8, 0, 0, 0, 0, time.UTC)
	timed := time.Date(2021, 6, 8, 9, 30, 0, 0, time.FixedZone("", 3600))
	tests := []struct {
		name  string
		cands []dateCand
		want  time.Time
		src   string
	}{
		{name: "highest rank", cands: []dateCand{{t: day, src: "url", rank: rankURL}, {t: utc, src: "json-ld", rank: rankLD}}, want: utc, src: "json-ld"},
		{name: "first among equals", cands: []dateCand{{t: utc, src: "meta", rank: rankMetaStrong}, {t: day, src: "meta", rank: rankMetaStrong}}, want: utc, src: "meta"},
		{name: "the page's zone for the same instant", cands: []dateCand{{t: utc, src: "json-ld", rank: rankLD}, {t: local, src: "opengraph", rank: rankMetaStrong}}, want: local, src: "opengraph"},
		{name: "a day takes a time of the same day", cands: []dateCand{{t: day, src: "url", rank: rankURL}, {t: timed, src: "time", rank: rankElsewhere}}, want: timed, src: "time"},
		{name: "not a time of another day", cands: []dateCand{{t: day, src: "url", rank: rankURL}, {t: timed.AddDate(0, 0, 1), src: "time", rank: rankElsewhere}}, want: day, src: "url"},
	}
	for _, tt := range tests {
		got := bestDate(tt.cands)
		if !got.t.Equal(tt.want) || got.t.Format(time.RFC3339) != tt.want.Format(time.RFC3339) || got.src != tt.src {
			t.Errorf("%s: bestDate = %v from %s, want %v from %s", tt.name, got.t, got.src, tt.want, tt.src)
		}
	}
}
