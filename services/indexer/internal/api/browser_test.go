package api_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
)

// chromium returns the path of the headless browser the page test drives.
// CHROMIUM overrides it. A missing browser fails the test: the operator
// page is part of the product.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: install it (Debian: apt-get update && apt-get install -y chromium) or set CHROMIUM to a Chrome binary")
	return ""
}

func TestOperatorPageInBrowser(t *testing.T) {
	bin := chromium(t)
	fx := fixtures()
	puffins := articletest.ArticleWithBody("courier.example", 4, "The lighthouse keeper counted forty seven puffins on the northern cliffs.\n\nVolunteers will count again in June.")
	puffins.Title, puffins.Authors = "Puffins return to the cliffs", []string{"Ada Lovelace", "Jonas Berg"}
	copyOf := puffins
	copyOf.URL, copyOf.CanonicalURL, copyOf.SiteName = "https://wire.example/puffins", "https://wire.example/puffins", "Wire Service"
	puffins.TraceID = "trace-puffins"
	listing := articletest.Page("daily.example", "/archive", schema.PageListing)
	f := crawlServer(t, append(fx, puffins, copyOf, listing)...)
	deadID := f.crawlState(t, puffins.URL)
	srv := f.srv

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	// until waits for a JavaScript condition. It evaluates through the
	// DevTools protocol rather than chromedp.Poll, whose in-page function
	// the page's Content-Security-Policy (rightly) refuses to eval.
	until := func(js string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			deadline := time.Now().Add(10 * time.Second)
			for {
				ok, err := chromedp.Evaluate[bool](js)(ctx, tg)
				if err != nil || ok {
					return chromedp.Void{}, err
				}
				if time.Now().After(deadline) {
					return chromedp.Void{}, fmt.Errorf("timed out waiting for %s", js)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
	js := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
		return v
	}

	// The address holds the search: ?q= on load fills the box and runs it.
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/?q=puffins"),
		chromedp.WaitVisible(chromedp.CSS("#results li.result")),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if q, results := js(`document.getElementById("q").value`), text("#results"); q != "puffins" || !strings.Contains(results, "Puffins return to the cliffs") {
		t.Errorf("loading /?q=puffins: box %q, results %q", q, results)
	}
	// Facets from /api/stats; a site facet filters the search.
	err = chromedp.Do(ctx,
		until(`document.querySelector('#facet-site button[data-value="Wire Service"]') !== null`),
		chromedp.Click(chromedp.CSS(`#facet-site button[data-value="Wire Service"]`)),
		until(`location.search.includes("site=Wire") && document.getElementById("status").textContent.startsWith("1–1 of 1")`),
	)
	if err != nil {
		t.Fatalf("browser: site facet: %v (status %q)", err, text("#status"))
	}
	if langs, days := text("#facet-lang"), text("#facet-day"); !strings.Contains(langs, "en") || !strings.Contains(days, "2026-") {
		t.Errorf("facets: languages %q, days %q", langs, days)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("q")),
		until(`document.getElementById("count-articles").textContent === "5"`),
		chromedp.SendKeys(chromedp.ID("q"), "puffins"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#results li.result")),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if addr := js(`location.search`); addr != "?q=puffins" {
		t.Errorf("address after a search = %q, want ?q=puffins", addr)
	}
	if got := text("#count-articles"); got != "5" {
		t.Errorf("article counter = %q, want 5", got)
	}
	if results := text("#results"); !strings.Contains(results, "Puffins return to the cliffs") || strings.Contains(results, "Harbour bridge") {
		t.Errorf("results = %q, want the puffins article only", results)
	}
	snippet, err := chromedp.Run(ctx, chromedp.InnerHTML(chromedp.CSS("#results li.result .snippet")))
	if err != nil || !strings.Contains(snippet, "<mark>puffins</mark>") {
		t.Errorf("snippet HTML = %q (%v), want the match highlighted", snippet, err)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#results li.result a.title")),
		chromedp.WaitVisible(chromedp.ID("article")),
		until(`document.getElementById("a-title").textContent.length > 0`),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	title, authors, body, copies := text("#a-title"), text("#a-authors"), text("#a-body"), text("#a-copies")
	if title != "Puffins return to the cliffs" || !strings.Contains(authors, "Ada Lovelace") ||
		!strings.Contains(body, "Volunteers will count again") {
		t.Errorf("article view: title %q, authors %q, body %q", title, authors, body)
	}
	if !strings.Contains(copies, "Puffins return") || !(strings.Contains(copies, "Wire Service") || strings.Contains(copies, "Courier News")) {
		t.Errorf("story copies = %q, want the other site's copy", copies)
	}
	if prov := text("#a-provenance"); !strings.Contains(prov, "json-ld") {
		t.Errorf("provenance = %q", prov)
	}

	// A bad query shows the API's error, not a blank page.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("back")),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SetValue(chromedp.ID("q"), `"unterminated`),
		chromedp.Click(chromedp.CSS(`#search button[type="submit"]`)),
		until(`document.getElementById("status").className === "error"`),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if status := text("#status"); !strings.Contains(status, "unterminated quote") {
		t.Errorf("status after a bad query = %q", status)
	}

	// The crawl view: lag, outcomes, failing hosts; the submit form.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#tabs a[data-view="crawl"]`)),
		until(`document.querySelector("#lag tbody").textContent.includes("fetcher")`),
		until(`document.querySelector("#hosts tbody").textContent.includes("broken.example")`),
	)
	if err != nil {
		t.Fatalf("browser: crawl view: %v", err)
	}
	if lag := text("#lag tbody"); !strings.Contains(lag, "CRAWL") || !strings.Contains(lag, "no consumer") {
		t.Errorf("lag table = %q, want the fetcher on CRAWL and the stages never started", lag)
	}
	if outcomes := text("#outcomes tbody"); !strings.Contains(outcomes, "fetched") || !strings.Contains(outcomes, "http_error") {
		t.Errorf("outcomes table = %q", outcomes)
	}
	if hosts := text("#hosts tbody"); !strings.Contains(hosts, "no response within 10s") {
		t.Errorf("failing hosts = %q, want broken.example's last error", hosts)
	}
	if bars := js(`String(document.querySelectorAll("#histogram li").length)`); bars != "12" {
		t.Errorf("histogram has %s bars, want 12", bars)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("submit-url"), "https://courier.example/news/submitted"+kb.Enter),
		until(`document.getElementById("submit-result").className === "ok"`),
	)
	if err != nil {
		t.Fatalf("browser: submit: %v (%q)", err, text("#submit-result"))
	}
	crawl, err := f.js.Stream(t.Context(), schema.StreamCrawl)
	if err != nil {
		t.Fatal(err)
	}
	last, err := crawl.GetLastMsgForSubject(t.Context(), schema.SubjectCrawlURLs)
	if err != nil || !strings.Contains(string(last.Data), "news/submitted") ||
		!strings.Contains(text("#submit-result"), last.Header.Get(schema.HeaderTraceID)) {
		t.Errorf("submitted: crawl.urls holds %v (%v); page says %q", last, err, text("#submit-result"))
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("submit-url"), "ftp://courier.example/file"+kb.Enter),
		until(`document.getElementById("submit-result").className === "error"`),
	)
	if err != nil || !strings.Contains(text("#submit-result"), "scheme") {
		t.Errorf("submitting an ftp URL: %v, page says %q", err, text("#submit-result"))
	}

	// The trace of the puffins article, across the three stages.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#tabs a[data-view="trace"]`)),
		chromedp.WaitVisible(chromedp.ID("trace-q")),
		chromedp.SendKeys(chromedp.ID("trace-q"), puffins.URL+kb.Enter),
		until(`document.querySelectorAll("#trace-steps li.step.ok").length === 3`),
	)
	if err != nil {
		t.Fatalf("browser: trace: %v (status %q)", err, text("#status"))
	}
	steps := text("#trace-steps")
	for _, want := range []string{"fetcher", "fetched", "parser", "article", "indexer", "Puffins return to the cliffs"} {
		if !strings.Contains(steps, want) {
			t.Errorf("trace steps = %q, want %q", steps, want)
		}
	}
	if addr := js(`location.search`); !strings.Contains(addr, "view=trace") || !strings.Contains(addr, "url=") {
		t.Errorf("address of a trace = %q", addr)
	}

	// Dead letters: the retry button sends it back.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#tabs a[data-view="deadletters"]`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#dead tr[data-id="%d"] button.retry`, deadID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#dead tr[data-id="%d"] button.retry`, deadID))),
		until(fmt.Sprintf(`document.querySelector('#dead tr[data-id="%d"]').textContent.includes("retried")`, deadID)),
	)
	if err != nil {
		t.Fatalf("browser: retry: %v (status %q)", err, text("#status"))
	}
	if code, m, _ := get(t, srv.URL+"/api/deadletters"); code != 200 || len(m["dead_letters"].([]any)) != 0 {
		t.Errorf("dead letters after the retry button = %d %v, want none", code, m)
	}

	// Sources and the other pages.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#tabs a[data-view="sources"]`)),
		until(`document.querySelector("#sources tbody").textContent.includes("courier.example/feed.xml")`),
		chromedp.Click(chromedp.CSS(`#tabs a[data-view="pages"]`)),
		until(`document.querySelector("#pages tbody").textContent.includes("listing")`),
	)
	if err != nil {
		t.Fatalf("browser: sources and pages: %v", err)
	}
	if types := text("#page-types"); !strings.Contains(types, "listing (1)") {
		t.Errorf("page types = %q", types)
	}
}
