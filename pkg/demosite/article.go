package demosite

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// joinNames writes "A", "A and B", "A, B and C" in the story's language.
func joinNames(names []string, and string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	if and == "、" {
		return strings.Join(names, and)
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + and + " " + names[len(names)-1]
}

// credit is the visible byline text: people, agency or both.
func (a *article) credit() string {
	st := a.st
	if lp := langPacks[st.lang]; lp != nil {
		return fmt.Sprintf(lp.byline, joinNames(st.authors, lp.and))
	}
	people := joinNames(st.authors, "and")
	switch {
	case st.agency == "":
		return []string{"By " + people, "By " + people, "Written by " + people}[a.bylineStyle]
	case people == "":
		return []string{st.agency, "By " + st.agency, "Source: " + st.agency}[a.bylineStyle]
	default:
		return []string{"By " + people + " (" + st.agency + ")", people + " | " + st.agency, "By " + people + ", " + st.agency}[a.bylineStyle]
	}
}

// bylineHTML writes the credit and dates. Pages with metadata carry <time>
// elements; visible-only pages carry plain text with the zone named.
func (a *article) bylineHTML() string {
	var b strings.Builder
	b.WriteString("<div class=\"byline\">")
	lp := langPacks[a.st.lang]
	if a.meta != metaVisible {
		fmt.Fprintf(&b, "<span class=\"author\">%s</span> <time datetime=\"%s\" class=\"published\">%s</time>", esc(a.credit()), a.pub.Format(time.RFC3339), shortDate(a.pub))
		if a.mod != nil {
			fmt.Fprintf(&b, " <span class=\"updated\">Updated <time datetime=\"%s\">%s</time></span>", a.mod.Format(time.RFC3339), shortDate(*a.mod))
		}
		b.WriteString("</div>\n")
		return b.String()
	}
	if lp != nil {
		fmt.Fprintf(&b, "<span class=\"author\">%s</span><br><span class=\"date\">%s %s</span>", esc(a.credit()), esc(lp.published), esc(visibleDate(a.pub, a.zone, a.st.lang, 0)))
		if a.mod != nil {
			fmt.Fprintf(&b, " <span class=\"date\">%s %s</span>", esc(lp.updated), esc(visibleDate(*a.mod, a.zone, a.st.lang, 0)))
		}
		b.WriteString("</div>\n")
		return b.String()
	}
	pub := visibleDate(a.pub, a.zone, "en", a.dateStyle)
	var mod string
	if a.mod != nil {
		mod = visibleDate(*a.mod, a.zone, "en", a.dateStyle)
	}
	switch a.dateStyle {
	case 0: // the wire-portal style: "Reuters | Updated: 22-08-2020 03:12 IST | Created: 22-08-2020 03:04 IST"
		b.WriteString(esc(strings.TrimPrefix(a.credit(), "By ")))
		if mod != "" {
			b.WriteString(" | Updated: " + mod)
		}
		b.WriteString(" | Created: " + pub)
	case 1:
		fmt.Fprintf(&b, "<p class=\"author\">%s</p><p class=\"date\">Published %s", esc(a.credit()), pub)
		if mod != "" {
			b.WriteString(" | Updated " + mod)
		}
		b.WriteString("</p>")
	case 2:
		fmt.Fprintf(&b, "<span class=\"author\">%s</span> <span class=\"date\">%s", esc(a.credit()), pub)
		if mod != "" {
			b.WriteString(" (updated " + mod + ")")
		}
		b.WriteString("</span>")
	default:
		fmt.Fprintf(&b, "<p class=\"date\">%s</p><p class=\"author\">%s</p>", pub, esc(a.credit()))
		if mod != "" {
			b.WriteString("<p class=\"date\">Last modified on " + mod + "</p>")
		}
	}
	b.WriteString("</div>\n")
	return b.String()
}

type ldThing struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

type ldPublisher struct {
	Type string   `json:"@type"`
	Name string   `json:"name"`
	Logo ldObject `json:"logo"`
}

type ldObject struct {
	Type string `json:"@type"`
	URL  string `json:"url"`
}

type ldArticle struct {
	Context       string      `json:"@context"`
	Type          string      `json:"@type"`
	Headline      string      `json:"headline"`
	Description   string      `json:"description"`
	Image         []string    `json:"image"`
	DatePublished string      `json:"datePublished"`
	DateModified  string      `json:"dateModified,omitempty"`
	Author        any         `json:"author"`
	Publisher     ldPublisher `json:"publisher"`
	MainEntity    string      `json:"mainEntityOfPage"`
	Section       string      `json:"articleSection"`
	Language      string      `json:"inLanguage"`
}

// metadata writes JSON-LD and OpenGraph tags as the article's variant asks.
func (s *Site) metadata(base string, a *article) string {
	if a.meta == metaVisible {
		return ""
	}
	var b strings.Builder
	st := a.st
	u := base + a.path
	img := fmt.Sprintf("%s/img/%d.svg", base, a.idx)
	if a.meta == metaJSONLD {
		ld := ldArticle{
			Context: "https://schema.org", Type: "NewsArticle", Headline: st.title, Description: st.dek,
			Image: []string{img}, DatePublished: a.pub.Format(time.RFC3339),
			Publisher:  ldPublisher{Type: "Organization", Name: s.name, Logo: ldObject{Type: "ImageObject", URL: base + "/img/0.svg"}},
			MainEntity: u, Section: s.secBy[st.section].name, Language: st.lang,
		}
		if a.mod != nil {
			ld.DateModified = a.mod.Format(time.RFC3339)
		}
		if len(st.authors) > 0 {
			people := make([]ldThing, len(st.authors))
			for i, p := range st.authors {
				people[i] = ldThing{"Person", p}
			}
			ld.Author = people
		} else {
			ld.Author = ldThing{"Organization", st.agency}
		}
		js, _ := json.Marshal(ld)
		fmt.Fprintf(&b, "<script type=\"application/ld+json\">%s</script>\n", asciiJSON(js))
	}
	og := [][2]string{
		{"og:type", "article"}, {"og:title", st.title}, {"og:description", st.dek}, {"og:url", u},
		{"og:image", img}, {"og:site_name", s.name},
		{"article:published_time", a.pub.Format(time.RFC3339)},
	}
	if a.mod != nil {
		og = append(og, [2]string{"article:modified_time", a.mod.Format(time.RFC3339)})
	}
	og = append(og, [2]string{"article:section", s.secBy[st.section].name})
	for _, t := range st.tags {
		og = append(og, [2]string{"article:tag", t})
	}
	for _, kv := range og {
		fmt.Fprintf(&b, "<meta property=\"%s\" content=\"%s\">\n", kv[0], attr(kv[1]))
	}
	if a.meta == metaOG && len(st.authors) > 0 {
		fmt.Fprintf(&b, "<meta name=\"author\" content=\"%s\">\n", attr(strings.Join(st.authors, ", ")))
	}
	return b.String()
}

// asciiJSON escapes non-ASCII runes so JSON-LD survives any page charset.
func asciiJSON(js []byte) string {
	var b strings.Builder
	for _, r := range string(js) {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := utf16Pair(r)
			fmt.Fprintf(&b, "\\u%04x\\u%04x", r1, r2)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

func (s *Site) articlePage(base string, a *article) *page {
	st := a.st
	d := s.newDoc(base)
	metaStyle := 0
	if a.charset != "utf-8" && a.idx%4 == 1 {
		metaStyle = 1
	}
	d.head(a.path, s.title(st.title), st.dek, st.lang, a.charset, metaStyle, s.metadata(base, a))
	sec := s.secBy[st.section]
	crumb := st.title
	if utf8.RuneCountInString(crumb) > 40 {
		crumb = string([]rune(crumb)[:40]) + "..."
	}
	d.top("/"+sec.slug+"/", sec.name, "", crumb)
	d.WriteString("<main id=\"content\">\n<article class=\"story\">\n<header>\n")
	d.p("<p class=\"kicker\"><a href=\"/%s/\">%s</a></p>\n<h1 class=\"headline\">%s</h1>\n", sec.slug, esc(sec.name), esc(st.title))
	if a.idx%2 == 0 {
		d.p("<p class=\"standfirst\">%s</p>\n", esc(st.dek))
	}
	d.WriteString(a.bylineHTML())
	d.WriteString("</header>\n")
	d.WriteString(shareLinks(base+a.path, st.title))
	d.p("<figure><img src=\"/img/%d.svg\" alt=\"%s\" width=\"800\" height=\"450\"><figcaption>%s <span class=\"credit\">Image Credit: %s</span></figcaption></figure>\n",
		a.idx, attr(st.caption), esc(st.caption), esc(st.credit))
	d.WriteString("<div class=\"article-body\">\n")
	for i, para := range st.body {
		d.p("<p>%s</p>\n", esc(para))
		if i == 1 && a.readAlso != nil {
			d.p("<p class=\"read-also\"><strong>READ ALSO:</strong> <a href=\"%s\">%s</a></p>\n", attr(a.readAlso.path), esc(a.readAlso.st.title))
		}
		if i == 2 && len(st.body) > 5 {
			d.WriteString("<div class=\"ad\" aria-hidden=\"true\">Advertisement</div>\n")
		}
	}
	d.WriteString("</div>\n<ul class=\"tags\">")
	for _, t := range st.tags {
		d.p("<li><a href=\"/tag/%s/\">%s</a></li>", t, esc(strings.ReplaceAll(t, "-", " ")))
	}
	d.WriteString("</ul>\n")
	if a.edit {
		d.p("<p class=\"staff\"><a href=\"/private/edit/%d/\">Edit this story</a></p>\n", a.idx)
	}
	if a.bio != "" {
		d.p("<div class=\"author-bio\"><h3>About the author</h3><p>%s</p></div>\n", esc(a.bio))
	}
	d.WriteString("</article>\n<section class=\"related\"><h2>Related</h2><ul>")
	for _, r := range a.related {
		d.p("<li><a href=\"%s\">%s</a></li>", attr(r.path), esc(r.st.title))
	}
	if a.deadLink {
		d.p("<li><a href=\"%s\">Editors remove story pending review</a></li>", deadRemoved)
	}
	d.WriteString("</ul></section>\n")
	if len(a.comments) > 0 {
		d.p("<section class=\"comments\"><h2>Comments (%d)</h2>\n", len(a.comments))
		for _, c := range a.comments {
			d.p("<div class=\"comment\"><p class=\"who\">%s <span>%d hours ago</span></p><p>%s</p></div>\n", esc(c.handle), c.hours, esc(c.text))
		}
		d.WriteString("<p><a href=\"" + privLogin + "\">Log in to comment</a></p></section>\n")
	}
	d.aside(a.idx, a)
	d.footer()
	body := d.String()
	if a.charset == "utf-8" {
		return newPage(http.StatusOK, "text/html; charset=utf-8", []byte(body), lastTouched(a))
	}
	ctype := "text/html"
	if a.charsetHeader {
		ctype += "; charset=" + a.charset
	}
	return newPage(http.StatusOK, ctype, encodeCharset(body, a.charset), lastTouched(a))
}
