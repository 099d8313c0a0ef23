package extract

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/atom"
)

// This file finds the publication and modification dates: a ranked search
// over every date the page states. Machine-readable statements about the
// page itself (JSON-LD, the meta tags of news CMSs, microdata) rank first;
// then dates printed at the head of the story (<time> elements, datelines,
// bylines), the date in the URL, dates printed further down the story, and
// last the most credible date in the main content. Dates in related-story
// lists, navigation, comments and the page footer are never read; a date
// labelled "Updated" (in any of the extractor's languages) is the modified
// date, never the published one.

// dateCand is one date the page states, with the trust its source earns.
type dateCand struct {
	t    time.Time
	src  string // provenance: json-ld, opengraph, meta, microdata, time, text, url
	rank int
	pos  int32 // the element that holds it; -1 for metadata in <head>
}

func (d dateCand) ok() bool { return d.rank > 0 }

// Ranks of date sources, highest first.
const (
	rankLD            = 100 // JSON-LD datePublished of the story's object
	rankMetaStrong    = 95  // article:published_time and the other CMS keys
	rankMicrodata     = 90  // itemprop=datePublished, <time pubdate>, outside boxes
	rankLDPage        = 85  // JSON-LD datePublished of a page object that is not an article
	rankLDCreated     = 80  // JSON-LD dateCreated
	rankMetaWeak      = 75  // meta name=date, dc.date and the like
	rankHeadTime      = 70  // <time> between the headline and the story's third block
	rankHeadText      = 70  // a dateline or byline with a date there: the nearest to the headline wins
	rankURL           = 65  // /2020/08/22/ in the URL
	rankStoryTime     = 50  // <time> further down the story
	rankStoryText     = 50  // a dated byline or dateline further down the story
	rankLabelled      = 45  // "Published: ..." anywhere outside boxes
	rankElsewhere     = 30  // <time> or a date box elsewhere, outside boxes
	rankContent       = 20  // the most credible date in the main content
	rankModifiedAlone = 12  // only a modified date: the story is at least that old
)

// Meta keys that state the publication date, by trust, and the
// modification date. Keys are lowercased.
var (
	pubMetaStrong = []string{"article:published_time", "og:article:published_time", "og:published_time", "article:published",
		"published_time", "datepublished", "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued",
		"citation_publication_date", "citation_online_date", "citation_date", "prism.publicationdate", "article.published",
		"cxenseparse:recs:publishtime", "originalpublicationdate", "original-publish-date", "publication_date",
		"publication-date", "publish-date", "publish_date", "publishdate", "pubdate", "pub_date", "date_published",
		"rnews:datepublished", "vr:published_time", "article_date_original", "release_date", "dc.date.created", "dcterms.created"}
	pubMetaWeak = []string{"date", "dc.date", "dcterms.date", "created", "creation_date", "timestamp", "displaydate", "dc.created"}
	modMeta     = []string{"article:modified_time", "og:updated_time", "og:modified_time", "article:modified", "modified_time",
		"updated_time", "datemodified", "dcterms.modified", "dc.date.modified", "last-modified", "lastmod", "last_updated",
		"lastmodified", "revised", "article.updated", "eomportal-lastupdate"}
)

// Date labels, lowercase, in the languages the extractor reads. A label
// matches as whole words.
var (
	modifiedLabels = []string{"updated", "update", "modified", "last modified", "last updated", "revised",
		"aktualisiert", "geändert", "stand", "mis à jour", "mise à jour", "modifié", "actualizado", "actualizada",
		"actualización", "atualizado", "atualizada", "atualização", "aggiornato", "aggiornata", "aggiornamento",
		"bijgewerkt", "gewijzigd", "uppdaterad", "opdateret", "oppdatert", "zaktualizowano", "aktualizacja",
		"aktualizováno", "aktualizace", "actualizat", "güncelleme", "güncellendi", "diperbarui", "pembaruan",
		"päivitetty", "frissítve", "módosítva", "обновлено", "обновлён", "изменено", "оновлено", "ενημερώθηκε",
		"ενημέρωση", "تحديث", "آخر تحديث", "עודכן", "更新", "업데이트", "수정"}
	publishedLabels = []string{"published", "posted", "created", "first published", "released",
		"veröffentlicht", "erstellt", "erschienen", "publié", "publiée", "publicado", "publicada", "publicación",
		"pubblicato", "pubblicata", "gepubliceerd", "geplaatst", "publicerad", "publiceret", "publisert",
		"opublikowano", "publikováno", "zveřejněno", "vydáno", "publicat", "yayınlanma", "yayınlandı",
		"diterbitkan", "dipublikasikan", "julkaistu", "publikálva", "megjelent", "опубликовано", "опубліковано",
		"δημοσιεύθηκε", "δημοσίευση", "نشر", "تاريخ النشر", "פורסם", "发布", "發佈", "发表", "發表", "公開",
		"掲載", "配信", "입력", "등록"}
	// weakLabels only mark a line worth reading for a date.
	weakLabels = []string{"date", "datum", "fecha", "data", "dátum", "tarih", "tanggal", "päivämäärä", "дата"}
	// cutLabels start a new date inside one line of text, as in
	// "October 14, 2019 3:45 a.m. CET (updated October 15, 2019 ...)"; the
	// weak labels are left out because they also follow a strong one
	// ("Last modified on ...").
	cutLabels = append(append([]string{}, modifiedLabels...), publishedLabels...)
)

// pickDates returns the best published and modified dates the page states.
func pickDates(f *facts) (pub, mod dateCand) {
	var pubs, mods []dateCand
	add := func(list *[]dateCand, v, src string, rank int, pos int32) {
		if v == "" {
			return
		}
		if t, ok := parseDate(v, f.mdy, f.now); ok && validDate(t, f.now) {
			*list = append(*list, dateCand{t: t, src: src, rank: rank, pos: pos})
		}
	}
	addText := func(s string, rank int, pos int32) {
		p, m := textDates(s, f.mdy, f.now)
		if p != nil && validDate(*p, f.now) {
			pubs = append(pubs, dateCand{t: *p, src: "text", rank: rank, pos: pos})
		}
		if m != nil && validDate(*m, f.now) {
			mods = append(mods, dateCand{t: *m, src: "text", rank: rank, pos: pos})
		}
	}
	lay := f.lay

	// Structured statements about the page.
	ldRank := rankLD
	if !f.ld.hasArticle {
		ldRank = rankLDPage
	}
	add(&pubs, f.ld.published, "json-ld", ldRank, -1)
	add(&pubs, f.ld.created, "json-ld", rankLDCreated, -1)
	add(&mods, f.ld.modified, "json-ld", rankLD, -1)
	for _, k := range pubMetaStrong {
		add(&pubs, f.mi.first[k], metaSource(k), rankMetaStrong, -1)
	}
	for _, k := range pubMetaWeak {
		add(&pubs, f.mi.first[k], metaSource(k), rankMetaWeak, -1)
	}
	for _, k := range modMeta {
		add(&mods, f.mi.first[k], metaSource(k), rankMetaStrong, -1)
	}
	for _, p := range f.pg.signals.props {
		if lay.place(p.elem) == placeBoxed {
			continue // a teaser of another story
		}
		switch p.prop {
		case "datePublished":
			add(&pubs, p.value, "microdata", rankMicrodata, p.elem)
		case "dateCreated":
			add(&pubs, p.value, "microdata", rankLDCreated, p.elem)
		case "dateModified":
			add(&mods, p.value, "microdata", rankMicrodata, p.elem)
		}
	}

	// <time> elements, by where they are and what labels them.
	for _, t := range f.pg.signals.times {
		place := lay.place(t.elem)
		if place == placeBoxed || lay.quoted(t.elem) {
			continue
		}
		rank := [...]int{0, rankElsewhere, rankStoryTime, rankHeadTime}[place]
		if t.pubdate || t.itemprop == "datePublished" {
			rank = rankMicrodata
		}
		v := t.datetime
		if v == "" || !containsDigit(v) {
			v = t.text
		}
		label := strings.ToLower(t.text + " " + lay.textBefore(t.elem, t.text))
		if t.itemprop == "dateModified" || modifiedSet.in(label) && !publishedSet.in(label) {
			add(&mods, v, "time", rank, t.elem)
		} else {
			add(&pubs, v, "time", rank, t.elem)
		}
	}

	// Dates printed in date and byline boxes, and in the lines at the head
	// of the story. They are read only when the page's metadata leaves
	// the published date open, gives only its day, or gives it in UTC
	// (the printed date may say the day in the page's zone).
	if b := bestDate(pubs); b.rank >= rankMetaWeak && !dayOnly(b.t) {
		if _, off := b.t.Zone(); off != 0 {
			return finishDates(f, pubs, mods)
		}
	}
	// The head of the story first; the rest of the page only when the
	// head dates nothing.
	for _, head := range []bool{true, false} {
		if !head {
			if b := bestDate(pubs); b.rank >= rankHeadText && !dayOnly(b.t) {
				break
			}
		}
		for _, list := range [][]marked{f.pg.signals.dates, f.pg.signals.bylines} {
			n := 0
			for _, m := range list {
				place := lay.place(m.owner)
				if place == placeBoxed || (place == placeHead) != head || lay.quoted(m.owner) {
					continue
				}
				if n++; n > 40 {
					break
				}
				if s := collapse(textOfLimit(m.node, 300)); s != "" && len(s) < 250 && containsDigit(s) {
					addText(s, [...]int{0, rankElsewhere, rankStoryText, rankHeadText}[place], m.owner)
				}
			}
		}
		for i := range f.pg.blocks {
			b := &f.pg.blocks[i]
			if len(b.text) >= 250 || b.quote || !containsDigit(b.text) {
				continue
			}
			place := lay.place(b.elem)
			switch {
			case place == placeHead && head:
				addText(b.text, rankHeadText, b.elem)
			case place != placeHead && place != placeBoxed && !head && b.tlen < 120 && !(endsSentence(b.text) && b.tlen >= 60):
				// A labelled line, not a sentence of the story.
				if l := strings.ToLower(b.text); publishedSet.in(l) || modifiedSet.in(l) || weakSet.in(l) {
					addText(b.text, rankLabelled, b.elem)
				}
			}
		}
	}
	return finishDates(f, pubs, mods)
}

// finishDates adds the URL's date and picks the published and modified
// dates, with the fallbacks when the page states no published date.
func finishDates(f *facts, pubs, mods []dateCand) (pub, mod dateCand) {
	if f.base != nil {
		if t, ok := urlDate(f.base.Path); ok && validDate(t, f.now) {
			pubs = append(pubs, dateCand{t: t, src: "url", rank: rankURL, pos: -1})
		}
	}
	pub, mod = bestDate(pubs), bestDate(mods)
	if !pub.ok() {
		pub = contentDate(f)
	}
	if !pub.ok() && mod.ok() {
		// Only an update is stated: the story is at least that old, and
		// usually of the same day.
		pub = mod
		pub.rank = rankModifiedAlone
	}
	return pub, mod
}

// bestDate picks the highest-ranked candidate, the first in the page among
// equals. When another trusted source states the same instant in the
// page's own time zone (the winner in UTC), that one is taken: readers see
// the local day.
func bestDate(cands []dateCand) dateCand {
	var best dateCand
	for _, c := range cands {
		if c.rank > best.rank || c.rank == best.rank && c.pos >= 0 && best.pos >= 0 && c.pos < best.pos {
			best = c
		}
	}
	if !best.ok() {
		return best
	}
	if _, off := best.t.Zone(); off == 0 {
		for _, c := range cands {
			if _, o := c.t.Zone(); o != 0 && c.rank >= rankURL && c.t.Sub(best.t).Abs() <= time.Minute {
				return c
			}
		}
	}
	// A day without a time (from the URL, or a date line without one)
	// takes the time of another source that states the same day.
	if dayOnly(best.t) {
		var fine dateCand
		for _, c := range cands {
			if !dayOnly(c.t) && c.rank > fine.rank && c.rank >= rankElsewhere && sameDay(c.t, best.t) {
				fine = c
			}
		}
		if fine.ok() {
			fine.rank = best.rank
			return fine
		}
	}
	return best
}

// dayOnly reports whether t is a calendar day with no time of day.
func dayOnly(t time.Time) bool {
	_, off := t.Zone()
	return off == 0 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// sameDay reports whether a and b fall on the same calendar day, each in
// its own zone.
func sameDay(a, b time.Time) bool {
	ya, ma, da := a.Date()
	yb, mb, db := b.Date()
	return ya == yb && ma == mb && da == db
}

// contentDate is the coverage fallback when the page states no date in any
// of the places above: the latest date printed in the story (a story can
// speak of the past, not of its own future), or, with no story, in the
// text outside boxes.
func contentDate(f *facts) dateCand {
	var best dateCand
	scan := func(b *block) {
		if b.quote || !containsDigit(b.text) {
			return
		}
		if b.tlen < 250 && modifiedSet.in(strings.ToLower(b.text)) {
			return // an update's date
		}
		for _, t := range findDates(b.text, f.mdy, f.now, 8) {
			if validDate(t, f.now) && (!best.ok() || t.After(best.t)) {
				best = dateCand{t: t, src: "text", rank: rankContent, pos: b.elem}
			}
		}
	}
	for i := range f.c.blocks {
		scan(&f.c.blocks[i])
	}
	if !best.ok() {
		for i := range f.pg.blocks {
			if f.lay.place(f.pg.blocks[i].elem) != placeBoxed {
				scan(&f.pg.blocks[i])
			}
		}
	}
	return best
}

// quoted reports whether element e lies in a block quote: a quoted post
// carries its own date.
func (l *layout) quoted(e int32) bool {
	for ; e >= 0; e = l.pg.elems[e].parent {
		if l.pg.elems[e].tag == atom.Blockquote {
			return true
		}
	}
	return false
}

// textBefore returns up to 40 bytes of the text that precedes s in the
// block of element e: the label of a <time> ("Updated <time>...").
func (l *layout) textBefore(e int32, s string) string {
	if s == "" {
		return ""
	}
	for i := range l.pg.blocks {
		b := &l.pg.blocks[i]
		if b.elem != e {
			continue
		}
		if k := strings.Index(b.text, s); k >= 0 {
			return b.text[max(0, k-40):k]
		}
	}
	return ""
}

// labelSet finds date labels in lowercase text as whole words, looking
// each word of the text up once.
type labelSet struct {
	byFirst map[string][]string // first word -> the labels that start with it
	cjk     []string            // labels in scripts written without spaces
}

func newLabelSet(labels []string) *labelSet {
	ls := &labelSet{byFirst: map[string][]string{}}
	for _, lab := range labels {
		if r, _ := utf8.DecodeRuneInString(lab); r >= 0x2E80 {
			ls.cjk = append(ls.cjk, lab)
			continue
		}
		first := lab
		if i := strings.IndexFunc(lab, func(r rune) bool { return !unicode.IsLetter(r) }); i > 0 {
			first = lab[:i]
		}
		ls.byFirst[first] = append(ls.byFirst[first], lab)
	}
	return ls
}

// in reports whether lowercase l holds one of the labels as whole words.
func (ls *labelSet) in(l string) bool {
	for _, lab := range ls.cjk {
		if strings.Contains(l, lab) {
			return true
		}
	}
	start := -1
	check := func(end int) bool {
		for _, lab := range ls.byFirst[l[start:end]] {
			if strings.HasPrefix(l[start:], lab) && wordAt(l, start, start+len(lab), lab) {
				return true
			}
		}
		return false
	}
	for i, r := range l {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && check(i) {
			return true
		}
		start = -1
	}
	return start >= 0 && check(len(l))
}

// Label sets for the searches.
var (
	modifiedSet  = newLabelSet(modifiedLabels)
	publishedSet = newLabelSet(publishedLabels)
	weakSet      = newLabelSet(weakLabels)
)

// wordAt reports whether l[i:j], which is lab, stands as whole words.
func wordAt(l string, i, j int, lab string) bool {
	if r, _ := utf8.DecodeRuneInString(lab); r >= 0x2E80 {
		return true // CJK and Hangul labels touch their neighbours
	}
	if r, _ := utf8.DecodeLastRuneInString(l[:i]); i > 0 && unicode.IsLetter(r) {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(l[j:]); j < len(l) && unicode.IsLetter(r) {
		return false
	}
	return true
}
func containsDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

// textDates reads a visible dateline such as
// "Reuters | Updated: 22-08-2020 03:12 IST | Created: 22-08-2020 03:04 IST".
// A line may hold both dates without a separator; it is cut before each
// date label, and a date with no label of its own reads as the published
// one.
func textDates(s string, mdy bool, now time.Time) (pub, mod *time.Time) {
	segs := strings.FieldsFunc(s, func(r rune) bool {
		return r == '|' || r == '•' || r == '·' || r == '\n' || r == '(' || r == ')' || r == ';'
	})
	var last *time.Time // the date read last, for a time printed apart: "09.06.2021 · 14:20"
	for _, seg := range segs {
		for _, piece := range cutAtLabels(seg) {
			l := strings.ToLower(piece)
			t, ok := parseDate(piece, mdy, now)
			if !ok {
				if last != nil && dayOnly(*last) {
					if h, m, ok := leadingClock(piece); ok {
						*last = time.Date(last.Year(), last.Month(), last.Day(), h, m, 0, 0, time.UTC)
					}
				}
				continue
			}
			switch {
			case modifiedSet.in(l) && !publishedSet.in(l):
				if mod == nil {
					mod, last = &t, &t
				}
			default:
				if pub == nil {
					pub, last = &t, &t
				}
			}
		}
	}
	return pub, mod
}

// leadingClock reads a clock time that starts s: "14:20", "14.20 Uhr",
// "2:20 pm".
func leadingClock(s string) (h, m int, ok bool) {
	toks := tokenizeDate(strings.TrimSpace(s), 8)
	if len(toks) < 3 || !isClockAt(toks, 0) {
		return 0, 0, false
	}
	h, m = toks[0].num, toks[2].num
	if len(toks) > 3 && toks[3].kind == 'w' {
		switch toks[3].s {
		case "pm", "p":
			if h < 12 {
				h += 12
			}
		case "am", "a":
			if h == 12 {
				h = 0
			}
		}
	}
	return h, m, h < 24 && m < 60
}

// cutAtLabels splits s before every date label that starts a word and is
// not the first thing in s. Labels inside a longer one ("modified" in
// "last modified") make no cut of their own.
func cutAtLabels(s string) []string {
	l := strings.ToLower(s)
	if len(l) != len(s) || !containsDigit(s) {
		return []string{s} // lowercasing moved the bytes; cut nothing
	}
	if !modifiedSet.in(l) && !publishedSet.in(l) {
		return []string{s}
	}
	var cuts []int
	for _, lab := range cutLabels {
		for from := 0; from < len(l); {
			i := strings.Index(l[from:], lab)
			if i < 0 {
				break
			}
			i += from
			from = i + len(lab)
			if i == 0 {
				continue
			}
			if !wordAt(l, i, i+len(lab), lab) {
				continue
			}
			cuts = append(cuts, i, i+len(lab))
		}
	}
	if len(cuts) == 0 {
		return []string{s}
	}
	// Keep a cut only if no other label match covers it.
	var keep []int
	for k := 0; k < len(cuts); k += 2 {
		inside := false
		for j := 0; j < len(cuts); j += 2 {
			if j != k && cuts[j] < cuts[k] && cuts[k] < cuts[j+1] {
				inside = true
				break
			}
		}
		if !inside && !slices.Contains(keep, cuts[k]) {
			keep = append(keep, cuts[k])
		}
	}
	slices.Sort(keep)
	out := make([]string, 0, len(keep)+1)
	prev := 0
	for _, c := range keep {
		out = append(out, s[prev:c])
		prev = c
	}
	return append(out, s[prev:])
}

// pageType tells a story from a home, section or listing page.
