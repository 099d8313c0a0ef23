package extract

import (
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newsflow/newsflow/pkg/urlnorm"
)

// This file holds what the walker collects besides text: <head> and <meta>
// tags, canonical links, images, <time> elements, microdata, and links.

func (w *walker) visitHead(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Meta:
			w.meta(c)
		case atom.Link:
			w.linkTag(c)
		case atom.Title:
			if w.p.signals.title == "" {
				w.p.signals.title = collapse(textOf(c))
			}
		case atom.Script:
			if strings.Contains(strings.ToLower(attr(c, "type")), "ld+json") {
				w.p.signals.ldjson = append(w.p.signals.ldjson, textOf(c))
			}
		}
	}
}

func (w *walker) meta(n *html.Node) {
	key := attr(n, "property")
	if key == "" {
		key = attr(n, "name")
	}
	if key == "" {
		key = attr(n, "itemprop")
		if key != "" {
			w.itemprop(n, key)
			return
		}
	}
	if key == "" {
		if h := attr(n, "http-equiv"); strings.EqualFold(h, "content-language") {
			key = "content-language"
		}
	}
	if key == "" {
		return
	}
	v := strings.TrimSpace(attr(n, "content"))
	if v == "" {
		return
	}
	w.p.signals.metas = append(w.p.signals.metas, metaTag{key: strings.ToLower(strings.TrimSpace(key)), value: v})
}

func (w *walker) linkTag(n *html.Node) {
	rel := strings.ToLower(attr(n, "rel"))
	if w.p.signals.canonical == "" && hasWord(rel, "canonical") {
		w.p.signals.canonical = attr(n, "href")
	}
}

func (w *walker) image(n *html.Node) {
	if len(w.p.signals.images) >= 8 {
		return
	}
	src := attr(n, "src")
	if src == "" || strings.HasPrefix(src, "data:") {
		src = attr(n, "data-src")
	}
	if src == "" || strings.HasPrefix(src, "data:") {
		return
	}
	wd := attr(n, "width")
	if wd != "" && len(wd) < 3 { // tiny icons and tracking pixels
		return
	}
	w.p.signals.images = append(w.p.signals.images, src)
}

func (w *walker) timeTag(n *html.Node) {
	if len(w.p.signals.times) >= 64 {
		return
	}
	w.p.signals.times = append(w.p.signals.times, timeTag{
		datetime: attr(n, "datetime"), text: collapse(textOf(n)),
		elem: w.owner, itemprop: attr(n, "itemprop"), pubdate: hasAttr(n, "pubdate"),
	})
}

func (w *walker) itemprop(n *html.Node, prop string) {
	if len(w.p.signals.props) >= 256 {
		return
	}
	switch prop {
	case "author", "creator", "datePublished", "dateModified", "dateCreated", "headline",
		"articleBody", "articleSection", "keywords", "inLanguage", "publisher", "name", "image":
	default:
		return
	}
	var v string
	switch {
	case attr(n, "content") != "":
		v = attr(n, "content")
	case attr(n, "datetime") != "":
		v = attr(n, "datetime")
	case n.DataAtom == atom.Img || n.DataAtom == atom.Link || n.DataAtom == atom.A && prop == "image":
		v = attr(n, "src")
		if v == "" {
			v = attr(n, "href")
		}
	case prop == "author" || prop == "creator":
		// A Person scope: its name is the author, not the whole box text
		// (which may hold a photo credit, a role or a bio).
		v = microdataName(n)
	case prop != "articleBody":
		v = collapse(textOfLimit(n, 300))
	}
	w.p.signals.props = append(w.p.signals.props, propTag{prop: prop, value: v, elem: w.owner, node: n})
}

func (w *walker) anchor(n *html.Node, flags uint8, depth int) {
	href := strings.TrimSpace(attr(n, "href"))
	rel := attr(n, "rel")
	startBuf := len(w.buf)
	startBlocks := len(w.p.blocks)
	linked := href != "" && !strings.HasPrefix(href, "#")
	if linked {
		w.inLink++
	}
	block := flags&flagBoiler != 0 && w.blankLine()
	if block {
		w.flush()
		idx := int32(len(w.p.elems))
		w.p.elems = append(w.p.elems, elem{node: n, parent: w.owner, tag: n.DataAtom, flags: flags & (flagBoiler | flagCaption | flagByline | flagPositive | flagHeader), weight: 0})
		prev := w.owner
		w.owner = idx
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.visit(c, depth+1)
		}
		w.flush()
		w.owner = prev
	} else {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.visit(c, depth+1)
		}
	}
	if linked {
		w.inLink--
	}
	if !linked {
		return
	}
	var text string
	if len(w.p.blocks) == startBlocks && len(w.buf) >= startBuf {
		text = collapseBytes(w.buf[startBuf:])
	} else {
		text = collapse(textOfLimit(n, 300))
	}
	if relAuthor := rel != "" && hasWordFold(rel, "author"); (relAuthor || flags&flagByline != 0 || nameLike(text) && authorPath(href)) && len(w.p.signals.authorLinks) < 32 {
		w.p.signals.authorLinks = append(w.p.signals.authorLinks, authorLink{text: text, owner: w.owner, rel: relAuthor})
	}
	if rel != "" && hasWordFold(rel, "tag") && len(w.p.signals.tagLinks) < 32 {
		w.p.signals.tagLinks = append(w.p.signals.tagLinks, text)
	}
	w.addLink(href, text)
}

func (w *walker) addLink(href, text string) {
	if w.noLinks || len(w.p.links) >= 5000 {
		return
	}
	if i := strings.IndexByte(href, '#'); i >= 0 {
		href = href[:i]
		if href == "" {
			return
		}
	}
	s := href
	if w.base != nil && plainRootPath(href) {
		s = w.base.Scheme + "://" + w.base.Host + href
	} else if !plainAbsURL(href) {
		u, err := url.Parse(href)
		if err != nil {
			// What Go's parser refuses and browsers take (a TAB or newline
			// inside the href, a stray %) goes through the WHATWG parser.
			if w.base == nil {
				return
			}
			if s, err = urlnorm.Resolve(w.base.String(), href); err != nil {
				return
			}
			w.link(s, text)
			return
		}
		if w.base != nil {
			u = w.base.ResolveReference(u)
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return
		}
		u.Fragment = ""
		u.RawFragment = ""
		u.Host = strings.ToLower(u.Host)
		s = u.String()
	}
	w.link(s, text)
}

// link records the absolute URL s once, keeping the first non-empty text.
func (w *walker) link(s, text string) {
	if i, ok := w.linkIdx[s]; ok {
		if w.p.links[i].Text == "" {
			w.p.links[i].Text = text
		}
		return
	}
	w.linkIdx[s] = len(w.p.links)
	w.p.links = append(w.p.links, Link{URL: s, Text: text})
}

// plainAbsURL reports whether href is an absolute http(s) URL with a
// lowercase host, no fragment and nothing that needs escaping, which is
// kept as it is without parsing.
func plainAbsURL(href string) bool {
	var rest string
	switch {
	case strings.HasPrefix(href, "https://"):
		rest = href[8:]
	case strings.HasPrefix(href, "http://"):
		rest = href[7:]
	default:
		return false
	}
	if rest == "" || rest[0] == '/' {
		return false
	}
	inHost := true
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if c <= ' ' || c >= 0x7f || c == '#' || c == '\\' || c == '"' || c == '<' || c == '>' {
			return false
		}
		if c == '/' || c == '?' {
			inHost = false
		}
		if inHost && ('A' <= c && c <= 'Z' || c == '@') {
			return false
		}
	}
	return true
}

// plainRootPath reports whether href is a path from the site root with no
// dot segments or characters that need escaping: "/news/story-1.html".
func plainRootPath(href string) bool {
	if len(href) < 1 || href[0] != '/' || len(href) > 1 && href[1] == '/' {
		return false
	}
	for i := 0; i < len(href); i++ {
		c := href[i]
		if c <= ' ' || c >= 0x7f || c == '\\' || c == '"' || c == '<' || c == '>' || c == '%' {
			return false
		}
		if c == '.' && i > 0 && href[i-1] == '/' {
			return false
		}
	}
	return true
}

// microdataName returns the itemprop=name (or givenName familyName) inside
// an author element, or the element's own text. The selection is scoped to
// the element's subtree, which is small.
func microdataName(n *html.Node) string {
	sel := goquery.NewDocumentFromNode(n).Selection
	if name := sel.Find(`[itemprop="name"]`).First(); name.Length() > 0 {
		if v, ok := name.Attr("content"); ok && strings.TrimSpace(v) != "" {
			return collapse(v)
		}
		return collapse(name.Text())
	}
	given := collapse(sel.Find(`[itemprop="givenName"]`).First().Text())
	family := collapse(sel.Find(`[itemprop="familyName"]`).First().Text())
	if given+family != "" {
		return strings.TrimSpace(given + " " + family)
	}
	return collapse(textOfLimit(n, 300))
}

// authorPath reports whether a link goes to an author's page: a path
// segment that names authors in the vocabulary CMSs use (/author/jane-doe,
// /autoren/, /auteur/, /journalist/, /profile/), followed by the author's
// own segment.
func authorPath(href string) bool {
	if len(href) < 8 {
		return false
	}
	for i := 0; i+1 < len(href); i++ {
		c := href[i]
		if c == '?' || c == '#' {
			return false
		}
		if c != '/' {
			continue
		}
		// Most segments are ruled out by their first letter.
		switch href[i+1] | 0x20 {
		case 'a', 'j', 'w', 'c', 'r', 's', 'p', 'g':
		default:
			continue
		}
		j := i + 1
		for j < len(href) && href[j] != '/' && href[j] != '?' && href[j] != '#' {
			j++
		}
		if j+1 >= len(href) || href[j] != '/' { // no segment after it
			continue
		}
		switch strings.ToLower(href[i+1 : j]) {
		case "author", "authors", "autor", "autoren", "autorin", "auteur", "auteurs", "autore", "autori", "autores",
			"journalist", "journalists", "journalisten", "journaliste", "journalistes", "periodista", "periodistas",
			"giornalista", "redacteur", "redactor", "redactores", "writer", "writers", "columnist", "columnists",
			"reporter", "reporters", "staff", "contributor", "contributors", "profile", "profiles":
			return true
		}
	}
	return false
}

// nameLike reports whether a link's text could be a person's name: a few
// words, capitalised (or in a script without case and spaces), without
// digits. Only such links are looked at as
// links to an author's page.
func nameLike(text string) bool {
	return len(text) >= 4 && len(text) <= 60 && (strings.IndexByte(text, ' ') > 0 && startsUpper(text) || isCJKName(text)) && !containsDigit(text)
}
