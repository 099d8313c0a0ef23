package extract

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// This file finds the story's authors. The page's statements about itself
// come first (JSON-LD author, the author meta tags, microdata), then what
// it prints: links to author pages, byline boxes and "By ..." lines, read
// at the head of the story before anywhere else and never in related-story
// lists or comments. Each statement is cut into names: the byline word of
// the page's language ("By", "Von", "Par", "Por", "Di", "Door", "Av",
// "Autor:"...), roles, credentials, dates, agency names and social handles
// are split off, and a byline naming several people gives each. People
// are kept apart from organisations (agencies, desks, the site itself): an
// organisation is the author only when no person is named anywhere.

// author is one cleaned name.
type author struct {
	name string
	org  bool
}

// pickAuthors returns the story's authors and the source that named them.
func pickAuthors(f *facts) ([]string, string) {
	type source struct {
		names []author
		src   string
	}
	var orgOnly *source
	try := func(names []author, src string) []string {
		var persons, orgs []string
		for _, a := range names {
			if a.org {
				orgs = append(orgs, a.name)
			} else {
				persons = append(persons, a.name)
			}
		}
		if len(persons) > 0 {
			return persons
		}
		if len(orgs) > 0 && orgOnly == nil {
			orgOnly = &source{names: names, src: src}
		}
		return nil
	}

	// JSON-LD.
	var raw []author
	for _, n := range f.ld.authors {
		for _, name := range splitNames(n.name, f.sites) {
			raw = append(raw, author{name: name.name, org: name.org || n.org})
		}
	}
	if got := try(dedupe(raw), "json-ld"); got != nil {
		return got, "json-ld"
	}

	// Meta tags: the first key that names anyone.
	for _, k := range []string{"author", "article:author", "og:article:author", "dc.creator", "dcterms.creator", "citation_author",
		"parsely-author", "sailthru.author", "byl", "cxenseparse:author", "twitter:creator"} {
		raw = raw[:0]
		for _, v := range f.mi.all[k] {
			raw = append(raw, splitNames(v, f.sites)...)
		}
		if len(raw) == 0 {
			continue
		}
		if got := try(dedupe(raw), metaSource(k)); got != nil {
			return got, metaSource(k)
		}
		break
	}

	// Microdata author properties outside boxes, the nearest to the
	// headline first.
	raw = raw[:0]
	bestPlace := placeBoxed
	for _, p := range f.pg.signals.props {
		if p.prop != "author" && p.prop != "creator" {
			continue
		}
		place := f.lay.place(p.elem)
		if place == placeBoxed || place < bestPlace {
			continue
		}
		if place > bestPlace {
			raw, bestPlace = raw[:0], place
		}
		raw = append(raw, splitNames(p.value, f.sites)...)
	}
	if got := try(dedupe(raw), "microdata"); got != nil {
		return got, "microdata"
	}

	// What the page prints. A structured source that named an
	// organisation (a wire story) gives way only to a byline printed with
	// the story.
	vis, place := visibleAuthors(f)
	if orgOnly != nil {
		// Only full names printed with the story.
		var full []author
		for _, a := range vis {
			if place >= placeStory && (countWords(a.name) >= 2 || isCJKName(a.name)) {
				full = append(full, a)
			}
		}
		vis = full
	}
	if got := try(vis, "text"); got != nil {
		if len(got) > 6 {
			got = got[:6]
		}
		return got, "text"
	}
	if orgOnly != nil {
		var out []string
		for _, a := range orgOnly.names {
			out = append(out, a.name)
		}
		return out, orgOnly.src
	}
	return nil, ""
}

// bylineText is one printed statement of authorship, where it is, and
// the names it gives.
type bylineText struct {
	text  string
	owner int32
	names []author
}

// visibleAuthors reads the printed bylines: author links and byline boxes
// that hold no other, and "By ..." lines, at the best place the page has
// them (the head of the story, then the story, then elsewhere outside
// boxes). At the head every byline counts; further away only the first
// box does.
func visibleAuthors(f *facts) ([]author, int) {
	lay := f.lay
	var cands []bylineText
	inner := map[*html.Node]bool{} // byline boxes that hold another
	for _, m := range f.pg.signals.bylines {
		for p := m.node.Parent; p != nil; p = p.Parent {
			inner[p] = true
		}
	}
	for _, l := range f.pg.signals.authorLinks {
		cands = append(cands, bylineText{text: l.text, owner: l.owner})
	}
	for _, m := range f.pg.signals.bylines {
		if inner[m.node] || len(cands) > 64 || dateBox(m.node) {
			continue
		}
		// A byline is a few names and their glue; more words are a bio or
		// a teaser's headline.
		if t := collapse(textOfLimit(m.node, 300)); t != "" && len(t) < 200 && (countWords(cutAtDate(t)) <= 12 || hasByPrefix(t)) {
			cands = append(cands, bylineText{text: t, owner: m.owner})
		}
	}
	for i := range f.pg.blocks {
		b := &f.pg.blocks[i]
		if b.tlen < 120 && !b.quote && lay.place(b.elem) >= placeStory && hasByPrefix(b.text) {
			cands = append(cands, bylineText{text: b.text, owner: b.elem})
		}
	}
	// The best place with a person's name, else the best with any name;
	// names are read place by place, as far as needed.
	cands = orderByOwner(cands)
	var orgs []author
	orgPlace := placeBoxed
	for _, place := range []int{placeHead, placeStory, placeElsewhere} {
		var out []author
		first := int32(-2)
		for _, c := range cands {
			if lay.place(c.owner) != place || lay.quoted(c.owner) {
				continue
			}
			if c.names = splitNames(c.text, f.sites); len(c.names) == 0 {
				continue
			}
			if place != placeHead && first != -2 && c.owner != first {
				continue
			}
			first = c.owner
			out = append(out, c.names...)
		}
		out = dedupe(dropOneWordNames(out))
		for _, a := range out {
			if !a.org {
				return out, place
			}
		}
		if orgs == nil && len(out) > 0 {
			orgs, orgPlace = out, place
		}
	}
	return orgs, orgPlace
}

// dateBox reports whether a byline box is only a date box: its class or
// id speaks of dates and times, not of authors.
func dateBox(n *html.Node) bool {
	cls := strings.ToLower(attr(n, "class") + " " + attr(n, "id"))
	dated, authored := false, false
	for _, w := range []string{"date", "time", "stamp", "updated", "publish", "posted-on"} {
		dated = dated || strings.Contains(cls, w)
	}
	for _, w := range []string{"author", "byline", "writer", "reporter", "contributor", "autor", "auteur", "credit", "name", "source", "by-line", "dateline"} {
		authored = authored || strings.Contains(cls, w)
	}
	return dated && !authored
}

// dropOneWordNames drops one-word names (a place in a dateline, a handle,
// a label) when a fuller name stands beside them.
func dropOneWordNames(names []author) []author {
	full := false
	for _, a := range names {
		full = full || countWords(a.name) >= 2 || isCJKName(a.name)
	}
	if !full {
		return names
	}
	out := names[:0:0]
	for _, a := range names {
		if countWords(a.name) >= 2 || isCJKName(a.name) || a.org {
			out = append(out, a)
		}
	}
	return out
}

// orderByOwner sorts bylines by their place in the document, keeping the
// order of equals.
func orderByOwner(cs []bylineText) []bylineText {
	slices.SortStableFunc(cs, func(a, b bylineText) int { return cmp.Compare(a.owner, b.owner) })
	return cs
}

// dedupe drops repeated names, ignoring case, in page order; of two forms
// where one holds the other whole ("Jane Doe", "Jane Doe Example News"),
// the shorter stays.
func dedupe(names []author) []author {
	var out []author
	for _, a := range names {
		k := strings.ToLower(a.name)
		dup := false
		for i, b := range out {
			kb := strings.ToLower(b.name)
			if k == kb || strings.Contains(k, kb) && wordsIn(k, kb) {
				dup = true
				break
			}
			if strings.Contains(kb, k) && wordsIn(kb, k) {
				// The shorter form: what a longer one adds is a role or a
				// desk more often than a middle name.
				out[i] = a
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, a)
		}
	}
	return out
}

// wordsIn reports whether sub occurs in s at word boundaries.
func wordsIn(s, sub string) bool {
	i := strings.Index(s, sub)
	if i < 0 {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[i+len(sub):])
	return (i == 0 || !unicode.IsLetter(before)) && (i+len(sub) == len(s) || !unicode.IsLetter(after))
}

// bylinePrefixes open a byline: "By", its translations, and the labels
// author boxes print. Longer forms come before the shorter ones they
// start with.
var bylinePrefixes = []string{
	"written by", "reported by", "reporting by", "posted by", "words by", "story by", "text by", "article by", "published by",
	"geschrieben von", "verfasst von", "écrit par", "rédigé par", "escrito por", "publicado por", "scritto da", "geschreven door",
	"skrevet av", "skrevet af", "skriven av", "napisał", "napisala", "napsal", "napsala", "kirjoittanut", "yazan", "oleh",
	"by:", "by", "von:", "von", "par:", "par", "por:", "por", "di:", "di", "door:", "door", "av:", "av", "af:", "af",
	"author:", "authors:", "autor:", "autoren:", "autorin:", "autores:", "autora:", "auteur:", "auteurs:", "autore:", "autori:",
	"text:", "texto:", "tekst:", "testo:", "texte:", "írta:", "írta", "a cura di", "de:",
	"source:", "sources:", "quelle:", "fuente:", "fonte:", "bron:", "kaynak:", "sumber:", "zdroj:", "źródło:",
	"автор:", "авторы:", "текст:", "источник:", "від", "συντάκτης:", "του", "της", "بقلم", "كتب", "מאת",
	"作者:", "作者：", "文/", "文／", "記者:", "記者：", "记者", "記者", "기자",
}

// surnameStarts are byline words that also start surnames.
var surnameStarts = map[string]bool{"di": true, "von": true, "de": true, "av": true, "af": true, "door": true, "par": true, "por": true}

// bylineCredits start a credit that is not authorship; a byline is cut
// before them: "Written by Rob Roe Edited by Ann Poe".
var bylineCredits = []string{"edited by", "editing by", "photos by", "photo by", "photographs by", "photography by",
	"illustrations by", "illustration by", "graphics by", "video by", "additional reporting", "fact-checked by",
	"reviewed by", "medically reviewed", "translated by", "updated by", "produced by", "compiled by",
	"redigiert von", "bearbeitet von", "fotos:", "foto:", "bilder:", "mitarbeit:", "photos :", "édité par",
	"editado por", "fotos de", "foto di", "a cura di", "με τη συνεργασία"}

// roleWords name a job, not a person; a byline part that holds one is a
// title ("Jane Doe, Staff Writer"), and what follows it in the same list
// is the affiliation.
var roleWords = []string{
	"staff writer", "correspondent", "reporter", "editor", "columnist", "contributor", "contributing", "journalist",
	"writer", "producer", "analyst", "technologist", "director", "president", "manager", "officer", "professor",
	"redakteur", "redakteurin", "korrespondent", "korrespondentin", "journaliste", "rédacteur", "rédactrice",
	"periodista", "redactor", "redactora", "giornalista", "jornalista", "repórter", "verslaggever", "redacteur",
	"senior", "chief", "deputy", "photographer", "fotograf", "photographe", "fotógrafo", "fotografo", "intern",
	"freelance", "freelancer", "specialist", "expert", "founder", "ceo", "head of", "gastautor", "guest",
}

// degrees are credentials printed after a name.
var degrees = map[string]bool{"ma": true, "md": true, "phd": true, "ph.d": true, "ph.d.": true, "m.d": true, "m.d.": true,
	"mph": true, "ms": true, "msc": true, "bsc": true, "ba": true, "rn": true, "do": true, "dds": true, "jd": true, "mba": true,
	"cfa": true, "facp": true, "frcp": true, "lpc": true, "rd": true, "np": true, "pa-c": true, "dr": false}

// agencies are news agencies and desk names: organisations that sign
// stories.
var agencies = map[string]bool{
	"reuters": true, "ap": true, "associated press": true, "the associated press": true, "afp": true, "agence france-presse": true,
	"agence france presse": true, "dpa": true, "bloomberg": true, "pti": true, "ani": true, "ians": true, "xinhua": true, "efe": true,
	"ansa": true, "kyodo": true, "yonhap": true, "tass": true, "ria novosti": true, "interfax": true, "upi": true, "apa": true,
	"sda": true, "kna": true, "epd": true, "belga": true, "anp": true, "lusa": true, "ctk": true, "čtk": true, "pap": true,
	"mti": true, "tt": true, "ntb": true, "ritzau": true, "stt": true, "aa": true, "anadolu": true, "antara": true, "bernama": true,
	"kna/dpa": true, "afp/dpa": true, "dpa/afp": true, "reuters/ap": true, "ap/reuters": true,
	"staff": true, "staff writer": true, "staff reporter": true, "staff report": true, "newsroom": true, "news desk": true,
	"web desk": true, "editorial": true, "editor": true, "editors": true, "the editors": true, "editorial board": true,
	"editorial staff": true, "admin": true, "administrator": true, "webmaster": true, "redaktion": true, "rédaction": true,
	"redacción": true, "redazione": true, "redação": true, "redactie": true, "redakcja": true, "redakce": true,
	"agencies": true, "agency": true, "wire": true, "wires": true, "wire services": true, "guest": true, "guest author": true,
	"anonymous": true, "unknown": true, "team": true,
}

// orgWords mark a name as an organisation's.
var orgWords = []string{"news", "media", "press", "times", "journal", "magazine", "agency", "agencies", "team",
	"desk", "staff", "online", "tribune", "herald", "daily", "weekly", "group", "project", "projects", "foundation",
	"institute", "university", "association", "society", "council", "ministry", "department", "organization",
	"organisation", "committee", "company", "corporation", "inc", "ltd", "llc", "gmbh", "ag", "s.a", "contributors",
	"network", "radio", "tv", "television", "channel", "studio", "studios", "editorial", "redaktion", "rédaction",
	"redacción", "redazione", "redação", "redactie", "newsroom", "bureau", "service", "services", "wire", "zeitung",
	"gazette", "gazeta", "noticias", "notícias", "nachrichten", "actualités", "blog", "magazin", "revista", "rivista"}

// uiPhrases and uiWords are labels of the page's own controls that byline
// boxes carry. A phrase rules a name out wherever it is; a word only as
// the whole name or its first word ("Follow Jane Doe", not "Thomas More").
var (
	uiPhrases = []string{"about the author", "about us", "sign in", "sign up", "log in", "read more", "view all", "see all",
		"all posts", "all articles", "posts by", "articles by", "more from", "more by", "über den autor", "à propos",
		"sobre el autor", "sull'autore", "over de auteur", "mehr von", "plus de", "más de", "alle artikel",
		"tous les articles", "todos los", "show more", "load more",
		// CMS default accounts, not people
		"super user", "site admin", "site administrator", "default user"}
	uiWords = map[string]bool{"follow": true, "share": true, "subscribe": true, "login": true, "register": true, "menu": true,
		"more": true, "email": true, "e-mail": true, "contact": true, "profile": true, "twitter": true, "facebook": true,
		"linkedin": true, "instagram": true, "comments": true, "comment": true, "reply": true, "print": true, "close": true,
		"search": true, "home": true, "skip": true, "advertisement": true, "sponsored": true, "newsletter": true,
		"author": true, "authors": true, "autor": true, "auteur": true, "by": true, "bio": true, "biography": true,
		"retrieved": true, "accessed": true, "archived": true, "tweet": true, "pin": true, "whatsapp": true,
		"telegram": true, "reddit": true, "pinterest": true, "flipboard": true, "like": true, "save": true}
)

// splitNames cuts one statement of authorship into names.
func splitNames(s string, sites []string) []author {
	s = collapse(s)
	if s == "" || len(s) > 400 {
		return nil
	}
	if l := strings.ToLower(s); strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "www.") || strings.HasPrefix(s, "/") {
		return nil
	}
	if startsWithDateLabel(s) {
		return nil // "Last modified on ...", "Published 4 April ..."
	}
	s = stripBy(labelledBy(s))
	s = cutAtCredit(s)
	s = coAuthorParens(s)
	s = dropParens(s)
	s = cutAtDate(s)
	s = cutAtSite(s, sites)
	// Cut at separators that start another field: "Jane Doe | Reuters",
	// "Jane Doe - Updated ...", "Jane Doe. Example News". The first part
	// that names someone is the byline.
	s = cutAtSentenceStop(s)
	for _, sep := range []string{" | ", "|", " — ", " – ", " - ", "\n", " · ", " • ", "•", " / ", " // ", " :: "} {
		if i := strings.Index(s, sep); i >= 0 {
			head := strings.TrimSpace(s[:i])
			if head != "" && len(splitAuthorList(head, sites)) > 0 {
				s = head
			} else {
				s = strings.TrimSpace(s[i+len(sep):])
			}
		}
	}
	return splitAuthorList(s, sites)
}

// splitAuthorList splits a byline naming several people and cleans each name.
func splitAuthorList(s string, sites []string) []author {
	var out []author
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '、' || r == '，' || r == '；' })
	for _, part := range parts {
		commas := strings.Split(part, ",")
		// "Doe, Jane" and "Jong, Michiel de" are one inverted name.
		if len(commas) == 2 && countWords(commas[0]) == 1 && countWords(commas[1]) <= 3 && !strings.Contains(commas[1], " and ") {
			first := strings.TrimSpace(commas[0])
			if !agencies[strings.ToLower(first)] && !isRolePart(first) && startsUpper(strings.TrimSpace(commas[1])) && len(commas[1]) > 1 {
				if a, ok := cleanName(part, sites); ok {
					out = append(out, a)
				}
				continue
			}
		}
		for i, c := range commas {
			c = strings.TrimSpace(c)
			if i > 0 && (isRolePart(c) || startsDegree(c)) {
				break // a title or credential, then the affiliation
			}
			if i > 0 && countWords(c) == 1 && !agencies[strings.ToLower(strings.Trim(c, " ."))] && len(commas) > 1 && !isCJKName(c) {
				continue // a place or a desk: "Erin Cunningham, Cairo"
			}
			for _, n := range splitConjunctions(c) {
				if a, ok := cleanName(n, sites); ok {
					out = append(out, a)
				}
			}
		}
	}
	return out
}

// conjunctions join the names of a byline in the extractor's languages.
var conjunctions = []string{" and ", " & ", " + ", " und ", " et ", " y ", " e ", " en ", " og ", " och ", " i ", " și ",
	" ve ", " dan ", " ja ", " és ", " a ", " и ", " і ", " και ", " و ", " ו"}

// splitConjunctions splits "Jane Doe and John Roe" when every part is a
// full name; "Mac & i" stays one name.
func splitConjunctions(s string) []string {
	parts := []string{s}
	for _, conj := range conjunctions {
		var next []string
		for _, p := range parts {
			if !strings.Contains(p, conj) {
				next = append(next, p)
				continue
			}
			sub := strings.Split(p, conj)
			whole := true
			for _, x := range sub {
				if countWords(x) < 2 && !isCJKName(x) && !agencies[strings.ToLower(strings.TrimSpace(x))] {
					whole = false
				}
			}
			if whole {
				next = append(next, sub...)
			} else {
				next = append(next, p)
			}
		}
		parts = next
	}
	return parts
}

// cleanName trims one name and tells a person from an organisation.
func cleanName(p string, sites []string) (author, bool) {
	p = strings.TrimSpace(stripBy(strings.TrimSpace(p)))
	p = strings.Trim(p, " .:;,-–—|()[]\"'“”‘’«»•·*/\\")
	p = stripRoleSuffix(p)
	if p == "" || len(p) > 80 || strings.ContainsAny(p, "@0123456789") || strings.Contains(strings.ToLower(p), "http") {
		return author{}, false
	}
	words := strings.Fields(p)
	// A name's words are capitalised but for its particles: a lowercase
	// word starts the sentence the name was taken from ("Dallas Roe is a
	// writer", "Toxic algae").
	lp := strings.ToLower(p)
	if uiPhraseSet.in(lp) {
		return author{}, false
	}
	if k := firstLowerWord(words, strings.Contains(p, ",")); k > 0 && !looksOrg(p, sites) {
		words = words[:k]
		p = strings.Join(words, " ")
	}
	if len(words) > 5 || isCJKName(p) && utf8.RuneCountInString(p) > 16 {
		return author{}, false
	}
	lp = strings.ToLower(p)
	if uiWords[lp] || uiWords[strings.ToLower(strings.Trim(words[0], ":"))] {
		return author{}, false
	}
	if !agencies[lp] && isRolePart(p) {
		return author{}, false
	}

	if len(words) == 1 && (months[lp] > 0 || weekdays[lp]) {
		return author{}, false // "Aug", "Tuesday"
	}
	// One word in capitals is a dateline's place ("WASHINGTON") or an
	// agency's acronym.
	if len(words) == 1 && isUpperWord(p) && !agencies[lp] && !looksOrg(p, sites) && !isCJKName(p) && utf8.RuneCountInString(p) > 4 {
		return author{}, false
	}
	if !startsUpper(p) {
		return author{}, false
	}
	if isUpperWord(p) && len(p) > 4 && !agencies[lp] && !looksOrg(p, sites) {
		p = titleCase(p)
	}
	return author{name: p, org: agencies[lp] || looksOrg(p, sites)}, true
}

// isRolePart reports whether a byline part names a job.
func isRolePart(s string) bool {
	return roleSet.in(strings.ToLower(s))
}

// Word sets of the lists above, for one pass over a name.
var (
	roleSet     = newLabelSet(roleWords)
	orgSet      = newLabelSet(orgWords)
	uiPhraseSet = newLabelSet(uiPhrases)
)

// startsDegree reports whether a byline part starts with a credential:
// "MA WebMD Health News".
func startsDegree(s string) bool {
	f := strings.Fields(s)
	return len(f) > 0 && degrees[strings.ToLower(strings.TrimRight(f[0], ","))]
}

// stripRoleSuffix removes a role word that East Asian bylines put after
// the name: "홍길동 기자", "張三 記者".
func stripRoleSuffix(s string) string {
	for _, suf := range []string{"기자", "특파원", "記者", "记者", "特派員", "编辑", "編集"} {
		if t, ok := strings.CutSuffix(s, suf); ok && t != "" {
			return strings.TrimSpace(t)
		}
	}
	return s
}

// looksOrg reports whether a name is an organisation's: it names the site,
// holds a word organisations use, or joins two words with "&".
func looksOrg(s string, sites []string) bool {
	l := strings.ToLower(s)
	if orgSet.in(l) {
		return true
	}
	if strings.Contains(s, "&") || isDomain(s) {
		return true
	}
	// "The Water Coolest", "Die Redaktion": a person's name takes no
	// article.
	if f := strings.Fields(s); len(f) > 1 && (f[0] == "The" || f[0] == "Der" || f[0] == "Die" || f[0] == "Das") {
		return true
	}
	// The site's own name, or a desk of it ("Example News Staff"); not a
	// person a personal site is named after ("Jane Doe's Notes").
	k := alnumKey(s)
	for _, site := range sites {
		if sk := alnumKey(site); len(sk) >= 3 && strings.Contains(k, sk) {
			return true
		}
	}
	return false
}

// stripBy removes a leading byline word. The words that also start
// surnames ("Di Stefano", "Von Miller") are only taken for one when a full
// name or an agency follows.
func stripBy(s string) string {
	l := strings.ToLower(s)
	for _, p := range bylinePrefixes {
		if !strings.HasPrefix(l, p) || len(l) == len(p) {
			continue
		}
		r, _ := utf8.DecodeRuneInString(l[len(p):])
		last, _ := utf8.DecodeLastRuneInString(p)
		if unicode.IsLetter(r) && unicode.IsLetter(last) && !isCJK(last) {
			continue // a longer word: "Byron", "Parker"
		}
		rest := strings.TrimSpace(s[len(p):])
		if len(l) != len(s) {
			// Lowercasing moved the bytes: cut by runes.
			rest = strings.TrimSpace(string([]rune(s)[utf8.RuneCountInString(p):]))
		}
		if surnameStarts[p] && len(strings.Fields(rest)) < 2 && !agencies[strings.ToLower(rest)] {
			continue
		}
		return rest
	}
	return s
}

// cutAtCredit cuts a byline before a credit that is not authorship.
func cutAtCredit(s string) string {
	l := strings.ToLower(s)
	if len(l) != len(s) {
		return s
	}
	cut := len(s)
	for _, c := range bylineCredits {
		if i := strings.Index(l, c); i > 0 && i < cut && wordAt(l, i, i+len(c), c) {
			cut = i
		}
	}
	return strings.TrimSpace(s[:cut])
}

// coAuthorParens turns "X (avec Y et Z)" and "X (with Y)" into a list.
func coAuthorParens(s string) string {
	i := strings.IndexByte(s, '(')
	if i < 0 {
		return s
	}
	j := strings.IndexByte(s[i:], ')')
	if j < 0 {
		return s
	}
	inner := strings.TrimSpace(s[i+1 : i+j])
	l := strings.ToLower(inner)
	for _, w := range []string{"with ", "avec ", "mit ", "con ", "com ", "met ", "med ", "z ", "s "} {
		if strings.HasPrefix(l, w) {
			return strings.TrimSpace(s[:i]) + ", " + strings.TrimSpace(inner[len(w):]) + " " + strings.TrimSpace(s[i+j+1:])
		}
	}
	return s
}

// dropParens removes parenthesised asides at either end of a byline, which
// name an agency, a role, a place or a handle: "Jane Doe (Reuters)",
// "(AP) Jane Doe". An aside inside a name ("Bruno (Henrique) Rodrigues")
// is part of it. A byline that is nothing but an aside keeps its text.
func dropParens(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	depth := 0
	for i, r := range s {
		switch {
		case r == '(':
			if depth == 0 && !asideAtEnd(s, i) {
				b.WriteRune(r)
				depth = -1000 // inside a kept aside: copy through
				continue
			}
			depth++
		case r == ')' && depth < 0:
			b.WriteRune(r)
			depth = 0
		case r == ')' && depth > 0:
			depth--
		case depth <= 0:
			b.WriteRune(r)
		}
	}
	out := collapse(b.String())
	if strings.IndexFunc(out, unicode.IsLetter) < 0 {
		return strings.Trim(s, "() ")
	}
	return out
}

// asideAtEnd reports whether the parenthesis at s[i] opens an aside with no
// name after it (up to a separator) or none before it.
func asideAtEnd(s string, i int) bool {
	before := strings.TrimSpace(s[:i])
	j := strings.IndexByte(s[i:], ')')
	if j < 0 {
		return true
	}
	after := strings.TrimSpace(s[i+j+1:])
	if before == "" || after == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(after)
	lb, _ := utf8.DecodeLastRuneInString(before)
	// "Jane Doe (AP) and John Roe", "Jane Doe (Reuters), London": the
	// aside ends a name.
	return !unicode.IsUpper(r) || !unicode.IsLetter(lb) || startsConjunction(after)
}

func startsConjunction(s string) bool {
	l := " " + strings.ToLower(s)
	for _, c := range conjunctions {
		if strings.HasPrefix(l, c) {
			return true
		}
	}
	return false
}

// cutAtDate cuts a byline at a date or time glued to it ("Nathan Willis
// March 25, 2015", "Lucas Nolan22 Dec 2016", "Aleš Vávra před 2
// hodinami"): at the first digit, then drops the month, weekday, date
// label and lowercase words left at the end.
//
// It cuts only where a date, a clock time or a relative time ("2 hours
// ago") starts; other digits are a handle's or a bio's.
func cutAtDate(s string) string {
	i := strings.IndexFunc(s, unicode.IsDigit)
	if i < 0 {
		return s
	}
	cut := -1
	toks := tokenizeDate(s, 200)
	if spans, _ := scanDates(toks, false, time.Time{}, 1); len(spans) > 0 {
		cut = toks[spans[0].start].start
	} else if len(strings.Fields(s[:i])) >= 2 && clockOrAgo(s[i:]) || dayMonth(toks) >= 0 {
		cut = i
		if k := dayMonth(toks); k >= 0 {
			cut = toks[k].start
		}
	}
	if cut < 0 {
		return s // a handle ("CC7567") or a bio's numbers
	}
	s = strings.TrimSpace(s[:cut])
	for {
		f := strings.Fields(s)
		if len(f) == 0 {
			return ""
		}
		last := strings.Trim(f[len(f)-1], ".,:;-–—|•·(")
		l := strings.ToLower(last)
		// A particle ends a name only in the inverted form "Jong, Michiel de".
		if last == "" || months[l] > 0 || weekdays[l] || !startsUpper(last) && !(nameParticles[l] && strings.Contains(s, ",")) ||
			publishedSet.in(l) || modifiedSet.in(l) {
			s = strings.TrimSpace(strings.Join(f[:len(f)-1], " "))
			continue
		}
		return strings.TrimRight(s, " ,;:-–—|•·(")
	}
}

// cutAtSite cuts a byline before the site's name glued after the person's:
// "Kelli Miller WebMD Health News".
func cutAtSite(s string, sites []string) string {
	l := strings.ToLower(s)
	for _, site := range sites {
		site = strings.ToLower(strings.TrimSpace(site))
		if len(site) < 3 {
			continue
		}
		if i := strings.Index(l, site); i > 0 && wordAt(l, i, i+len(site), site) && len(l) == len(s) {
			if head := strings.TrimSpace(s[:i]); countWords(head) >= 2 {
				return head
			}
		}
	}
	return s
}

// weekdays are day names that datelines glue to bylines.
var weekdays = map[string]bool{"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true,
	"montag": true, "dienstag": true, "mittwoch": true, "donnerstag": true, "freitag": true, "samstag": true, "sonntag": true,
	"lundi": true, "mardi": true, "mercredi": true, "jeudi": true, "vendredi": true, "samedi": true, "dimanche": true,
	"lunes": true, "martes": true, "miércoles": true, "jueves": true, "viernes": true, "sábado": true, "domingo": true,
	"lunedì": true, "martedì": true, "mercoledì": true, "giovedì": true, "venerdì": true, "sabato": true, "domenica": true,
	"maandag": true, "dinsdag": true, "woensdag": true, "donderdag": true, "vrijdag": true, "zaterdag": true, "zondag": true,
	"published": true, "updated": true, "posted": true, "on": true, "am": true, "um": true,
	"retrieved": true, "accessed": true, "archived": true, "abgerufen": true, "consulté": true, "consultado": true}

// nameParticles are the lowercase words names hold: "Michiel de Jong",
// "Ludwig van Beethoven".
var nameParticles = map[string]bool{"de": true, "van": true, "von": true, "der": true, "den": true, "da": true, "di": true,
	"du": true, "la": true, "le": true, "del": true, "della": true, "dos": true, "das": true, "do": true, "bin": true,
	"ibn": true, "al": true, "el": true, "ter": true, "ten": true, "zu": true, "y": true}

// hasByPrefix reports whether a short block opens with a byline word and a
// capitalised name: "By Jane Doe", "Von Anna Schmidt", "Autor: Jan Novák".
func hasByPrefix(s string) bool {
	if len(s) > 48 {
		s = s[:48] // the byline word and the start of the name
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	l := strings.ToLower(s)
	if len(l) != len(s) {
		return false // lowercasing moved the bytes; bylines in those scripts are found by their markup
	}
	for _, p := range bylinePrefixes {
		if !strings.HasPrefix(l, p) || len(l) <= len(p)+3 {
			continue
		}
		if last, _ := utf8.DecodeLastRuneInString(p); unicode.IsLetter(last) && !isCJK(last) && s[len(p)] != ' ' {
			continue
		}
		rest := strings.TrimSpace(s[len(p):])
		if r, _ := utf8.DecodeRuneInString(rest); unicode.IsUpper(r) || isCJK(r) {
			return true
		}
	}
	return false
}

func startsUpper(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r) || !unicode.IsLower(r) && unicode.IsLetter(r)
	}
	return false
}

func isUpperWord(s string) bool {
	has := false
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			has = true
		}
	}
	return has
}

func titleCase(s string) string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		rs := []rune(w)
		rs[0] = unicode.ToUpper(rs[0])
		for j := 1; j < len(rs); j++ {
			if rs[j-1] == '-' || rs[j-1] == '\'' {
				rs[j] = unicode.ToUpper(rs[j])
			}
		}
		words[i] = string(rs)
	}
	return strings.Join(words, " ")
}

// startsWithDateLabel reports whether s opens with a date label ("Last
// updated", "Published", "Aktualisiert"): a dateline, not a byline.
func startsWithDateLabel(s string) bool {
	l := strings.ToLower(s)
	l = strings.TrimPrefix(l, "last ")
	for _, labels := range [][]string{publishedLabels, modifiedLabels} {
		for _, lab := range labels {
			if strings.HasPrefix(l, lab) && wordAt(l, 0, len(lab), lab) {
				return true
			}
		}
	}
	return false
}

// timeUnits are the words of relative times ("3 hours ago", "vor 2
// Stunden", "před 2 hodinami"), by their stems.
var timeUnits = []string{"sec", "min", "hour", "hr", "day", "week", "month", "year", "stund", "minut", "tag", "woche",
	"heure", "jour", "semaine", "mois", "an", "hora", "día", "dia", "semana", "mes", "año", "ano", "ora", "ore", "giorn",
	"settiman", "mes", "uur", "dag", "maand", "jaar", "timm", "tim", "dygn", "vecka", "godzin", "dni", "dzień", "tydz",
	"hodin", "den", "dn", "týd", "měs", "saat", "gün", "hafta", "ay", "jam", "hari", "minggu", "bulan", "tunti", "päivä",
	"óra", "perc", "nap", "час", "мин", "дн", "день", "недел", "месяц", "год", "лет", "сек", "хв", "годин", "тиж"}

// clockOrAgo reports whether s starts with a clock time ("3:45") or a
// number of time units ("2 hours", "5 Min.").
func clockOrAgo(s string) bool {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 || i > 4 {
		return false
	}
	if i < len(s) && (s[i] == ':' || s[i] == '.' || s[i] == 'h') && i+2 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) {
		return true
	}
	w := strings.ToLower(strings.TrimSpace(s[i:]))
	for _, u := range timeUnits {
		if strings.HasPrefix(w, u) {
			return true
		}
	}
	return false
}

// firstLowerWord returns the index of the first word of a name that is
// lowercase and not a particle, or -1. In an inverted name ("Jong, Michiel
// de") a particle may end it.
func firstLowerWord(words []string, inverted bool) int {
	for i, w := range words {
		if i == 0 || startsUpper(w) || isCJKName(w) {
			continue
		}
		l := strings.ToLower(strings.Trim(w, ".,"))
		if nameParticles[l] && (i < len(words)-1 || inverted) {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(w); !unicode.IsLetter(r) {
			continue
		}
		return i
	}
	return -1
}

// labelledBy drops the kind of piece a byline may open with: "Analysis by
// Jane Doe", "Commentary by ...", "Interview von ...". A credit that is
// not authorship ("Photos by ...") leaves nothing.
func labelledBy(s string) string {
	l := strings.ToLower(s)
	for _, by := range []string{" by ", " von ", " par ", " por ", " di ", " door "} {
		i := strings.Index(l, by)
		if i <= 0 || len(l) != len(s) || countWords(s[:i]) > 2 {
			continue
		}
		head := l[:i]
		for _, c := range bylineCredits {
			if strings.HasPrefix(c, head+" ") {
				return ""
			}
		}
		if rest := strings.TrimSpace(s[i+len(by):]); startsUpper(rest) && startsUpper(s) {
			return rest
		}
	}
	return s
}

// dayMonth returns the index of the first number that a month name
// follows ("22 Dec", "3. März"), or -1: a date whose year is missing or
// glued to other digits.
func dayMonth(toks []dtok) int {
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].kind != 'n' || toks[i].num < 1 || toks[i].num > 31 {
			continue
		}
		k := i + 1
		if toks[k].kind == 'p' && toks[k].s == "." && k+1 < len(toks) {
			k++
		}
		if toks[k].kind == 'w' && months[toks[k].s] > 0 && !ambiguousMonth[toks[k].s] {
			return i
		}
	}
	return -1
}

// cutAtSentenceStop cuts a byline at a full stop after a word (not after
// an initial, as in "Bruce Y. Lee"): "Finian Roe. Example International".
func cutAtSentenceStop(s string) string {
	for i := strings.Index(s, ". "); i > 0; {
		w := s[:i]
		if k := strings.LastIndexByte(w, ' '); k >= 0 {
			w = w[k+1:]
		}
		if utf8.RuneCountInString(w) >= 3 && countWords(s[:i]) >= 2 {
			if head := strings.TrimSpace(s[:i]); len(splitAuthorList(head, nil)) > 0 {
				return head
			}
		}
		j := strings.Index(s[i+2:], ". ")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return s
}
