// Package articletest builds realistic synthetic schema.Article values for
// the indexer's tests and benchmarks: news-like bodies made of sentences
// from a fixed vocabulary, deterministic for a given seed, and syndicated
// copies of one story as two sites would publish it.
package articletest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

var (
	subjects = []string{"The finance minister", "Local officials", "The central bank", "Researchers at the university",
		"The city council", "Union leaders", "The health agency", "Farmers in the north", "The coastal authority",
		"A spokesperson for the ministry", "Residents of the old town", "The port operator", "Engineers on the project",
		"The opposition party", "Teachers across the region", "The national weather service", "Investors",
		"The transport regulator", "Hospital managers", "The energy company"}
	verbs = []string{"announced", "criticised", "approved", "delayed", "welcomed", "questioned", "reviewed",
		"proposed", "rejected", "defended", "expanded", "postponed", "funded", "investigated", "confirmed"}
	objects = []string{"a new budget for public transport", "the plan to rebuild the harbour bridge",
		"emergency funding for flooded villages", "a reform of the pension system", "the contract for the rail tunnel",
		"stricter rules on river pollution", "a study of drought resistant wheat", "the closure of two coal plants",
		"higher salaries for nurses", "the expansion of the wind farm", "a tax cut for small businesses",
		"new housing on the former airfield", "the merger of the regional hospitals", "a ban on single use plastics",
		"the digital identity programme", "repairs to the cathedral roof", "the schedule for the summer ferries"}
	tails = []string{"on Tuesday", "after months of debate", "despite strong protests", "in a surprise move",
		"according to documents seen by reporters", "ahead of the autumn elections", "at a crowded press conference",
		"following a parliamentary inquiry", "for the third time this year", "with little public notice"}
	quotes = []string{"We cannot wait any longer", "This is a fair compromise", "The numbers simply do not add up",
		"People deserve clear answers", "It will take years to finish", "We listened to every concern"}
	places = []string{"Aberdeen", "Bilbao", "Cork", "Dresden", "Esbjerg", "Faro", "Graz", "Haarlem", "Izmir", "Jena",
		"Kaunas", "Lille", "Malmo", "Nantes", "Oulu", "Porto", "Quimper", "Riga", "Split", "Turku", "Utrecht",
		"Valencia", "Wroclaw", "Zadar", "Bergen", "Ghent", "Tartu", "Bari", "Brno", "Linz"}
	adjectives = []string{"controversial", "long awaited", "costly", "modest", "ambitious", "temporary", "revised",
		"cross border", "unpopular", "experimental", "scaled back", "record"}
	months = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September",
		"October", "November", "December"}
	speakers = []string{"Maria Keller", "Jonas Berg", "Amira Haddad", "Tomasz Nowak", "Elena Rossi", "David Okafor",
		"Sofia Lindqvist", "Hugo Martin", "Priya Raman", "Lucas Ferreira"}
)

// Body returns a news-like body of about words words, deterministic for seed.
func Body(seed uint64, words int) string {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var b strings.Builder
	n := 0
	for n < words {
		var s string
		switch r.IntN(5) {
		case 0:
			s = fmt.Sprintf("%q, said %s in %s, who has followed the issue since %s %d.", pick(r, quotes), pick(r, speakers), pick(r, places), pick(r, months), 1990+r.IntN(35))
		case 1:
			s = fmt.Sprintf("In %s, %s %s the %s plan %s, with %d votes to %d.", pick(r, places), strings.ToLower(pick(r, subjects)), pick(r, verbs), pick(r, adjectives), pick(r, tails), 10+r.IntN(90), r.IntN(60))
		case 2:
			s = fmt.Sprintf("The cost rose to %d.%d million euros by %s, and officials in %s expect %d more delays.", 1+r.IntN(900), r.IntN(10), pick(r, months), pick(r, places), 2+r.IntN(9))
		default:
			s = fmt.Sprintf("%s %s %s %s %s, and %d people in %s were affected.", pick(r, subjects), pick(r, verbs), pick(r, adjectives), pick(r, objects), pick(r, tails), 10+r.IntN(5000), pick(r, places))
		}
		if b.Len() > 0 {
			if r.IntN(4) == 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(s)
		n += len(strings.Fields(s))
	}
	return b.String()
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// Hash returns the content hash the parser would send for body: hex
// SHA-256 of the whitespace-normalised text, truncated to 16 bytes.
func Hash(body string) string {
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(body), " ")))
	return hex.EncodeToString(sum[:16])
}

// Base is the fetch time of Article(…, 0): 2026-03-02 09:00 UTC.
var Base = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Article returns a valid article number i of site (a host such as
// "daily.example"), with a body of about 250 words.
func Article(site string, i int) schema.Article {
	return ArticleWithBody(site, i, Body(uint64(i)*7919+uint64(len(site))*104729+hashSite(site), 250))
}

func hashSite(site string) uint64 {
	var h uint64 = 1469598103934665603
	for i := range len(site) {
		h = (h ^ uint64(site[i])) * 1099511628211
	}
	return h
}

// ArticleWithBody returns article number i of site with the given body.
func ArticleWithBody(site string, i int, body string) schema.Article {
	u := fmt.Sprintf("https://%s/news/2026/03/story-%d", site, i)
	pub := Base.Add(-time.Duration(i%48) * time.Hour).In(time.FixedZone("CET", 3600))
	mod := pub.Add(30 * time.Minute)
	words := strings.Fields(body)
	title := strings.Join(words[:min(8, len(words))], " ")
	return schema.Article{
		V:                schema.Version,
		URL:              u + "?utm_source=feed",
		CanonicalURL:     u,
		FinalURL:         u,
		SiteName:         siteName(site),
		Title:            strings.TrimRight(title, ".,\""),
		Authors:          []string{speakers[i%len(speakers)]},
		Published:        &pub,
		Modified:         &mod,
		Language:         "en",
		Description:      strings.Join(words[:min(20, len(words))], " "),
		Image:            u + "/lead.jpg",
		Section:          "Politics",
		Tags:             []string{"politics", "region"},
		Body:             body,
		PageType:         schema.PageArticle,
		WordCount:        len(words),
		ContentHash:      Hash(body),
		FetchedAt:        Base.Add(time.Duration(i) * time.Second),
		ExtractorVersion: "1",
		TraceID:          fmt.Sprintf("%024x", i+1),
		Provenance:       map[string]string{"title": "json-ld", "published": "json-ld", "authors": "meta"},
	}
}

func siteName(host string) string {
	name, _, _ := strings.Cut(host, ".")
	if name == "" {
		return host
	}
	return strings.ToUpper(name[:1]) + name[1:] + " News"
}

// ChangeWord returns body with its n-th word (counting from 0) replaced by
// repl, as an editor on a second site would.
func ChangeWord(body string, n int, repl string) string {
	fields := strings.Fields(body)
	if n < 0 || n >= len(fields) {
		return body
	}
	fields[n] = repl
	return strings.Join(fields, " ")
}

// Page returns a non-article page (a home or section page) of site.
func Page(site, path, pageType string) schema.Article {
	u := fmt.Sprintf("https://%s%s", site, path)
	body := "Top stories Politics Business Sport Culture Weather"
	return schema.Article{
		V: schema.Version, URL: u, CanonicalURL: u, FinalURL: u, SiteName: siteName(site),
		Title: siteName(site) + " - front page", Body: body, PageType: pageType, WordCount: 7,
		ContentHash: Hash(body), FetchedAt: Base, ExtractorVersion: "1",
	}
}
