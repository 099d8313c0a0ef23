package demosite

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

var (
	epochStart = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	epochSpan  = time.Date(2025, 12, 30, 0, 0, 0, 0, time.UTC).Sub(epochStart)
)

// spread places item i of n evenly over 2019-2025 with some jitter, in whole
// minutes, so that generation order is (nearly) publication order.
func spread(i, n int, jitter int) time.Time {
	t := epochStart.Add(time.Duration(float64(epochSpan) * (float64(i) + 0.5) / float64(n)))
	return t.Add(time.Duration(jitter) * time.Minute).Truncate(time.Minute)
}

// NewNetwork builds n sites that share some wire stories: a wire story appears
// with the SAME body text and title on several sites (different boilerplate,
// URLs, site names, and possibly a different byline format), so an indexer
// can group syndicated copies. Copies share Manifest Story ids. About a fifth
// of each site's articles are wire copies; the first site has Options.Seed,
// so NewNetwork(1, opts)[0] is New(opts). n < 1 is treated as 1.
func NewNetwork(n int, opts Options) []*Site {
	if n < 1 {
		n = 1
	}
	opts = opts.withDefaults()
	g := newGenerator()

	perSite := opts.Articles / 5
	pool := perSite
	if n > 1 {
		pool = perSite * n * 2 / (n + 2) // copies per story average (n+2)/2
	}
	r := rng(opts.Seed, "wire", -1)
	wire := make([]*story, pool)
	assigned := make([][]*story, n)
	for k := range wire {
		rk := rng(opts.Seed, "wire", k)
		pack := &sectionPacks[[]int{0, 1, 2, 3, 4, 5}[rk.IntN(6)]]
		st := g.english(rk, pack, false)
		st.id = fmt.Sprintf("wire-%d-%04d", opts.Seed, k)
		st.agency = pick(rk, agencies)
		if rk.IntN(2) == 1 {
			st.authors = randomPeople(rk, 1+rk.IntN(2))
		}
		st.credit = st.agency
		st.published = spread(k, pool, rk.IntN(600)-300)
		wire[k] = st
		copies := 1
		if n > 1 {
			copies = 2 + r.IntN(n-1)
		}
		for _, si := range r.Perm(n)[:copies] {
			if len(assigned[si]) < opts.Articles/2 {
				assigned[si] = append(assigned[si], st)
			}
		}
	}

	base := int(uint64(opts.Seed-1) % uint64(len(siteNames)))
	sites := make([]*Site, n)
	for i := range sites {
		o := opts
		o.Seed = opts.Seed + int64(i)*7919
		switch {
		case opts.Name == "":
			o.Name = siteNames[(base+i)%len(siteNames)]
		case i > 0:
			o.Name = fmt.Sprintf("%s %d", opts.Name, i+1)
		}
		sites[i] = build(o, i, assigned[i], g.clone())
	}
	return sites
}

func randomPeople(r interface{ IntN(int) int }, n int) []string {
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		p := firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

type zone struct {
	name   string
	offset int // minutes east of UTC
}

var enZones = []zone{{"GMT", 0}, {"CET", 60}, {"IST", 330}, {"EST", -300}}

const (
	metaJSONLD  = iota // JSON-LD NewsArticle + OpenGraph
	metaOG             // OpenGraph and meta tags only
	metaVisible        // only visible bylines and dates
)

// article is a story as one site shows it.
type article struct {
	idx           int
	st            *story
	path          string
	pub           time.Time
	mod           *time.Time
	zone          zone
	meta          int
	charset       string
	charsetHeader bool
	dateStyle     int
	bylineStyle   int
	comments      []comment
	bio           string
	readAlso      *article
	related       []*article
	edit          bool // links /private/edit/...
	deadLink      bool // links a removed story
}

type comment struct {
	handle, text string
	hours        int
}

var foreignLegacy = []string{"ru", "fr", "de", "ja"}

// build makes one site from its options and the wire stories it carries.
func build(opts Options, siteIdx int, wire []*story, g *generator) *Site {
	r := rng(opts.Seed, "site", 0)
	s := &Site{
		opts:     opts,
		name:     opts.Name,
		sep:      []string{" | ", " | ", " - "}[r.IntN(3)],
		style:    r.IntN(3),
		byPath:   map[string]*article{},
		secBy:    map[string]*section{},
		tags:     map[string][]*article{},
		staffBio: map[string]string{},
	}
	homeZone := r.IntN(len(enZones))
	staff := randomPeople(r, 10)
	columnists := randomPeople(r, 4)
	for i, c := range columnists {
		s.staffBio[c] = strings.ReplaceAll(opinionBios[i%len(opinionBios)], "{author}", c)
	}

	type entry struct {
		st *story
		at time.Time
	}
	nLocal := opts.Articles - len(wire)
	entries := make([]entry, 0, opts.Articles)
	for j := 0; j < nLocal; j++ {
		rj := rng(opts.Seed, "story", j)
		var st *story
		switch {
		case j%40 == 13 || j%40 == 33:
			code := foreignLegacy[(j/40)%4]
			if j%40 == 33 {
				code = []string{"de", "fr"}[(j/40)%2]
			}
			lp := langPacks[code]
			st = g.foreign(rj, lp, []string{"world", "business", "culture"}[rj.IntN(3)])
			st.legacy = j%40 == 13
			st.authors = []string{pick(rj, lp.authors)}
		case j%9 == 4:
			st = g.english(rj, &opinionPack, true)
			st.authors = []string{pick(rj, columnists)}
		default:
			st = g.english(rj, &sectionPacks[rj.IntN(len(sectionPacks))], false)
			n := 1
			if x := rj.IntN(10); x >= 9 {
				n = 3
			} else if x >= 6 {
				n = 2
			}
			perm := rj.Perm(len(staff))
			for _, p := range perm[:n] {
				st.authors = append(st.authors, staff[p])
			}
		}
		st.published = spread(j, nLocal, rj.IntN(720)-360)
		entries = append(entries, entry{st, st.published})
	}
	for k, st := range wire {
		delay := 0
		if siteIdx > 0 {
			delay = (siteIdx*13+k)%50 + 1
		}
		entries = append(entries, entry{st, st.published.Add(time.Duration(delay) * time.Minute)})
	}
	sort.SliceStable(entries, func(a, b int) bool {
		if !entries[a].at.Equal(entries[b].at) {
			return entries[a].at.Before(entries[b].at)
		}
		return entries[a].st.title < entries[b].st.title
	})

	for _, sp := range sectionPacks {
		s.addSection(sp.slug, sp.name)
	}
	s.addSection(opinionPack.slug, opinionPack.name)

	legacy := 0
	for idx, e := range entries {
		ar := rng(opts.Seed, "article", idx)
		a := &article{idx: idx, st: e.st}
		if lp := langPacks[e.st.lang]; lp != nil {
			a.zone = zone{lp.tzName, lp.offset}
		} else if ar.IntN(10) < 6 {
			a.zone = enZones[homeZone]
		} else {
			a.zone = enZones[ar.IntN(len(enZones))]
		}
		a.pub = e.at.In(time.FixedZone(a.zone.name, a.zone.offset*60))
		if ar.IntN(3) == 0 {
			m := a.pub.Add(time.Duration(60+ar.IntN(30*60)) * time.Minute)
			a.mod = &m
		}
		a.meta = (idx + s.style) % 3
		a.charset = "utf-8"
		if e.st.legacy {
			a.charset = langPacks[e.st.lang].charset
			a.charsetHeader = legacy%2 == 0
			legacy++
		}
		a.dateStyle = ar.IntN(4)
		a.bylineStyle = (s.style + ar.IntN(2)) % 3
		if idx%4 == 1 {
			for c := 2 + ar.IntN(4); c > 0; c-- {
				a.comments = append(a.comments, comment{pick(ar, commentHandles), pick(ar, commentTexts), 1 + ar.IntN(40)})
			}
		}
		switch {
		case e.st.opinion:
			a.bio = s.staffBio[e.st.authors[0]]
		case e.st.lang == "en" && e.st.agency == "" && ar.IntN(3) == 0:
			a.bio = strings.NewReplacer("{author}", e.st.authors[0], "{site}", s.name, "{section}", e.st.section).Replace(pick(ar, staffBios))
		}
		if idx%5 == 2 && idx > 0 {
			a.readAlso = s.articles[idx-1-ar.IntN(min(idx, 30))]
		}
		a.edit = idx%25 == 3
		a.deadLink = idx%20 == 4
		a.path = s.articlePath(a)
		s.byPath[a.path] = a
		s.articles = append(s.articles, a)
	}

	for i := len(s.articles) - 1; i >= 0; i-- {
		a := s.articles[i]
		sec := s.secBy[a.st.section]
		sec.arts = append(sec.arts, a)
		for _, t := range a.st.tags {
			if len(s.tags[t]) == 0 {
				s.tagOrder = append(s.tagOrder, t)
			}
			s.tags[t] = append(s.tags[t], a)
		}
		if len(s.latest) < 60 {
			s.latest = append(s.latest, a)
		}
		if a.st.opinion && len(s.opinions) < 10 {
			s.opinions = append(s.opinions, a)
		}
	}
	sort.Strings(s.tagOrder)
	for _, sec := range s.sections {
		for i, a := range sec.arts {
			for _, d := range []int{-2, -1, 1, 2} {
				if j := i + d; j >= 0 && j < len(sec.arts) {
					a.related = append(a.related, sec.arts[j])
				}
			}
		}
	}
	n := len(s.articles)
	for k := 0; k < 5 && n >= 6; k++ {
		a := s.articles[(k+1)*n/6]
		s.redirs = append(s.redirs, redirect{from: fmt.Sprintf("/old/%d.html", 1000+a.idx*7), to: a})
	}
	if n > 0 {
		s.epoch = s.articles[0].pub
	} else {
		s.epoch = epochStart
	}
	return s
}

func (s *Site) addSection(slug, name string) {
	c := &section{slug: slug, name: name}
	s.sections = append(s.sections, c)
	s.secBy[slug] = c
}

// articlePath gives most articles a dated path and some a numeric one.
func (s *Site) articlePath(a *article) string {
	slug := slugify(a.st.title)
	id := 100000 + a.idx*7 + s.style
	var p string
	switch (a.idx + s.style) % 8 {
	case 5:
		p = fmt.Sprintf("/%s/%s-%d.html", a.st.section, slug, id)
	case 7:
		p = fmt.Sprintf("/story/%d/%s", id, slug)
	default:
		p = fmt.Sprintf("/%s/%s/%s", a.st.section, a.pub.Format("2006/01/02"), slug)
	}
	for n := 2; s.byPath[p] != nil; n++ {
		p = fmt.Sprintf("%s-%d", strings.TrimSuffix(p, ".html"), n)
	}
	return p
}

var translit = strings.NewReplacer(
	"ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "ae", "Ö", "oe", "Ü", "ue",
	"é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ç", "c", "î", "i", "ï", "i",
	"ô", "o", "û", "u", "ù", "u", "É", "e", "À", "a",
)

// slugify keeps up to eight ASCII words of a title; titles in other scripts
// give "story".
func slugify(title string) string {
	t := strings.ToLower(translit.Replace(title))
	var words []string
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 && len(words) < 8 {
			words = append(words, w.String())
		}
		w.Reset()
	}
	for _, c := range t {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			w.WriteRune(c)
		} else if c != '\'' {
			flush()
		}
	}
	flush()
	if len(words) == 0 {
		return "story"
	}
	return strings.Join(words, "-")
}
