package demosite

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Dead links every site carries, and the pages that link them.
const (
	deadTerms   = "/terms/"
	deadLive    = "/live/election-night/"
	deadEvents  = "/events/summit-2024/"
	deadRemoved = "/world/2018/11/30/story-removed-by-editors"
)

var deadPaths = []string{deadTerms, deadLive, deadEvents, deadRemoved}

// Disallowed links every page carries; articles add /private/edit/<id>/.
const (
	privSubscribe = "/private/subscribe/"
	privLogin     = "/private/login/"
)

// esc escapes text content; attr escapes attribute values.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func esc(s string) string  { return textEscaper.Replace(s) }
func attr(s string) string { return html.EscapeString(s) }

const css = `body{font-family:Georgia,serif;margin:0;color:#222}header.site,footer.site{background:#111;color:#eee;padding:8px 16px}
nav.top a{color:#eee;margin-right:12px}.wrap{display:flex;gap:24px;padding:16px}main{flex:3}aside{flex:1;font-size:90%}
.cookie{background:#ffd;padding:8px;border-bottom:1px solid #cc9}.box{border-top:3px solid #c00;margin-bottom:18px}
.teaser{border-bottom:1px solid #ddd;padding:6px 0}.blurb{color:#555;margin:2px 0}.share a{margin-right:8px}figure{margin:0}`

// render builds the response for path; the bool says whether it may be
// cached under its own path (error pages are shared per host instead).
func (s *Site) render(base, path string) (*page, bool) {
	switch {
	case path == "/":
		return s.homePage(base), true
	case path == "/robots.txt":
		return s.robots(base), true
	case path == "/sitemap.xml":
		return s.sitemap(base), true
	case path == "/feed.xml":
		return s.feed(base), true
	case path == "/_manifest.json":
		return s.manifestPage(base), true
	case path == "/about/" || path == "/contact/" || path == "/privacy/":
		return s.staticPage(base, path), true
	case strings.HasPrefix(path, "/private/"):
		return s.errorPage(base, http.StatusForbidden), false
	case strings.HasPrefix(path, "/img/") && strings.HasSuffix(path, ".svg"):
		if i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "/img/"), ".svg")); err == nil && i >= 0 && i < len(s.articles) {
			return s.image(i), true
		}
	case strings.HasPrefix(path, "/tag/"):
		t := strings.TrimSuffix(strings.TrimPrefix(path, "/tag/"), "/")
		if arts := s.tags[t]; len(arts) > 0 && path == "/tag/"+t+"/" {
			return s.tagPage(base, t, arts), true
		}
	}
	if a := s.byPath[path]; a != nil {
		return s.articlePage(base, a), true
	}
	if sec, n := s.sectionFor(path); sec != nil {
		return s.sectionPage(base, sec, n), true
	}
	return s.errorPage(base, http.StatusNotFound), false
}

// sectionFor resolves "/world/" and "/world/page/3/".
func (s *Site) sectionFor(path string) (*section, int) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if !strings.HasSuffix(path, "/") {
		return nil, 0
	}
	sec := s.secBy[parts[0]]
	if sec == nil {
		return nil, 0
	}
	switch {
	case len(parts) == 1:
		return sec, 1
	case len(parts) == 3 && parts[1] == "page":
		n, err := strconv.Atoi(parts[2])
		if err == nil && n >= 2 && n <= sec.pages() && strconv.Itoa(n) == parts[2] {
			return sec, n
		}
	}
	return nil, 0
}

// doc accumulates one HTML page.
type doc struct {
	strings.Builder
	s    *Site
	base string
}

func (d *doc) p(format string, args ...any) { fmt.Fprintf(d, format, args...) }

func (d *doc) head(path, title, desc, lang, charset string, metaStyle int, extra string) {
	d.WriteString("<!DOCTYPE html>\n")
	d.p("<html lang=\"%s\">\n<head>\n", lang)
	if metaStyle == 1 {
		d.p("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=%s\">\n", charset)
	} else {
		d.p("<meta charset=\"%s\">\n", charset)
	}
	d.p("<title>%s</title>\n", esc(title))
	d.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	if desc != "" {
		d.p("<meta name=\"description\" content=\"%s\">\n", attr(desc))
	}
	d.p("<link rel=\"canonical\" href=\"%s\">\n", attr(d.base+path))
	d.WriteString(extra)
	d.p("<style>%s</style>\n</head>\n<body>\n", css)
}

func (d *doc) top(crumbs ...string) {
	s := d.s
	d.WriteString("<div class=\"cookie\" id=\"cookie-banner\"><p>We use cookies to improve your experience, analyse traffic and show personalised ads. By continuing to browse you agree to our use of cookies. <a href=\"/privacy/\">Learn more</a></p><button type=\"button\">Accept all</button></div>\n")
	d.p("<header class=\"site\"><div class=\"brand\"><a href=\"/\" class=\"logo\">%s</a> <span class=\"edition\">International Edition</span></div>\n<nav class=\"top\" aria-label=\"Sections\">", esc(s.name))
	d.WriteString("<a href=\"/\">Home</a>")
	for _, sec := range s.sections {
		d.p("<a href=\"/%s/\">%s</a>", sec.slug, esc(sec.name))
	}
	d.p("<a href=\"/about/\">About</a><a href=\"%s\" class=\"subscribe\">Subscribe</a></nav></header>\n", privSubscribe)
	if len(crumbs) > 0 {
		d.WriteString("<nav class=\"breadcrumbs\" aria-label=\"Breadcrumb\"><a href=\"/\">Home</a>")
		for i := 0; i+1 < len(crumbs); i += 2 {
			if crumbs[i] == "" {
				d.p(" &rsaquo; <span>%s</span>", esc(crumbs[i+1]))
			} else {
				d.p(" &rsaquo; <a href=\"%s\">%s</a>", attr(crumbs[i]), esc(crumbs[i+1]))
			}
		}
		d.WriteString("</nav>\n")
	}
	d.WriteString("<div class=\"wrap\">\n")
}

// aside writes the boxes every page has; key varies TRENDING per page and
// self is left out of them.
func (d *doc) aside(key int, self *article) {
	s := d.s
	d.WriteString("</main>\n<aside>\n<section class=\"box trending\"><h2>TRENDING</h2><ol>")
	for _, a := range s.trending(key, self) {
		d.p("<li><a href=\"%s\">%s</a></li>", attr(a.path), esc(a.st.title))
	}
	d.WriteString("</ol></section>\n<section class=\"box opinion\"><h2>OPINION</h2>")
	n := 0
	for _, a := range s.opinions {
		if a == self || n == 3 {
			continue
		}
		n++
		d.p("<div class=\"teaser\"><a href=\"%s\">%s</a><p class=\"blurb\">%s</p><span class=\"columnist\">%s</span></div>", attr(a.path), esc(a.st.title), esc(a.st.dek), esc(strings.Join(a.st.authors, ", ")))
	}
	d.WriteString("</section>\n<section class=\"box latest\"><h2>Latest News</h2><ul>")
	n = 0
	for _, a := range s.latest {
		if a == self || n == 6 {
			continue
		}
		n++
		d.p("<li><a href=\"%s\">%s</a><p>%s</p><span class=\"when\">%s</span></li>", attr(a.path), esc(a.st.title), esc(a.st.dek), shortDate(a.pub))
	}
	d.p("</ul></section>\n<section class=\"box newsletter\"><h2>Newsletter</h2><p>Sign up for the morning briefing. Get the day's top stories from %s delivered to your inbox every weekday before 7am, plus a weekend reading list chosen by our editors.</p><form action=\"%s\" method=\"post\"><input type=\"email\" name=\"email\" placeholder=\"Your email address\"><button type=\"submit\">Sign up</button></form><p class=\"small\">You can unsubscribe at any time. Read our <a href=\"/privacy/\">privacy policy</a>.</p></section>\n</aside>\n</div>\n", esc(s.name), privSubscribe)
}

func (d *doc) footer() {
	s := d.s
	d.WriteString("<footer class=\"site\"><nav class=\"footer-sections\">")
	for _, sec := range s.sections {
		d.p("<a href=\"/%s/\">%s</a> ", sec.slug, esc(sec.name))
	}
	d.p("</nav>\n<nav class=\"footer-links\"><a href=\"/about/\">About us</a> <a href=\"/contact/\">Contact</a> <a href=\"/privacy/\">Privacy policy</a> <a href=\"%s\">Terms of use</a> <a href=\"%s\">Staff login</a></nav>\n", deadTerms, privLogin)
	d.p("<p class=\"about-blurb\">%s is an independent newsroom publishing reporting, analysis and opinion around the clock. Our journalists follow the stories that shape communities, markets and culture.</p>\n", esc(s.name))
	d.p("<p class=\"copyright\">&copy; %d %s. All rights reserved.</p></footer>\n</body>\n</html>\n", s.lastYear(), esc(s.name))
}

func (s *Site) lastYear() int {
	if len(s.latest) > 0 {
		return s.latest[0].pub.Year()
	}
	return 2025
}

// trending picks five articles for a page, deterministically.
func (s *Site) trending(key int, self *article) []*article {
	if len(s.articles) == 0 {
		return nil
	}
	r := rng(s.opts.Seed, "trending", key)
	var out []*article
	seen := map[*article]bool{self: true}
	for try := 0; len(out) < 5 && try < 50; try++ {
		var a *article
		if r.IntN(2) == 0 && len(s.latest) > 0 {
			a = s.latest[r.IntN(min(len(s.latest), 30))]
		} else {
			a = s.articles[r.IntN(len(s.articles))]
		}
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

func (s *Site) newDoc(base string) *doc { return &doc{s: s, base: base} }

func (s *Site) htmlPage(d *doc, lastMod time.Time) *page {
	return newPage(http.StatusOK, "text/html; charset=utf-8", []byte(d.String()), lastMod)
}

func (s *Site) title(t string) string { return t + s.sep + s.name }

func rssLink(s *Site) string {
	return fmt.Sprintf("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"%s\" href=\"/feed.xml\">\n", attr(s.name))
}

// teaser writes one listing entry: a link, a one-sentence blurb, a date.
func (d *doc) teaser(a *article, tag string) {
	d.p("<article class=\"teaser\"><%s><a href=\"%s\">%s</a></%s><p class=\"blurb\">%s</p><p class=\"meta\"><a href=\"/%s/\">%s</a> &middot; <time datetime=\"%s\">%s</time></p></article>\n",
		tag, attr(a.path), esc(a.st.title), tag, esc(a.st.dek), a.st.section, esc(d.s.secBy[a.st.section].name), a.pub.Format(time.RFC3339), shortDate(a.pub))
}

func (s *Site) homePage(base string) *page {
	d := s.newDoc(base)
	d.head("/", s.name+" - News, analysis and opinion", "The latest news, analysis and opinion from "+s.name+".", "en", "utf-8", 0, rssLink(s))
	d.top()
	d.WriteString("<main id=\"content\" class=\"home\">\n")
	if len(s.latest) > 0 {
		a := s.latest[0]
		d.p("<section class=\"lead-story\"><h2><a href=\"%s\">%s</a></h2><img src=\"/img/%d.svg\" alt=\"\" width=\"640\" height=\"360\"><p class=\"blurb\">%s</p></section>\n", attr(a.path), esc(a.st.title), a.idx, esc(a.st.dek))
	}
	d.p("<p class=\"live\"><a href=\"%s\">LIVE: Election night coverage as results come in</a></p>\n", deadLive)
	d.WriteString("<section class=\"top-stories\"><h2>Top stories</h2>\n")
	for i := 1; i < len(s.latest) && i <= 8; i++ {
		d.teaser(s.latest[i], "h3")
	}
	d.WriteString("</section>\n")
	for _, sec := range s.sections {
		d.p("<section class=\"section-block\"><h2><a href=\"/%s/\">%s</a></h2>\n", sec.slug, esc(sec.name))
		for i := 0; i < len(sec.arts) && i < 4; i++ {
			d.teaser(sec.arts[i], "h3")
		}
		d.p("<a class=\"more\" href=\"/%s/\">More %s</a></section>\n", sec.slug, esc(sec.name))
	}
	if len(s.redirs) > 0 {
		d.WriteString("<section class=\"archive\"><h2>From the archive</h2><ul>")
		for _, rd := range s.redirs {
			d.p("<li><a href=\"%s\">%s</a></li>", rd.from, esc(rd.to.st.title))
		}
		d.WriteString("</ul></section>\n")
	}
	d.aside(-1, nil)
	d.footer()
	return s.htmlPage(d, s.newest())
}

func (s *Site) newest() time.Time {
	if len(s.latest) > 0 {
		return lastTouched(s.latest[0])
	}
	return s.epoch
}

func lastTouched(a *article) time.Time {
	if a.mod != nil {
		return *a.mod
	}
	return a.pub
}

func (s *Site) sectionPage(base string, sec *section, n int) *page {
	d := s.newDoc(base)
	title := sec.name
	if n > 1 {
		title = fmt.Sprintf("%s - page %d", sec.name, n)
	}
	d.head(sec.pagePath(n), s.title(title), "Latest "+sec.name+" news from "+s.name+".", "en", "utf-8", 0, rssLink(s))
	if n > 1 {
		d.top("/"+sec.slug+"/", sec.name, "", fmt.Sprintf("Page %d", n))
	} else {
		d.top("", sec.name)
	}
	d.p("<main id=\"content\" class=\"listing\">\n<h1>%s</h1>\n<div class=\"teasers\">\n", esc(title))
	from := (n - 1) * perPage
	lastMod := s.epoch
	for i := from; i < len(sec.arts) && i < from+perPage; i++ {
		d.teaser(sec.arts[i], "h2")
		if t := lastTouched(sec.arts[i]); t.After(lastMod) {
			lastMod = t
		}
	}
	if len(sec.arts) == 0 {
		d.WriteString("<p>No stories yet.</p>\n")
	}
	d.WriteString("</div>\n<nav class=\"pagination\" aria-label=\"Pages\">")
	if n > 1 {
		d.p("<a rel=\"prev\" href=\"%s\">&laquo; Newer</a> ", sec.pagePath(n-1))
	}
	for i := 1; i <= sec.pages(); i++ {
		if i == n {
			d.p("<span class=\"current\">%d</span> ", i)
		} else {
			d.p("<a href=\"%s\">%d</a> ", sec.pagePath(i), i)
		}
	}
	if n < sec.pages() {
		d.p("<a rel=\"next\" href=\"%s\">Older &raquo;</a>", sec.pagePath(n+1))
	}
	d.WriteString("</nav>\n")
	d.aside(-2-n-1000*len(sec.slug), nil)
	d.footer()
	return s.htmlPage(d, lastMod)
}

func (s *Site) tagPage(base, tag string, arts []*article) *page {
	d := s.newDoc(base)
	name := capFirst(strings.ReplaceAll(tag, "-", " "))
	d.head("/tag/"+tag+"/", s.title("Topic: "+name), "Stories tagged "+tag+".", "en", "utf-8", 0, "")
	d.top("", "Topics", "", name)
	d.p("<main id=\"content\" class=\"listing tag\">\n<h1>Topic: %s</h1>\n<div class=\"teasers\">\n", esc(name))
	for i := 0; i < len(arts) && i < 30; i++ {
		d.teaser(arts[i], "h2")
	}
	d.WriteString("</div>\n")
	d.aside(len(tag)*7919+int(tag[0]), nil)
	d.footer()
	return s.htmlPage(d, lastTouched(arts[0]))
}

var staticText = map[string][2]string{
	"/about/": {"About us", "%[1]s was founded by a small group of reporters who believed that local stories deserve the same care as global ones. Today our newsroom publishes around the clock, with correspondents in several regional bureaus.\n" +
		"We are funded by readers, advertising and a foundation grant. Our editorial decisions are made by editors alone, and we publish corrections openly at the foot of the story they concern.\n" +
		"Every year we host a public summit where readers meet the newsroom. Details of past events can be found on our events page."},
	"/contact/": {"Contact", "Newsroom: 1 Demo Square, Demo City. Telephone +00 123 456 789.\n" +
		"Send tips and corrections to the news desk. For advertising and partnerships, please use the form on our subscriptions page."},
	"/privacy/": {"Privacy policy", "We collect the minimum data needed to run %[1]s, such as the pages you read and the settings you choose.\n" +
		"We use cookies for analytics and advertising. You can change your choices at any time in your browser settings."},
}

func (s *Site) staticPage(base, path string) *page {
	t := staticText[path]
	d := s.newDoc(base)
	d.head(path, s.title(t[0]), "", "en", "utf-8", 0, "")
	d.top("", t[0])
	d.p("<main id=\"content\" class=\"static\">\n<h1>%s</h1>\n", esc(t[0]))
	for _, para := range strings.Split(fmt.Sprintf(t[1], s.name), "\n") {
		d.p("<p>%s</p>\n", esc(para))
	}
	if path == "/about/" {
		d.p("<p><a href=\"%s\">Summit 2024: programme and speakers</a></p>\n", deadEvents)
	}
	d.aside(-3-len(path), nil)
	d.footer()
	return s.htmlPage(d, s.epoch)
}

func (s *Site) errorPage(base string, status int) *page {
	d := s.newDoc(base)
	msg := "Page not found"
	text := "Sorry, we could not find the page you were looking for. It may have been moved or deleted."
	if status == http.StatusForbidden {
		msg, text = "Subscribers only", "This area is for subscribers and staff. Please log in to continue."
	}
	d.head("/", s.title(msg), "", "en", "utf-8", 0, "")
	d.top()
	d.p("<main id=\"content\" class=\"error\">\n<h1>%s</h1>\n<p>%s</p>\n<p><a href=\"/\">Go to the home page</a></p>\n", msg, text)
	d.aside(-9, nil)
	d.footer()
	return newPage(status, "text/html; charset=utf-8", []byte(d.String()), s.epoch)
}

func (s *Site) image(i int) *page {
	a := s.articles[i]
	hue := (i * 47) % 360
	svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="800" height="450" viewBox="0 0 800 450"><rect width="800" height="450" fill="hsl(%d,40%%,55%%)"/><circle cx="%d" cy="200" r="90" fill="hsl(%d,50%%,75%%)"/><text x="24" y="430" font-size="20" fill="#fff">%s</text></svg>`,
		hue, 200+(i*37)%400, (hue+180)%360, esc(s.name))
	return newPage(http.StatusOK, "image/svg+xml", []byte(svg), a.pub)
}

func shareLinks(u, title string) string {
	q := url.QueryEscape(u)
	return fmt.Sprintf("<div class=\"share\" aria-label=\"Share\">Share: <a href=\"https://www.facebook.com/sharer/sharer.php?u=%s\">Facebook</a><a href=\"https://twitter.com/intent/tweet?url=%s\">X</a><a href=\"https://www.linkedin.com/shareArticle?url=%s\">LinkedIn</a><a href=\"mailto:?subject=%s&amp;body=%s\">Email</a><button type=\"button\" class=\"copy\">Copy link</button></div>\n",
		q, q, q, attr(url.PathEscape(title)), q)
}
