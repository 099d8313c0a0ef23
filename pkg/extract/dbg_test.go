package extract

import (
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/demosite"
)

func TestDbg(t *testing.T) {
	pat := os.Getenv("DBG")
	if pat == "" {
		t.Skip()
	}
	for _, s := range append(demosite.NewNetwork(2, demosite.Options{Articles: 240}), demosite.New(demosite.Options{Articles: 240, Seed: 7})) {
		srv := httptest.NewServer(s)
		m := s.Manifest(srv.URL)
		urls := m.NonArticles
		for _, a := range m.Articles {
			urls = append(urls, a.URL)
		}
		for _, u := range urls {
			if !strings.Contains(u, pat) {
				continue
			}
			resp, _ := srv.Client().Get(u)
			b := make([]byte, 0)
			buf := make([]byte, 1<<16)
			for {
				n, err := resp.Body.Read(buf)
				b = append(b, buf[:n]...)
				if err != nil {
					break
				}
			}
			resp.Body.Close()
			re := regexp.MustCompile(`(?s)<div class="byline">.*?</div>`)
			t.Logf("%s\n%s", u, re.Find(b))
			if os.Getenv("DBGALL") != "" {
				t.Logf("%s", b)
			}
		}
		srv.Close()
	}
}
