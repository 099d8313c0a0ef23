package extract

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/demosite"
	"github.com/newsflow/newsflow/pkg/schema"
)

// TestDemoSite extracts every page of generated demo sites and checks the
// result against each site's manifest: the truth the end-to-end test uses.
func TestDemoSite(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls generated sites")
	}
	tests := []struct {
		name  string
		sites []*demosite.Site
	}{
		{name: "network", sites: demosite.NewNetwork(2, demosite.Options{Articles: 240})},
		{name: "single", sites: []*demosite.Site{demosite.New(demosite.Options{Articles: 2000, Seed: 7})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counts := map[string]int{}
			for _, s := range tt.sites {
				checkDemoSite(t, s, counts)
			}
			t.Logf("mismatches: title %d, published %d, modified %d, authors %d, page_type %d",
				counts["title"], counts["published"], counts["modified"], counts["authors"], counts["page_type"])
		})
	}
}

// checkDemoSite serves s, extracts every manifest page and records each
// field that disagrees with the manifest in counts.
func checkDemoSite(t *testing.T, s *demosite.Site, counts map[string]int) {
	t.Helper()
	srv := httptest.NewServer(s)
	defer srv.Close()
	m := s.Manifest(srv.URL)
	miss := func(field, u, format string, args ...any) {
		t.Helper()
		counts[field]++
		if counts[field] <= 5 || testing.Verbose() {
			t.Errorf("%s %s: %s", field, u, fmt.Sprintf(format, args...))
		}
	}
	for _, want := range m.Articles {
		a := fetchExtract(t, srv.Client(), want.URL)
		if a.Title != want.Title {
			miss("title", want.URL, "got %q, want %q", a.Title, want.Title)
		}
		if !sameTime(a.Published, &want.Published) {
			miss("published", want.URL, "got %s (%s), want %s", fmtTime(a.Published), a.Provenance["published"], fmtTime(&want.Published))
		}
		if want.Modified != nil && !sameTime(a.Modified, want.Modified) {
			miss("modified", want.URL, "got %s (%s), want %s", fmtTime(a.Modified), a.Provenance["modified"], fmtTime(want.Modified))
		}
		if !sameSet(a.Authors, want.Authors) {
			miss("authors", want.URL, "got %q, want %q", a.Authors, want.Authors)
		}
		if a.PageType != schema.PageArticle {
			miss("page_type", want.URL, "got %q, want article", a.PageType)
		}
	}
	for _, u := range m.NonArticles {
		if a := fetchExtract(t, srv.Client(), u); a.PageType == schema.PageArticle {
			miss("page_type", u, "got article for a non-article page")
		}
	}
}

func fetchExtract(t *testing.T, c *http.Client, u string) *Article {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("get %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("get %s: status %d, %v", u, resp.StatusCode, err)
	}
	a, err := Extract(Input{URL: resp.Request.URL.String(), ContentType: resp.Header.Get("Content-Type"), Body: body, Now: testNow})
	if err != nil {
		t.Fatalf("extract %s: %v", u, err)
	}
	return a
}

// sameTime demands the same instant and the same offset.
func sameTime(got, want *time.Time) bool {
	if got == nil || want == nil {
		return got == want
	}
	_, go1 := got.Zone()
	_, wo := want.Zone()
	return got.Equal(*want) && go1 == wo
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "<nil>"
	}
	return t.Format(time.RFC3339)
}

func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return strings.Join(g, "\x00") == strings.Join(w, "\x00")
}
