package hostilesite

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

// deepSitemapBody is the gzip encoding of a urlset holding DeepXMLLevels
// nested <a> elements (about 48 MiB decoded, 50 KiB encoded): one member
// for the head, then identical members of "<a>" runs.
var deepSitemapBody = sync.OnceValues(func() ([]byte, error) {
	member := func(data []byte) ([]byte, error) {
		var b bytes.Buffer
		w, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		w.Write(data)
		if err := w.Close(); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	head, err := member([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="` + sitemapNS + `">`))
	if err != nil {
		return nil, err
	}
	const perMember = 1 << 20
	run, err := member(bytes.Repeat([]byte("<a>"), perMember))
	if err != nil {
		return nil, err
	}
	return append(head, bytes.Repeat(run, DeepXMLLevels/perMember)...), nil
})

func (s *Site) deepSitemap(w http.ResponseWriter, r *http.Request) {
	body, err := deepSitemapBody()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// sitemapIndex serves /sitemap/index-N.xml: an index listing itself and
// index N+1, so following it never ends.
func (s *Site) sitemapIndex(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "index-"), ".xml"))
	if err != nil || !strings.HasPrefix(name, "index-") || !strings.HasSuffix(name, ".xml") || n < 0 {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="%s">
<sitemap><loc>http://%s/sitemap/index-%d.xml</loc></sitemap>
<sitemap><loc>http://%s/sitemap/index-%d.xml</loc></sitemap>
</sitemapindex>
`, sitemapNS, r.Host, n, r.Host, n+1)
}

// laughs is the DTD of the billion laughs: lol9 expands to 10^9 "lol"s.
func laughs(root string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<!DOCTYPE " + root + " [\n  <!ENTITY lol \"lol\">\n")
	for i := 1; i <= 9; i++ {
		prev := "lol"
		if i > 1 {
			prev = "lol" + strconv.Itoa(i-1)
		}
		fmt.Fprintf(&b, "  <!ENTITY lol%d \"%s\">\n", i, strings.Repeat("&"+prev+";", 10))
	}
	b.WriteString("]>\n")
	return b.String()
}

func (s *Site) laughsSitemap(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintf(w, `%s<urlset xmlns="%s"><url><loc>http://%s/news/2026/11/29/laughs-&lol9;</loc></url></urlset>
`, laughs("urlset"), sitemapNS, r.Host)
}

func (s *Site) laughsFeed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprintf(w, `%s<rss version="2.0"><channel><title>&lol9;</title><link>http://%s/</link><description>&lol9;</description>
<item><title>&lol9;</title><link>http://%s/news/2026/11/29/laughs-in-a-feed</link><description>&lol9;</description></item>
</channel></rss>
`, laughs("rss"), r.Host, r.Host)
}
