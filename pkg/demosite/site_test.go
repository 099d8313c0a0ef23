package demosite

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/encoding"
)

func serve(t testing.TB, opts Options) (*httptest.Server, *Site) {
	t.Helper()
	s := New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, s
}

var noFollow = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

func fetch(t testing.TB, u string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatalf("get %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", u, err)
	}
	return resp, body
}

func TestManifestCounts(t *testing.T) {
	s := New(Options{})
	m := s.Manifest("http://demo.test")
	if len(m.Articles) < 200 {
		t.Fatalf("articles = %d, want >= 200", len(m.Articles))
	}
	if m.Site != "The Daily Demo" || m.Home != "http://demo.test/" {
		t.Errorf("site, home = %q, %q", m.Site, m.Home)
	}
	nonArticle := map[string]bool{}
	for _, u := range append(append(m.NonArticles, m.Disallowed...), m.Dead...) {
		nonArticle[u] = true
	}
	titles := map[string]bool{}
	langs := map[string]int{}
	charsets := map[string]int{}
	agencyOnly, modified := 0, 0
	for _, a := range m.Articles {
		if nonArticle[a.URL] || strings.Contains(a.URL, "/private/") {
			t.Errorf("%s is listed as article and non-article", a.URL)
		}
		if titles[a.Title] {
			t.Errorf("duplicate title %q", a.Title)
		}
		titles[a.Title] = true
		if n := len(a.Body); n < 4 || n > 12 {
			t.Errorf("%s: %d paragraphs", a.URL, n)
		}
		text := strings.Join(a.Body, " ")
		if a.Language == "en" {
			if n := len(strings.Fields(text)); n < 60 {
				t.Errorf("%s: %d words", a.URL, n)
			}
		}
		for _, w := range a.Words {
			if !strings.Contains(text, w) {
				t.Errorf("%s: word %q not in body", a.URL, w)
			}
		}
		if len(a.Words) != 3 {
			t.Errorf("%s: words = %v", a.URL, a.Words)
		}
		if y := a.Published.Year(); y < 2019 || y > 2025 {
			t.Errorf("%s: published %v", a.URL, a.Published)
		}
		if a.Published.Second() != 0 {
			t.Errorf("%s: published has seconds: %v", a.URL, a.Published)
		}
		if len(a.Authors) == 1 && a.Authors[0] == a.Agency {
			agencyOnly++
			if a.Story == "" {
				t.Errorf("%s: no authors but not a wire story", a.URL)
			}
		}
		if a.Modified != nil {
			modified++
			if !a.Modified.After(a.Published) {
				t.Errorf("%s: modified %v before published %v", a.URL, a.Modified, a.Published)
			}
		}
		langs[a.Language]++
		charsets[a.Charset]++
	}
	if agencyOnly == 0 || modified == 0 {
		t.Errorf("agency-only = %d, modified = %d, want some of each", agencyOnly, modified)
	}
	for _, c := range []string{"windows-1251", "iso-8859-1", "shift_jis"} {
		if charsets[c] == 0 {
			t.Errorf("no %s page (charsets %v)", c, charsets)
		}
	}
	if len(langs) < 4 {
		t.Errorf("languages = %v", langs)
	}
	if len(m.Redirects) == 0 || len(m.Dead) == 0 || len(m.Disallowed) == 0 {
		t.Errorf("redirects %d, dead %d, disallowed %d", len(m.Redirects), len(m.Dead), len(m.Disallowed))
	}
	words := map[string]string{}
	for _, a := range m.Articles {
		for _, w := range a.Words {
			if other, ok := words[strings.ToLower(w)]; ok {
				t.Errorf("word %q in %s and %s", w, a.URL, other)
			}
			words[strings.ToLower(w)] = a.URL
		}
	}
}

var hrefRE = regexp.MustCompile(`<a [^>]*href="([^"]*)"`)

// TestCrawlMatchesManifest crawls the site like a polite crawler and checks
// that what it finds is exactly what the manifest says.
func TestCrawlMatchesManifest(t *testing.T) {
	srv, s := serve(t, Options{})
	m := s.Manifest(srv.URL)
	resp, robots := fetch(t, srv.URL+"/robots.txt")
	if resp.StatusCode != 200 || !strings.Contains(string(robots), "User-agent: *\nDisallow: /private/\n") || !strings.Contains(string(robots), "Sitemap: "+m.Sitemap) {
		t.Fatalf("robots.txt = %d %q", resp.StatusCode, robots)
	}

	depth := map[string]int{m.Home: 0}
	queue := []string{m.Home}
	linkedDisallowed := map[string]bool{}
	kinds := map[string]int{}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		resp, body := fetch(t, u)
		kinds[u] = resp.StatusCode
		switch resp.StatusCode {
		case http.StatusMovedPermanently:
			loc, err := url.Parse(u)
			if err != nil {
				t.Fatal(err)
			}
			target := loc.ResolveReference(mustURL(t, resp.Header.Get("Location"))).String()
			if m.Redirects[u] != target {
				t.Errorf("%s redirects to %s, manifest says %q", u, target, m.Redirects[u])
			}
			if _, ok := depth[target]; !ok {
				depth[target] = depth[u]
				queue = append(queue, target)
			}
			continue
		case http.StatusNotFound:
			if !strings.Contains(string(body), "<h1>Page not found</h1>") {
				t.Errorf("%s: 404 without an HTML body", u)
			}
			continue
		case http.StatusOK:
		default:
			t.Errorf("%s: status %d", u, resp.StatusCode)
			continue
		}
		base := mustURL(t, u)
		for _, sm := range hrefRE.FindAllSubmatch(body, -1) {
			ref, err := base.Parse(html.UnescapeString(string(sm[1])))
			if err != nil || ref.Host != base.Host || ref.Scheme != "http" {
				continue
			}
			ref.Fragment = ""
			v := ref.String()
			if strings.HasPrefix(ref.Path, "/private/") {
				linkedDisallowed[v] = true
				continue
			}
			if _, ok := depth[v]; !ok {
				depth[v] = depth[u] + 1
				queue = append(queue, v)
			}
		}
	}

	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, "/private/") {
			t.Errorf("crawler requested disallowed %s", r.Path)
		}
	}
	articles := map[string]bool{}
	for _, a := range m.Articles {
		articles[a.URL] = true
		d, ok := depth[a.URL]
		switch {
		case !ok:
			t.Errorf("article %s not reachable from home", a.URL)
		case d > 3:
			t.Errorf("article %s at depth %d", a.URL, d)
		case kinds[a.URL] != 200:
			t.Errorf("article %s: status %d", a.URL, kinds[a.URL])
		}
	}
	want := map[string]int{}
	for _, u := range m.NonArticles {
		want[u] = 200
	}
	for _, u := range m.Dead {
		want[u] = 404
	}
	for u := range m.Redirects {
		want[u] = 301
	}
	for u, code := range kinds {
		if articles[u] {
			continue
		}
		if want[u] != code {
			t.Errorf("crawled %s (status %d) but manifest says %d", u, code, want[u])
		}
	}
	for u := range want {
		if _, ok := kinds[u]; !ok {
			t.Errorf("manifest lists %s but no page links it", u)
		}
	}
	for _, u := range m.Disallowed {
		if !linkedDisallowed[u] {
			t.Errorf("disallowed %s is never linked", u)
		}
	}
	if len(linkedDisallowed) != len(m.Disallowed) {
		t.Errorf("linked disallowed = %d, manifest %d", len(linkedDisallowed), len(m.Disallowed))
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var charsetRE = regexp.MustCompile(`charset="?([a-zA-Z0-9_-]+)`)

func TestCharsetPagesDecodeToManifest(t *testing.T) {
	srv, s := serve(t, Options{})
	m := s.Manifest(srv.URL)
	checked := 0
	inHeader, inMetaOnly := 0, 0
	for _, a := range m.Articles {
		resp, raw := fetch(t, a.URL)
		ct := resp.Header.Get("Content-Type")
		if a.Charset == "utf-8" {
			continue
		}
		checked++
		declared := ""
		if mm := charsetRE.FindStringSubmatch(ct); mm != nil {
			declared = mm[1]
			inHeader++
		} else if mm := charsetRE.FindSubmatch(raw[:min(len(raw), 1024)]); mm != nil {
			declared = string(mm[1])
			inMetaOnly++
		}
		if declared != a.Charset {
			t.Errorf("%s: declared charset %q, manifest %q", a.URL, declared, a.Charset)
			continue
		}
		text, err := legacyEncoding(declared).NewDecoder().Bytes(raw)
		if err != nil {
			t.Fatalf("%s: decode: %v", a.URL, err)
		}
		page := html.UnescapeString(string(text))
		if !strings.Contains(page, "<h1 class=\"headline\">"+a.Title+"</h1>") {
			t.Errorf("%s: headline %q not found after decoding", a.URL, a.Title)
		}
		for _, p := range a.Body {
			if !strings.Contains(page, "<p>"+p+"</p>") {
				t.Errorf("%s: paragraph %q not found after decoding", a.URL, p)
			}
		}
		if bytes.Equal(raw, text) {
			t.Errorf("%s: page is not actually in %s", a.URL, a.Charset)
		}
	}
	if checked < 4 || inHeader == 0 || inMetaOnly == 0 {
		t.Errorf("checked %d legacy pages (%d in header, %d in meta only)", checked, inHeader, inMetaOnly)
	}
}

var _ encoding.Encoding = legacyEncoding("shift_jis")

// everyPath lists the paths a test can compare between two builds.
func everyPath(m Manifest) []string {
	paths := []string{"/robots.txt", "/sitemap.xml", "/feed.xml", "/_manifest.json", "/img/3.svg", "/nope"}
	strip := func(u string) string { return strings.TrimPrefix(u, "http://example.com") }
	for _, a := range m.Articles {
		paths = append(paths, strip(a.URL))
	}
	for _, u := range append(append(m.NonArticles, m.Dead...), m.Disallowed...) {
		paths = append(paths, strip(u))
	}
	for u := range m.Redirects {
		paths = append(paths, strip(u))
	}
	return paths
}

func TestDeterministic(t *testing.T) {
	opts := Options{Seed: 7, Articles: 300}
	a, b := New(opts), New(opts)
	m := a.Manifest("http://example.com")
	if !reflect.DeepEqual(m, b.Manifest("http://example.com")) {
		t.Fatal("manifests differ")
	}
	for _, p := range everyPath(m) {
		ra, rb := httptest.NewRecorder(), httptest.NewRecorder()
		a.ServeHTTP(ra, httptest.NewRequest(http.MethodGet, p, nil))
		b.ServeHTTP(rb, httptest.NewRequest(http.MethodGet, p, nil))
		if ra.Code != rb.Code || !bytes.Equal(ra.Body.Bytes(), rb.Body.Bytes()) || ra.Header().Get("ETag") != rb.Header().Get("ETag") {
			t.Errorf("%s differs between builds", p)
		}
	}
	if other := New(Options{Seed: 8, Articles: 300}).Manifest("http://example.com"); other.Articles[0].Title == m.Articles[0].Title {
		t.Errorf("seeds 7 and 8 give the same first title %q", other.Articles[0].Title)
	}
}

func TestNetworkSharesWireStories(t *testing.T) {
	opts := Options{Articles: 200, Seed: 3}
	sites := NewNetwork(3, opts)
	type copyOf struct {
		site string
		a    ManifestArticle
	}
	stories := map[string][]copyOf{}
	names := map[string]bool{}
	for _, s := range sites {
		m := s.Manifest("http://" + strings.ReplaceAll(strings.ToLower(s.Name()), " ", "-") + ".test")
		names[m.Site] = true
		if len(m.Articles) != opts.Articles {
			t.Errorf("%s: %d articles", m.Site, len(m.Articles))
		}
		for _, a := range m.Articles {
			if a.Story != "" {
				stories[a.Story] = append(stories[a.Story], copyOf{m.Site, a})
			}
		}
	}
	if len(names) != 3 {
		t.Errorf("site names %v", names)
	}
	shared := 0
	for id, copies := range stories {
		if len(copies) < 2 {
			continue
		}
		shared++
		first := copies[0]
		for _, c := range copies[1:] {
			if c.site == first.site {
				t.Errorf("story %s twice on %s", id, c.site)
			}
			if c.a.Title != first.a.Title || !reflect.DeepEqual(c.a.Body, first.a.Body) || !reflect.DeepEqual(c.a.Authors, first.a.Authors) {
				t.Errorf("story %s differs between %s and %s", id, first.site, c.site)
			}
			if c.a.URL == first.a.URL {
				t.Errorf("story %s has the same URL on two sites", id)
			}
		}
	}
	if shared < 20 {
		t.Errorf("only %d stories are shared", shared)
	}

	one := NewNetwork(1, opts)[0].Manifest("http://x.test")
	if !reflect.DeepEqual(one, New(opts).Manifest("http://x.test")) {
		t.Error("NewNetwork(1, opts)[0] differs from New(opts)")
	}
}

func TestStatusCodes(t *testing.T) {
	srv, s := serve(t, Options{Articles: 60})
	m := s.Manifest(srv.URL)
	for _, u := range m.Dead {
		if resp, body := fetch(t, u); resp.StatusCode != 404 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("</html>")) {
			t.Errorf("%s: %d %q", u, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	for from, to := range m.Redirects {
		resp, _ := fetch(t, from)
		if resp.StatusCode != 301 || srv.URL+resp.Header.Get("Location") != to {
			t.Errorf("%s: %d -> %q, want 301 -> %s", from, resp.StatusCode, resp.Header.Get("Location"), to)
		}
	}
	if resp, _ := fetch(t, srv.URL+"/private/login/"); resp.StatusCode != 403 {
		t.Errorf("/private/login/: %d", resp.StatusCode)
	}
	if resp, _ := fetch(t, srv.URL+"/world/page/999/"); resp.StatusCode != 404 {
		t.Errorf("/world/page/999/: %d", resp.StatusCode)
	}

	a := m.Articles[10].URL
	resp, body := fetch(t, a)
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if etag == "" || lm == "" || len(body) == 0 {
		t.Fatalf("%s: etag %q, last-modified %q", a, etag, lm)
	}
	if resp, body := fetch(t, a, "If-None-Match", etag); resp.StatusCode != 304 || len(body) != 0 {
		t.Errorf("If-None-Match: %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, _ := fetch(t, a, "If-None-Match", `"other"`); resp.StatusCode != 200 {
		t.Errorf("If-None-Match other: %d", resp.StatusCode)
	}
	if resp, _ := fetch(t, a, "If-Modified-Since", lm); resp.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d", resp.StatusCode)
	}

	var feed struct {
		Items []struct {
			Title   string `xml:"title"`
			Link    string `xml:"link"`
			PubDate string `xml:"pubDate"`
		} `xml:"channel>item"`
	}
	_, fb := fetch(t, m.Feed)
	if err := xml.Unmarshal(fb, &feed); err != nil || len(feed.Items) != 50 {
		t.Fatalf("feed: %v, %d items", err, len(feed.Items))
	}
	last := m.Articles[len(m.Articles)-1]
	if feed.Items[0].Link != last.URL || feed.Items[0].Title != last.Title {
		t.Errorf("feed starts with %+v, want %s", feed.Items[0], last.URL)
	}
	if p, err := time.Parse(time.RFC1123Z, feed.Items[0].PubDate); err != nil || !p.Equal(last.Published) {
		t.Errorf("feed pubDate %q, want %v", feed.Items[0].PubDate, last.Published)
	}
	var sm struct {
		URLs []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	_, sb := fetch(t, m.Sitemap)
	if err := xml.Unmarshal(sb, &sm); err != nil || len(sm.URLs) != len(m.Articles) {
		t.Fatalf("sitemap: %v, %d urls", err, len(sm.URLs))
	}
	_, hb := fetch(t, m.Home)
	if !bytes.Contains(hb, []byte(`<link rel="alternate" type="application/rss+xml"`)) {
		t.Error("home page has no feed link")
	}
	var served Manifest
	_, mb := fetch(t, srv.URL+"/_manifest.json")
	if err := json.Unmarshal(mb, &served); err != nil || served.Home != m.Home || len(served.Articles) != len(m.Articles) {
		t.Errorf("/_manifest.json: %v, home %q", err, served.Home)
	}
}

// TestMetadataMatchesManifest checks each article's title, dates and authors
// where the page's variant puts them.
func TestMetadataMatchesManifest(t *testing.T) {
	s := New(Options{})
	m := s.Manifest("http://example.com")
	variants := map[int]int{}
	for _, ma := range m.Articles {
		a := s.byPath[strings.TrimPrefix(ma.URL, "http://example.com")]
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, a.path, nil))
		page := rec.Body.String()
		if a.charset != "utf-8" {
			dec, err := legacyEncoding(a.charset).NewDecoder().String(page)
			if err != nil {
				t.Fatal(err)
			}
			page = dec
		}
		page = html.UnescapeString(page)
		variants[a.meta]++
		if !strings.Contains(page, "<title>"+ma.Title+s.sep+s.name+"</title>") {
			t.Errorf("%s: <title> is not %q + suffix", ma.URL, ma.Title)
		}
		hasLD := strings.Contains(page, "application/ld+json")
		hasOG := strings.Contains(page, "article:published_time")
		switch a.meta {
		case metaJSONLD:
			i := strings.Index(page, `<script type="application/ld+json">`)
			j := strings.Index(page[i:], "</script>")
			var ld struct {
				Headline      string          `json:"headline"`
				DatePublished time.Time       `json:"datePublished"`
				Author        json.RawMessage `json:"author"`
			}
			if err := json.Unmarshal([]byte(page[i+35:i+j]), &ld); err != nil {
				t.Fatalf("%s: json-ld: %v", ma.URL, err)
			}
			if ld.Headline != ma.Title || !ld.DatePublished.Equal(ma.Published) {
				t.Errorf("%s: json-ld %q %v", ma.URL, ld.Headline, ld.DatePublished)
			}
			for _, au := range people(ma) {
				if !bytes.Contains(ld.Author, []byte(asciiJSON([]byte(`"@type":"Person","name":"`+au+`"`)))) {
					t.Errorf("%s: json-ld author %s missing", ma.URL, au)
				}
			}
			if !hasOG {
				t.Errorf("%s: json-ld variant without OpenGraph", ma.URL)
			}
		case metaOG:
			want := `<meta property="article:published_time" content="` + ma.Published.Format(time.RFC3339) + `">`
			if hasLD || !strings.Contains(page, want) {
				t.Errorf("%s: og variant lacks %s", ma.URL, want)
			}
			if len(people(ma)) > 0 && !strings.Contains(page, `<meta name="author" content="`+strings.Join(ma.Authors, ", ")+`">`) {
				t.Errorf("%s: og variant lacks meta author", ma.URL)
			}
		case metaVisible:
			if hasLD || hasOG || strings.Contains(page, "<time") {
				t.Errorf("%s: visible-only variant carries metadata", ma.URL)
			}
			if !strings.Contains(page, visibleDate(a.pub, a.zone, a.st.lang, a.dateStyle)) && !strings.Contains(page, visibleDate(a.pub, a.zone, a.st.lang, 0)) {
				t.Errorf("%s: visible date missing", ma.URL)
			}
		}
		for _, au := range ma.Authors {
			if !strings.Contains(page, au) {
				t.Errorf("%s: author %s not visible", ma.URL, au)
			}
		}
		if !strings.Contains(page, `<h1 class="headline">`+ma.Title+`</h1>`) {
			t.Errorf("%s: no h1", ma.URL)
		}
	}
	if len(variants) != 3 {
		t.Errorf("variants %v", variants)
	}
}

func TestSlowAndRequestLog(t *testing.T) {
	srv, s := serve(t, Options{Articles: 30, Slow: map[string]time.Duration{"/world/": 80 * time.Millisecond}})
	start := time.Now()
	fetch(t, srv.URL+"/world/", "User-Agent", "demo-test/1")
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("slow path answered in %v", d)
	}
	fetch(t, srv.URL+"/about/?x=1")
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Path != "/world/" || reqs[0].UserAgent != "demo-test/1" || reqs[1].Path != "/about/?x=1" || reqs[0].At.After(reqs[1].At) {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestLargeSite(t *testing.T) {
	start := time.Now()
	s := New(Options{Articles: 2500})
	t.Logf("built 2500 articles in %v", time.Since(start))
	m := s.Manifest("http://example.com")
	if len(m.Articles) != 2500 {
		t.Fatalf("articles = %d", len(m.Articles))
	}
	// Depth 3 needs every section page to be linked from page 1.
	for _, sec := range s.sections {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/"+sec.slug+"/", nil))
		for n := 2; n <= sec.pages(); n++ {
			if !strings.Contains(rec.Body.String(), `href="`+sec.pagePath(n)+`"`) {
				t.Errorf("%s does not link page %d", sec.slug, n)
			}
		}
	}
	for _, a := range m.Articles[:50] {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, strings.TrimPrefix(a.URL, "http://example.com"), nil))
		if rec.Code != 200 {
			t.Errorf("%s: %d", a.URL, rec.Code)
		}
	}
}

func TestProseLooksLikeNews(t *testing.T) {
	m := New(Options{}).Manifest("http://example.com")
	for _, a := range m.Articles {
		for _, p := range a.Body {
			if strings.ContainsAny(p, "{}") {
				t.Errorf("%s: unfilled slot in %q", a.URL, p)
			}
			if r := []rune(p)[0]; a.Language != "ja" && !unicode.IsUpper(r) && r != '"' && r != '»' && r != '«' {
				t.Errorf("%s: paragraph starts with %q", a.URL, r)
			}
		}
		if strings.ContainsAny(a.Title, "{}") {
			t.Errorf("unfilled title %q", a.Title)
		}
	}
}

func BenchmarkServeArticle(b *testing.B) {
	s := New(Options{Articles: 2500})
	m := s.Manifest("http://example.com")
	paths := make([]string, len(m.Articles))
	for i, a := range m.Articles {
		paths[i] = strings.TrimPrefix(a.URL, "http://example.com")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, paths[i%len(paths)], nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

func BenchmarkNew2500(b *testing.B) {
	for b.Loop() {
		New(Options{Articles: 2500})
	}
}

// people returns the persons credited by a manifest article (none when
// only an agency is).
func people(ma ManifestArticle) []string {
	if len(ma.Authors) == 1 && ma.Authors[0] == ma.Agency {
		return nil
	}
	return ma.Authors
}
