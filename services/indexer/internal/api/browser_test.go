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
	srv, _ := server(t, append(fx, puffins, copyOf)...)

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
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("q")),
		until(`document.getElementById("count-articles").textContent === "5"`),
		chromedp.SendKeys(chromedp.ID("q"), "puffins"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#results li.result")),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
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
}
