package extract

import (
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// metaIndex gives the first value of each meta key and all values of the
// repeatable ones.
type metaIndex struct {
	first map[string]string
	all   map[string][]string
}

func indexMetas(ms []metaTag) metaIndex {
	mi := metaIndex{first: map[string]string{}, all: map[string][]string{}}
	for _, m := range ms {
		if _, ok := mi.first[m.key]; !ok {
			mi.first[m.key] = m.value
		}
		mi.all[m.key] = append(mi.all[m.key], m.value)
	}
	return mi
}

// get returns the first non-empty value among keys, and the provenance of
// the key that gave it.
func (mi metaIndex) get(keys ...string) (string, string) {
	for _, k := range keys {
		if v := strings.TrimSpace(mi.first[k]); v != "" {
			return v, metaSource(k)
		}
	}
	return "", ""
}

func metaSource(key string) string {
	if strings.HasPrefix(key, "og:") || strings.HasPrefix(key, "article:") {
		return "opengraph"
	}
	return "meta"
}

// facts is what the metadata rules share: the page, its metadata indexes,
// the selected story and where things lie around it.
type facts struct {
	pg    *page
	c     *content
	mi    metaIndex
	ld    ld
	base  *url.URL // the page's URL, or its canonical URL when the page came without one
	now   time.Time
	lay   *layout
	mdy   bool     // numeric dates read month first (US English)
	sites []string // names the site goes by: og:site_name, publisher, host
}

func fillMetadata(a *Article, pg *page, c *content, in Input, base *url.URL) {
	mi := indexMetas(pg.signals.metas)
	ld := parseLD(pg.signals.ldjson, pg.signals.canonical)
	f := &facts{pg: pg, c: c, mi: mi, ld: ld, base: base, now: in.Now}
	set := func(field, value, src string, dst *string) bool {
		value = collapse(value)
		if value == "" || *dst != "" {
			return false
		}
		*dst = value
		a.Provenance[field] = src
		return true
	}
	abs := func(s string) string {
		s = strings.TrimSpace(s)
		if s == "" {
			return ""
		}
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		if base != nil {
			u = base.ResolveReference(u)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return ""
		}
		u.Fragment = ""
		return u.String()
	}
	// setURL is set for a URL, resolved only when the field is still empty.
	setURL := func(field, raw, src string, dst *string) bool {
		if *dst != "" {
			return false
		}
		return set(field, abs(raw), src, dst)
	}

	// Site name.
	if v, src := mi.get("og:site_name"); v != "" {
		set("site_name", v, src, &a.SiteName)
	}
	set("site_name", ld.siteName, "json-ld", &a.SiteName)
	set("site_name", ld.publisher, "json-ld", &a.SiteName)
	if v, src := mi.get("application-name", "al:android:app_name", "al:ios:app_name", "twitter:site"); v != "" && !strings.HasPrefix(v, "@") {
		set("site_name", v, src, &a.SiteName)
	}

	// Canonical URL. A page that came without its address is placed by
	// its own canonical URL, for the rules that read the path.
	setURL("canonical_url", pg.signals.canonical, "html", &a.CanonicalURL)
	if v, src := mi.get("og:url"); v != "" {
		setURL("canonical_url", v, src, &a.CanonicalURL)
	}
	setURL("canonical_url", ld.url, "json-ld", &a.CanonicalURL)
	if base != nil {
		setURL("canonical_url", base.String(), "url", &a.CanonicalURL)
	} else if u, err := url.Parse(a.CanonicalURL); err == nil && u.IsAbs() && u.Host != "" {
		f.base = u
	}
	f.sites = siteNames(a.SiteName, ld, mi, f.base)
	for _, h := range pg.signals.h1 {
		// A masthead <h1> (one link home) is the site's name too.
		if h.home && countWords(h.text) <= 6 && !slices.Contains(f.sites, h.text) {
			f.sites = append(f.sites, collapse(h.text))
		}
	}

	// Title, and the <h1> that shows it: the head of the story.
	title, src, h1 := pickTitle(titleCands(ld, mi, pg), pg.signals.h1, f.sites, storyNear(pg, c))
	set("title", title, src, &a.Title)
	if in.Hints != nil {
		set("title", in.Hints.Title, "hint", &a.Title)
	}
	headline := int32(-1)
	if h1 >= 0 {
		headline = pg.signals.h1[h1].elem
	}
	f.lay = newLayout(pg, c, headline)

	// Description, image.
	if v, src := mi.get("og:description", "description", "twitter:description", "dc.description"); v != "" {
		set("description", v, src, &a.Description)
	}
	set("description", ld.description, "json-ld", &a.Description)
	if v, src := mi.get("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"); v != "" {
		setURL("image", v, src, &a.Image)
	}
	setURL("image", ld.image, "json-ld", &a.Image)
	for _, p := range pg.signals.props {
		if p.prop == "image" && p.value != "" {
			setURL("image", p.value, "microdata", &a.Image)
		}
	}
	for _, img := range pg.signals.images {
		if setURL("image", img, "html", &a.Image) {
			break
		}
	}

	// Section and tags.
	set("section", ld.section, "json-ld", &a.Section)
	if v, src := mi.get("article:section", "section", "parsely-section", "article.section", "cxenseparse:recs:articlesection", "category"); v != "" {
		set("section", v, src, &a.Section)
	}
	for _, p := range pg.signals.props {
		if p.prop == "articleSection" {
			set("section", p.value, "microdata", &a.Section)
		}
	}
	if a.Section == "" && base != nil {
		set("section", urlSection(base.Path), "url", &a.Section)
	}
	a.Tags, a.Provenance["tags"] = pickTags(mi, ld, pg)
	if a.Provenance["tags"] == "" {
		delete(a.Provenance, "tags")
	}

	// Language.
	lang, src := "", ""
	if ld.lang != "" {
		lang, src = ld.lang, "json-ld"
	}
	if lang == "" && pg.signals.lang != "" {
		lang, src = pg.signals.lang, "html"
	}
	if lang == "" {
		if v, s := mi.get("og:locale", "content-language", "language", "dc.language", "dc.language.iso"); v != "" {
			lang, src = v, s
		}
	}
	lang = primaryLang(lang)
	sample := renderTextPrefix(c.blocks, langSample)
	if len(sample) < 200 {
		sample += " " + a.Title + " " + a.Description
	}
	detected := detectLanguage(sample)
	switch {
	case detected != "" && lang != "" && detected != lang && !related(detected, lang):
		lang, src = detected, "text"
	case lang == "" && detected != "":
		lang, src = detected, "text"
	}
	if lang != "" {
		a.Language = lang
		a.Provenance["language"] = src
	}

	// Authors.
	a.Authors, a.Provenance["authors"] = pickAuthors(f)
	if len(a.Authors) == 0 {
		delete(a.Provenance, "authors")
	}

	// Dates.
	f.mdy = a.Language == "en" && (strings.HasSuffix(strings.ToLower(pg.signals.lang), "us") || f.base != nil && usHost(f.base.Host))
	pub, mod := pickDates(f)
	if pub.ok() {
		a.Published, a.Provenance["published"] = &pub.t, pub.src
	} else if in.Hints != nil && in.Hints.Published != nil && validDate(*in.Hints.Published, f.now) {
		t := *in.Hints.Published
		a.Published, a.Provenance["published"] = &t, "hint"
	}
	if mod.ok() && (a.Published == nil || !mod.t.Before(*a.Published)) {
		a.Modified, a.Provenance["modified"] = &mod.t, mod.src
	}

	a.PageType, a.PageTypeReason = pageType(f, a, pub)
	a.Provenance["page_type"] = a.PageTypeReason
}

// titleCands lists the page's statements of its title, most trusted first.
func titleCands(ld ld, mi metaIndex, pg *page) []titleCand {
	var out []titleCand
	add := func(v, src string) {
		if v = collapse(v); v != "" {
			out = append(out, titleCand{text: v, src: src})
		}
	}
	add(ld.headline, "json-ld")
	for _, k := range []string{"og:title", "twitter:title", "dc.title", "headline", "parsely-title", "sailthru.title"} {
		add(mi.first[k], metaSource(k))
	}
	for _, p := range pg.signals.props {
		if p.prop == "headline" {
			add(p.value, "microdata")
			break
		}
	}
	add(pg.signals.title, "html")
	return out
}

// siteNames lists the names the site goes by, for stripping them from
// titles and telling them from authors.
func siteNames(site string, ld ld, mi metaIndex, base *url.URL) []string {
	var out []string
	for _, s := range []string{site, ld.siteName, ld.publisher, mi.first["application-name"], mi.first["og:site_name"]} {
		// A "name" of many words is a headline a CMS put in the wrong tag.
		if s = collapse(s); s != "" && countWords(s) <= 6 && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if base != nil {
		if h := hostLabel(base.Host); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// storyNear reports whether an <h1> sits over the selected story: inside
// its container, or before its first block with little between.
func storyNear(pg *page, c *content) func(heading) bool {
	firstBlock := -1
	if len(c.blocks) > 0 {
		for i := range pg.blocks {
			if pg.blocks[i].elem == c.blocks[0].elem && pg.blocks[i].text == c.blocks[0].text {
				firstBlock = i
				break
			}
		}
	}
	return func(h heading) bool {
		if c.root >= 0 && h.elem > c.root && isAncestor(pg.elems, c.root, h.elem) {
			return true
		}
		if firstBlock < 0 {
			return false
		}
		for i := firstBlock; i >= 0 && i >= firstBlock-12; i-- {
			if pg.blocks[i].elem == h.elem {
				return true
			}
		}
		return false
	}
}

func related(a, b string) bool {
	pairs := map[string]string{"no": "da", "da": "no", "nb": "no", "nn": "no", "sv": "no"}
	return pairs[a] == b || pairs[b] == a || a == "no" && (b == "nb" || b == "nn")
}

func usHost(host string) bool {
	h := strings.ToLower(host)
	for _, s := range []string{".co.uk", ".uk", ".ie", ".au", ".nz", ".in", ".za", ".ng", ".ke", ".pk", ".sg", ".ca", ".my", ".ph", ".gh"} {
		if strings.HasSuffix(h, s) {
			return false
		}
	}
	return strings.HasSuffix(h, ".com") || strings.HasSuffix(h, ".us") || strings.HasSuffix(h, ".gov") || strings.HasSuffix(h, ".edu") || strings.HasSuffix(h, ".org") || strings.HasSuffix(h, ".net")
}

// hostLabel turns "www.example-news.co.uk" into "example-news", the name a
// site's address gives it: the label before the public suffix.
func hostLabel(host string) string {
	host = strings.ToLower(host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return ""
	}
	label, _, _ := strings.Cut(d, ".")
	return label
}

var nonSections = map[string]bool{"news": true, "article": true, "articles": true, "story": true, "stories": true, "p": true, "a": true, "post": true, "posts": true, "amp": true, "www": true, "index": true, "content": true, "detail": true, "details": true, "doc": true, "id": true, "view": true, "read": true, "html": true, "blog": true, "blogs": true, "item": true}

// urlSection takes the first path segment as the section when it is a plain
// word and the path goes deeper: /world/europe/slug -> "world".
func urlSection(path string) string {
	segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	if len(segs) < 2 {
		return ""
	}
	s := strings.ToLower(segs[0])
	if len(s) < 3 || len(s) > 24 || nonSections[s] || strings.Contains(s, ".") {
		return ""
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '-') {
			return ""
		}
	}
	return strings.ReplaceAll(s, "-", " ")
}

func pickTags(mi metaIndex, ld ld, pg *page) ([]string, string) {
	var raw []string
	src := ""
	switch {
	case len(mi.all["article:tag"]) > 0:
		raw, src = mi.all["article:tag"], "opengraph"
		if len(raw) == 1 {
			raw = splitList(raw[0])
		}
	case len(ld.keywords) > 0:
		raw, src = ld.keywords, "json-ld"
	case mi.first["news_keywords"] != "":
		raw, src = splitList(mi.first["news_keywords"]), "meta"
	case mi.first["keywords"] != "":
		raw, src = splitList(mi.first["keywords"]), "meta"
	case mi.first["parsely-tags"] != "":
		raw, src = splitList(mi.first["parsely-tags"]), "meta"
	case len(pg.signals.tagLinks) > 0:
		raw, src = pg.signals.tagLinks, "html"
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range raw {
		t = collapse(t)
		k := strings.ToLower(t)
		if t == "" || seen[k] || len(t) > 80 || strings.Contains(k, "=") {
			continue
		}
		seen[k] = true
		out = append(out, t)
		if len(out) == 30 {
			break
		}
	}
	if len(out) == 0 {
		return nil, ""
	}
	return out, src
}
