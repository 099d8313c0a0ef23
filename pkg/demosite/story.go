package demosite

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// story is the content of an article, independent of the site that shows it:
// syndicated copies of a wire story share one story value.
type story struct {
	id        string // wire story id, "" for a site's own story
	lang      string // "en", "de", "fr", "ru", "ja"
	legacy    bool   // served in the language's legacy charset
	section   string // section slug
	opinion   bool
	title     string
	dek       string
	body      []string
	authors   []string // people; empty when only an agency is credited
	agency    string   // "Reuters", "AP", "AFP" or ""
	words     []string // distinctive words that occur in body
	tags      []string
	caption   string
	credit    string
	published time.Time // UTC instant, whole minutes
}

// rng returns a generator for one named stream under a seed, so each part of
// a site can be generated independently (and lazily) and still be stable.
func rng(seed int64, stream string, i int) *rand.Rand {
	h := uint64(14695981039346656037)
	for _, c := range []byte(stream) {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return rand.New(rand.NewPCG(uint64(seed)^h, uint64(i)*0x9E3779B97F4A7C15+h))
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// generator holds what must stay unique while stories are made: titles and
// invented words.
type generator struct {
	used map[string]bool
}

func newGenerator() *generator { return &generator{used: map[string]bool{}} }

func (g *generator) clone() *generator {
	c := newGenerator()
	for k := range g.used {
		c.used[k] = true
	}
	return c
}

// coin invents a proper noun from syllables that no other story uses.
func (g *generator) coin(r *rand.Rand, s coinSyllables, ends []string) string {
	for try := 0; ; try++ {
		w := pick(r, s.start)
		w += pick(r, s.mid)
		if try > 20 {
			w += pick(r, s.mid)
		}
		if try > 40 {
			w += pick(r, latinSyllables.mid)
		}
		w += pick(r, ends)
		k := "w:" + strings.ToLower(w)
		if !g.used[k] && !templateVocab()[strings.ToLower(w)] {
			g.used[k] = true
			return w
		}
	}
}

// slots fills {name} placeholders; a second pass resolves slots inside
// slot values such as a role naming the project.
type slots map[string]string

func (s slots) fill(t string) string {
	for pass := 0; pass < 2 && strings.Contains(t, "{"); pass++ {
		var b strings.Builder
		for {
			i := strings.IndexByte(t, '{')
			if i < 0 {
				break
			}
			j := strings.IndexByte(t[i:], '}')
			if j < 0 {
				break
			}
			b.WriteString(t[:i])
			if v, ok := s[t[i+1:i+j]]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(t[i : i+j+1])
			}
			t = t[i+j+1:]
		}
		b.WriteString(t)
		t = b.String()
	}
	return t
}

func capFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// templateVocab is every word of the fixed English text, so that no
// invented word is a word that other stories use too.
var templateVocab = sync.OnceValue(func() map[string]bool {
	v := map[string]bool{}
	add := func(xs ...string) {
		for _, x := range xs {
			for _, w := range strings.FieldsFunc(strings.ToLower(x), func(r rune) bool { return !unicode.IsLetter(r) }) {
				v[w] = true
			}
		}
	}
	add(firstNames...)
	add(lastNames...)
	add(cities...)
	add(leadTemplates...)
	add(bodyTemplates...)
	add(outlookTemplates...)
	add(opinionTemplates...)
	add(dekTemplates...)
	add(captionTemplates...)
	add(commentTexts...)
	add(expertRoles...)
	add(siteNames...)
	for _, p := range append([]sectionPack{opinionPack}, sectionPacks...) {
		add(p.orgs...)
		add(p.roles...)
		add(p.headlines...)
		add(p.details...)
		for _, s := range p.subjects {
			add(s.np, s.tag)
		}
	}
	for _, w := range []string{"saloon", "salon", "torment", "mention", "melon", "lemon", "canton", "person", "mason", "moron", "bacon", "baron", "salary", "ton", "halo"} {
		v[w] = true
	}
	return v
})

// introduce names the person in full, with their role, the first time the
// text mentions them: templates may only use the surname.
func introduce(paras [][]string, s slots) {
	for _, p := range paras {
		for i, x := range p {
			if strings.Contains(x, s["person"]) {
				return
			}
			if strings.Contains(x, s["surname"]) {
				full := s["person"]
				if s["lang"] == "" {
					full += ", " + s["role"] + ","
				}
				p[i] = strings.Replace(x, s["surname"], full, 1)
				return
			}
		}
	}
}

var expertRoles = []string{
	"an economist at the University of {city}",
	"a policy analyst at the {city} Institute",
	"a former official now at a {city} think tank",
	"a researcher at {city} University",
}

// baseSlots draws the shared cast of a story: place, person, project.
func (g *generator) baseSlots(r *rand.Rand, syl coinSyllables, projSyl coinSyllables, first []string) slots {
	place := g.coin(r, syl, syl.place)
	surname := g.coin(r, syl, syl.surname)
	project := g.coin(r, projSyl, projSyl.project)
	person := surname
	if f := pick(r, first); f != "" {
		person = f + " " + surname
	}
	city := pick(r, cities)
	return slots{
		"place": place, "surname": surname, "person": person, "project": project,
		"city":   city,
		"expert": pick(r, firstNames) + " " + pick(r, lastNames) + ", " + strings.ReplaceAll(pick(r, expertRoles), "{city}", city),
		"day":    pick(r, weekdays),
		"num":    fmt.Sprint(3 + r.IntN(38)),
		"num2":   fmt.Sprint(12 + r.IntN(78)),
		"pct":    fmt.Sprint(8 + r.IntN(64)),
		"money":  pickMoney(r),
		"year":   fmt.Sprint(2009 + r.IntN(10)),
		"month":  pick(r, months),
	}
}

func pickMoney(r *rand.Rand) string {
	switch r.IntN(3) {
	case 0:
		return fmt.Sprintf("%d million dollars", 20+r.IntN(900))
	case 1:
		return fmt.Sprintf("%d.%d billion euros", 1+r.IntN(9), r.IntN(10))
	default:
		return fmt.Sprintf("%d million pounds", 5+r.IntN(400))
	}
}

// titled picks a headline no other story on the network has.
func (g *generator) titled(r *rand.Rand, s slots, templates []string) string {
	for try := 0; try < 12; try++ {
		t := capFirst(s.fill(pick(r, templates)))
		if !g.used["t:"+t] {
			g.used["t:"+t] = true
			return t
		}
	}
	for n := 2; ; n++ {
		t := fmt.Sprintf("%s (%s, part %d)", capFirst(s.fill(templates[0])), s["place"], n)
		if !g.used["t:"+t] {
			g.used["t:"+t] = true
			return t
		}
	}
}

// compose builds paragraphs: a lead, then 1-3 sentences per paragraph drawn
// without repetition from pool, then an optional closing sentence. It makes
// sure every distinctive word occurs in the text.
func compose(r *rand.Rand, s slots, lead string, pool, closing []string, words []string, sep string) []string {
	nPara := 4 + r.IntN(9)
	order := r.Perm(len(pool))
	next := 0
	paras := make([][]string, 0, nPara)
	paras = append(paras, []string{capFirst(s.fill(lead))})
	for p := 1; p < nPara && next < len(order); p++ {
		k := 1 + r.IntN(3)
		var sents []string
		for ; k > 0 && next < len(order); k-- {
			sents = append(sents, capFirst(s.fill(pool[order[next]])))
			next++
		}
		paras = append(paras, sents)
	}
	for len(paras) < 4 && next < len(order) {
		paras = append(paras, []string{capFirst(s.fill(pool[order[next]]))})
		next++
	}
	if len(closing) > 0 {
		last := len(paras) - 1
		paras[last] = append(paras[last], capFirst(s.fill(pick(r, closing))))
	}
	text := func() string {
		var b strings.Builder
		for _, p := range paras {
			for _, x := range p {
				b.WriteString(x)
			}
		}
		return b.String()
	}
	for _, w := range words {
		if strings.Contains(text(), s[w]) {
			continue
		}
		for _, i := range order[next:] {
			if strings.Contains(pool[i], "{"+w+"}") || (w == "surname" && strings.Contains(pool[i], "{person}")) {
				at := 1 + r.IntN(len(paras)-1)
				paras[at] = append(paras[at], capFirst(s.fill(pool[i])))
				break
			}
		}
	}
	if s["person"] != s["surname"] {
		introduce(paras, s)
	}
	out := make([]string, len(paras))
	for i, p := range paras {
		out[i] = strings.Join(p, sep)
	}
	return out
}

// english makes an English story for a section pack.
func (g *generator) english(r *rand.Rand, pack *sectionPack, opinion bool) *story {
	s := g.baseSlots(r, latinSyllables, latinSyllables, firstNames)
	base := pack
	if opinion {
		base = &sectionPacks[r.IntN(len(sectionPacks))]
	}
	sub := pick(r, base.subjects)
	s["subject"], s["short"] = sub.np, sub.short
	s["role"] = s.fill(pick(r, base.roles))
	oi := r.Perm(len(base.orgs))
	s["org"], s["org2"] = base.orgs[oi[0]], base.orgs[oi[1]]
	st := &story{lang: "en", section: pack.slug, opinion: opinion}
	words := []string{"place", "surname", "project"}
	if opinion {
		st.title = g.titled(r, s, opinionPack.headlines)
		st.body = compose(r, s, opinionTemplates[0], opinionTemplates[1:], nil, words, " ")
	} else {
		st.title = g.titled(r, s, pack.headlines)
		pool := append(append([]string{}, bodyTemplates...), pack.details...)
		st.body = compose(r, s, pick(r, leadTemplates), pool, outlookTemplates, words, " ")
	}
	st.dek = capFirst(s.fill(pick(r, dekTemplates)))
	st.caption = capFirst(s.fill(pick(r, captionTemplates)))
	st.credit = pick(r, photoCredits)
	st.words = []string{s["place"], s["surname"], s["project"]}
	st.tags = []string{strings.ReplaceAll(sub.tag, " ", "-")}
	if extra := r.IntN(6); extra < 3 {
		st.tags = append(st.tags, []string{"analysis", "explainer", "interview"}[extra])
	}
	return st
}

// foreign makes a story in one of langPacks.
func (g *generator) foreign(r *rand.Rand, lp *langPack, section string) *story {
	projSyl := lp.syll
	if lp.code == "ja" {
		projSyl = latinSyllables // project names stay Latin in Japanese copy
	}
	s := g.baseSlots(r, lp.syll, projSyl, lp.first)
	sub := pick(r, lp.subjects)
	s["subject"], s["short"] = sub.np, sub.short
	s["role"] = s.fill(pick(r, lp.roles))
	s["lang"] = lp.code
	sep := " "
	if lp.code == "ja" {
		sep = ""
	}
	st := &story{lang: lp.code, section: section}
	st.title = g.titled(r, s, lp.headlines)
	st.body = compose(r, s, pick(r, lp.leads), lp.body, nil, []string{"place", "surname", "project"}, sep)
	st.dek = s.fill(pick(r, lp.deks))
	st.caption = s["place"]
	st.credit = pick(r, photoCredits)
	st.words = []string{s["place"], s["surname"], s["project"]}
	st.tags = []string{"international"}
	return st
}
