package demosite

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"
)

func (s *Site) robots(base string) *page {
	body := fmt.Sprintf("User-agent: *\nDisallow: /private/\n\nSitemap: %s/sitemap.xml\n", base)
	return newPage(http.StatusOK, "text/plain; charset=utf-8", []byte(body), s.epoch)
}

func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// sitemap lists every article, newest first, with lastmod.
func (s *Site) sitemap(base string) *page {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n")
	for i := len(s.articles) - 1; i >= 0; i-- {
		a := s.articles[i]
		fmt.Fprintf(&b, "<url><loc>%s</loc><lastmod>%s</lastmod></url>\n", xmlText(base+a.path), lastTouched(a).Format(time.RFC3339))
	}
	b.WriteString("</urlset>\n")
	return newPage(http.StatusOK, "application/xml; charset=utf-8", []byte(b.String()), s.newest())
}

// feed is RSS 2.0 of the latest 50 articles.
func (s *Site) feed(base string) *page {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<link>%s/</link>\n<description>Latest news from %s</description>\n<language>en</language>\n", xmlText(s.name), base, xmlText(s.name))
	if len(s.latest) > 0 {
		fmt.Fprintf(&b, "<lastBuildDate>%s</lastBuildDate>\n", s.newest().Format(time.RFC1123Z))
	}
	for i := 0; i < len(s.latest) && i < 50; i++ {
		a := s.latest[i]
		u := xmlText(base + a.path)
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid isPermaLink=\"true\">%s</guid><pubDate>%s</pubDate><description>%s</description><category>%s</category></item>\n",
			xmlText(a.st.title), u, u, a.pub.Format(time.RFC1123Z), xmlText(a.st.dek), xmlText(s.secBy[a.st.section].name))
	}
	b.WriteString("</channel>\n</rss>\n")
	return newPage(http.StatusOK, "application/rss+xml; charset=utf-8", []byte(b.String()), s.newest())
}
