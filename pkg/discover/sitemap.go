package discover

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// parseXMLSitemap reads urlset and sitemapindex documents (UTF-8, see
// toUTF8) as the sitemaps.org protocol writes them, including the Google
// News extension (news:title, news:publication_date). Element names are
// matched by local name, since sitemaps get their namespaces wrong as
// often as right. It stops with ErrTooDeep at MaxXMLDepth.
func parseXMLSitemap(body []byte) ([]Entry, error) {
	d := newXMLDecoder(body)
	var (
		out     []Entry
		cur     *Entry
		index   bool
		path    []string
		loc     strings.Builder
		locLong bool // the loc is longer than any URL we accept
		lastmod string
		newsPub string
		title   strings.Builder
	)
	for len(out) < MaxEntries {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, fmt.Errorf("sitemap: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if len(path) >= MaxXMLDepth {
				return out, fmt.Errorf("%w: more than %d levels", ErrTooDeep, MaxXMLDepth)
			}
			path = append(path, name)
			switch {
			case len(path) == 1 && name == "sitemapindex":
				index = true
			case len(path) == 2 && (name == "url" || name == "sitemap"):
				cur = &Entry{}
				loc.Reset()
				locLong = false
				title.Reset()
				lastmod, newsPub = "", ""
				if index || name == "sitemap" {
					cur.Kind = KindSitemap
				}
			}
		case xml.CharData:
			if cur == nil || len(path) < 3 {
				continue
			}
			switch path[len(path)-1] {
			case "loc":
				if len(path) == 3 {
					locLong = locLong || loc.Len()+len(t) > maxLineBytes
					if !locLong {
						loc.Write(t)
					}
				}
			case "lastmod":
				if len(path) == 3 && len(lastmod) < 64 {
					lastmod += string(t)
				}
			case "title":
				if path[len(path)-2] == "news" && title.Len() < 4*MaxTitleBytes {
					title.Write(t)
				}
			case "publication_date":
				if len(newsPub) < 64 {
					newsPub += string(t)
				}
			}
		case xml.EndElement:
			if len(path) == 0 {
				continue
			}
			path = path[:len(path)-1]
			if cur != nil && len(path) == 1 && (t.Name.Local == "url" || t.Name.Local == "sitemap") {
				cur.URL = strings.TrimSpace(loc.String())
				cur.Title = title.String()
				if ts := parseDate(newsPub); ts != nil {
					cur.Published = ts
				} else if ts := parseDate(lastmod); ts != nil && cur.Kind == KindPage {
					cur.Published = ts
				}
				if cur.URL != "" && !locLong {
					out = append(out, *cur)
				}
				cur = nil
			}
		}
	}
	return out, nil
}

// parseTextSitemap reads a text sitemap: one URL per line, UTF-8 (see
// toUTF8), blank lines, comments and other text ignored. A line longer
// than maxLineBytes is skipped, and only that line.
func parseTextSitemap(body []byte) ([]Entry, error) {
	var out []Entry
	eachLine(body, func(line []byte) bool {
		s := string(bytes.TrimSpace(line))
		lower := strings.ToLower(s[:min(len(s), 8)])
		if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
			out = append(out, Entry{URL: s})
		}
		return len(out) < MaxEntries
	})
	if len(out) == 0 && len(bytes.TrimSpace(body)) > 0 {
		return nil, fmt.Errorf("%w: no http(s) URL on any line", ErrNotListing)
	}
	return out, nil
}

// parseRobotsSitemaps reads the Sitemap lines of a robots.txt (RFC 9309
// section 2.2.4; the field name is case-insensitive, and "site-map" is
// accepted as the fetcher's robots package accepts it).
func parseRobotsSitemaps(body []byte) []Entry {
	body = bytes.TrimPrefix(body, bomUTF8)
	var out []Entry
	eachLine(body, func(line []byte) bool {
		name, value, ok := bytes.Cut(line, []byte(":"))
		name = bytes.TrimSpace(name)
		if ok && (bytes.EqualFold(name, []byte("sitemap")) || bytes.EqualFold(name, []byte("site-map"))) {
			if v := bytes.TrimSpace(value); len(v) > 0 {
				out = append(out, Entry{URL: string(v), Kind: KindSitemap})
			}
		}
		return len(out) < MaxEntries
	})
	return out
}

// eachLine calls f with each line of b (ending at LF, CR LF or CR) no
// longer than maxLineBytes, until f returns false.
func eachLine(b []byte, f func(line []byte) bool) {
	for len(b) > 0 {
		i := bytes.IndexAny(b, "\r\n")
		line := b
		if i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(line) > maxLineBytes {
			continue
		}
		if !f(line) {
			return
		}
	}
}
