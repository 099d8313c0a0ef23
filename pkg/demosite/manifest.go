package demosite

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"
)

// Manifest is the truth about a site, for tests to check a crawl and an
// extraction against. URLs are absolute, built from the base given to
// Site.Manifest.
type Manifest struct {
	Site        string            `json:"site"`
	Home        string            `json:"home"`         // absolute URL of the home page (the seed to submit)
	Articles    []ManifestArticle `json:"articles"`     // every article page reachable from the home page by links (excluding disallowed ones)
	NonArticles []string          `json:"non_articles"` // absolute URLs of reachable non-article pages (home, sections, section page 2.., tag pages...)
	Disallowed  []string          `json:"disallowed"`   // URLs linked from the site but disallowed by robots.txt (must never be requested by a polite crawler)
	Dead        []string          `json:"dead"`         // linked URLs that answer 404
	Redirects   map[string]string `json:"redirects"`    // linked URL -> where it redirects (301) — the target is an article listed in Articles
	Sitemap     string            `json:"sitemap"`
	Feed        string            `json:"feed"`
}

// ManifestArticle is what a good extractor should output for one article page.
type ManifestArticle struct {
	URL   string `json:"url"`
	Title string `json:"title"` // the bare headline, without the site-name suffix of <title>
	// Authors are the people credited; when the page credits only a news
	// agency, the agency (what an extractor should return when no person
	// is named).
	Authors []string `json:"authors"`
	// Agency is the news agency credited, if any.
	Agency    string     `json:"agency,omitempty"`
	Published time.Time  `json:"published"`          // with the page's own offset
	Modified  *time.Time `json:"modified,omitempty"` // when the page shows an update
	Section   string     `json:"section"`            // section slug: "world", "business", "opinion"...
	Story     string     `json:"story,omitempty"`    // wire story id shared by syndicated copies across sites
	Charset   string     `json:"charset"`            // "utf-8", "windows-1251", "iso-8859-1", "shift_jis"
	Language  string     `json:"language"`           // "en", "de", "fr", "ru", "ja"
	Body      []string   `json:"body"`               // the story's paragraphs, plain text (truth for extraction tests)
	Words     []string   `json:"words"`              // 3 distinctive words from the body, good for search tests
}

// Manifest describes the site as served under base, e.g.
// "http://127.0.0.1:1234" (no trailing slash). Articles are listed oldest
// first; the other lists are sorted.
func (s *Site) Manifest(base string) Manifest {
	m := Manifest{
		Site:      s.name,
		Home:      base + "/",
		Articles:  make([]ManifestArticle, 0, len(s.articles)),
		Redirects: map[string]string{},
		Sitemap:   base + "/sitemap.xml",
		Feed:      base + "/feed.xml",
	}
	for _, a := range s.articles {
		st := a.st
		ma := ManifestArticle{
			URL: base + a.path, Title: st.title, Authors: append([]string{}, st.authors...),
			Published: a.pub, Section: st.section, Story: st.id, Charset: a.charset, Language: st.lang,
			Body: append([]string{}, st.body...), Words: append([]string{}, st.words...),
		}
		ma.Agency = st.agency
		if len(ma.Authors) == 0 && st.agency != "" {
			ma.Authors = []string{st.agency}
		}
		if a.mod != nil {
			m := *a.mod
			ma.Modified = &m
		}
		m.Articles = append(m.Articles, ma)
		if a.edit {
			m.Disallowed = append(m.Disallowed, fmt.Sprintf("%s/private/edit/%d/", base, a.idx))
		}
	}
	m.NonArticles = append(m.NonArticles, base+"/", base+"/about/", base+"/contact/", base+"/privacy/")
	for _, sec := range s.sections {
		for n := 1; n <= sec.pages(); n++ {
			m.NonArticles = append(m.NonArticles, base+sec.pagePath(n))
		}
	}
	for _, t := range s.tagOrder {
		m.NonArticles = append(m.NonArticles, base+"/tag/"+t+"/")
	}
	m.Disallowed = append(m.Disallowed, base+privSubscribe, base+privLogin)
	for _, p := range deadPaths {
		if p == deadRemoved && !s.linksRemoved() {
			continue
		}
		m.Dead = append(m.Dead, base+p)
	}
	for _, rd := range s.redirs {
		m.Redirects[base+rd.from] = base + rd.to.path
	}
	sort.Strings(m.NonArticles)
	sort.Strings(m.Disallowed)
	sort.Strings(m.Dead)
	return m
}

func (s *Site) linksRemoved() bool {
	for _, a := range s.articles {
		if a.deadLink {
			return true
		}
	}
	return false
}

func (s *Site) manifestPage(base string) *page {
	js, err := json.MarshalIndent(s.Manifest(base), "", " ")
	if err != nil {
		panic(fmt.Sprintf("demosite: encode manifest: %v", err)) // only plain data: cannot happen
	}
	return newPage(http.StatusOK, "application/json", append(js, '\n'), s.newest())
}
