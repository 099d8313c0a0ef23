package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const searchUsage = `Usage: newsflow search [flags] QUERY...

Asks a running indexer's /api/search and prints the results, matches
marked with *stars*. QUERY: words (all must match), "a phrase", prefix*,
-excluded, a OR b. Flags may come before or after the words; put a query
with -excluded words after -- (newsflow search -limit 5 -- election -sports).
`

// runSearch implements `newsflow search [flags] QUERY...`: it asks a
// running indexer's /api/search and prints the results readably, matches
// marked with *stars*.
func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	api := fs.String("api", envOr("NEWSFLOW_API", "http://127.0.0.1:8080"), "base URL of the indexer's HTTP API (env NEWSFLOW_API)")
	limit := fs.Int("limit", 10, "results to show, 1 to 100")
	offset := fs.Int("offset", 0, "results to skip")
	site := fs.String("site", "", "only this site (site name or host)")
	lang := fs.String("lang", "", "only this language (e.g. en)")
	from := fs.String("from", "", "published on or after (2006-01-02 or RFC 3339)")
	to := fs.String("to", "", "published on or before (2006-01-02 or RFC 3339)")
	raw := fs.Bool("json", false, "print the API's JSON as it is")
	var timeout time.Duration
	timeoutFlag(fs, &timeout)
	fs.Usage = usageFunc(fs, searchUsage)
	words, err := parseFlags(fs, args, stdout)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) && strings.Contains(err.Error(), "flag provided but not defined") {
			return fmt.Errorf("%w; to exclude a word, put the query after --: newsflow search [flags] -- election -sports", err)
		}
		return err
	}
	q := strings.TrimSpace(strings.Join(words, " "))
	if q == "" {
		return errors.New("search: no query (see 'newsflow search -h')")
	}
	base, err := url.Parse(strings.TrimRight(*api, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return fmt.Errorf("search: --api %q is not an http(s) URL", *api)
	}
	params := url.Values{"q": {q}, "limit": {fmt.Sprint(*limit)}}
	if *offset > 0 {
		params.Set("offset", fmt.Sprint(*offset))
	}
	for k, v := range map[string]string{"site": *site, "lang": *lang, "from": *from, "to": *to} {
		if v != "" {
			params.Set(k, v)
		}
	}
	u := base.String() + "/api/search?" + params.Encode()

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("search: no answer from the indexer at %s within %v", base, timeout)
		}
		return fmt.Errorf("search: is the indexer running at %s? %w", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("search: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return fmt.Errorf("search: %s (HTTP %d)", e.Error, resp.StatusCode)
		}
		return fmt.Errorf("search: HTTP %d from %s", resp.StatusCode, base)
	}
	if *raw {
		_, err := stdout.Write(body)
		return err
	}
	var res struct {
		Total   int `json:"total"`
		Results []struct {
			URL       string     `json:"url"`
			Title     string     `json:"title"`
			Published *time.Time `json:"published"`
			SiteName  string     `json:"site_name"`
			Snippet   string     `json:"snippet"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return fmt.Errorf("search: answer is not search results: %w", err)
	}
	if res.Total == 0 {
		fmt.Fprintf(stdout, "no results for %q\n", q)
		return nil
	}
	fmt.Fprintf(stdout, "%d results for %q", res.Total, q)
	if len(res.Results) > 0 {
		fmt.Fprintf(stdout, ", showing %d-%d", *offset+1, *offset+len(res.Results))
	}
	fmt.Fprintln(stdout)
	for i, h := range res.Results {
		fmt.Fprintf(stdout, "\n%3d. %s\n", *offset+i+1, h.Title)
		meta := []string{}
		if h.SiteName != "" {
			meta = append(meta, h.SiteName)
		}
		if h.Published != nil {
			meta = append(meta, h.Published.Format("2006-01-02 15:04 -07:00"))
		}
		meta = append(meta, h.URL)
		fmt.Fprintf(stdout, "     %s\n", strings.Join(meta, " · "))
		snip := strings.NewReplacer("<mark>", "*", "</mark>", "*").Replace(h.Snippet)
		snip = strings.Join(strings.Fields(html.UnescapeString(snip)), " ")
		if snip != "" {
			fmt.Fprintf(stdout, "     %s\n", snip)
		}
	}
	return nil
}
