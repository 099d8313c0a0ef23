package store

import (
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
)

func TestPagesQuery(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		home := articletest.Page("daily.example", "/", schema.PageHome)
		politics := articletest.Page("daily.example", "/politics", schema.PageSection)
		politics.FetchedAt = politics.FetchedAt.Add(time.Hour)
		wire := articletest.Page("wire.example", "/", schema.PageHome)
		mustIngest(t, s, home, politics, wire, articletest.Article("daily.example", 1))
		list := func(q PageQuery) PageList {
			t.Helper()
			if q.Limit == 0 {
				q.Limit = 10
			}
			l, err := s.Pages(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		all := list(PageQuery{})
		if all.Total != 3 || len(all.Pages) != 3 || all.Pages[0].CanonicalURL != politics.CanonicalURL {
			t.Errorf("all = %+v, want 3 pages, the newest fetch (politics) first", all)
		}
		if len(all.ByType) != 2 || all.ByType[0] != (Count{Key: schema.PageHome, Count: 2}) {
			t.Errorf("by type = %+v", all.ByType)
		}
		if l := list(PageQuery{Type: schema.PageHome, Limit: 1, Offset: 1}); l.Total != 2 || len(l.Pages) != 1 || l.Pages[0].PageType != schema.PageHome {
			t.Errorf("homes, second page = %+v", l)
		}
		if l := list(PageQuery{Site: "DAILY news"}); l.Total != 2 {
			t.Errorf("site filter = %+v, want 2 pages of %q", l, home.SiteName)
		}
		if l := list(PageQuery{URL: wire.URL}); l.Total != 1 || l.Pages[0].Site == "" || l.Pages[0].FetchedAt.IsZero() {
			t.Errorf("by URL = %+v", l)
		}
		if l := list(PageQuery{URL: "https://nowhere.example/"}); l.Total != 0 || l.Pages == nil {
			t.Errorf("unknown URL = %+v, want none (an empty list)", l)
		}
	})
}
