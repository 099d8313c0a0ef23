package extract

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// minDate is the earliest date accepted: the web news era.
var minDate = time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)

// months maps month names and common abbreviations in English, German,
// French, Spanish, Italian, Portuguese and Dutch (and a few more) to 1..12.
var months = map[string]int{}

func init() {
	names := [][]string{
		{"january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "gen", "janeiro", "januari", "styczeń", "stycznia", "ocak", "январь", "января", "ianuarie"},
		{"february", "feb", "febr", "februar", "février", "fevrier", "févr", "fev", "fév", "febrero", "febbraio", "fevereiro", "februari", "lutego", "şubat", "февраль", "февраля", "februarie"},
		{"march", "mar", "märz", "maerz", "mär", "mrz", "mars", "marzo", "março", "marco", "maart", "mrt", "marca", "mart", "март", "марта", "martie"},
		{"april", "apr", "avril", "avr", "abril", "abr", "aprile", "kwietnia", "nisan", "апрель", "апреля", "aprilie"},
		{"may", "mai", "mayo", "maggio", "mag", "maio", "mei", "maja", "mayıs", "май", "мая"},
		{"june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho", "czerwca", "haziran", "июнь", "июня", "iunie"},
		{"july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "lipca", "temmuz", "июль", "июля", "iulie"},
		{"august", "aug", "août", "aout", "agosto", "ago", "augustus", "sierpnia", "ağustos", "август", "августа", "august"},
		{"september", "sep", "sept", "septembre", "septiembre", "set", "settembre", "setembro", "wrzesień", "września", "eylül", "сентябрь", "сентября", "septembrie"},
		{"october", "oct", "okt", "oktober", "octobre", "octubre", "ottobre", "ott", "outubro", "out", "października", "ekim", "октябрь", "октября", "octombrie"},
		{"november", "nov", "novembre", "noviembre", "novembro", "listopada", "kasım", "ноябрь", "ноября", "noiembrie"},
		{"december", "dec", "dez", "dezember", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre", "dezembro", "grudnia", "aralık", "декабрь", "декабря", "decembrie"},
	}
	for i, ns := range names {
		for _, n := range ns {
			months[n] = i + 1
		}
	}
}

// zones maps time-zone abbreviations seen on news sites to offsets in
// minutes. Ambiguous ones take the most common news meaning (IST is India).
var zones = map[string]int{
	"utc": 0, "gmt": 0, "z": 0, "ut": 0, "wet": 0, "bst": 60, "ist": 330, "cet": 60, "cest": 120, "mez": 60, "mesz": 120,
	"eet": 120, "eest": 180, "msk": 180, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360,
	"pst": -480, "pdt": -420, "akst": -540, "akdt": -480, "hst": -600, "ast": -240, "adt": -180, "nst": -210, "ndt": -150, "jst": 540, "kst": 540,
	"hkt": 480, "sgt": 480, "awst": 480, "acst": 570, "aest": 600, "aedt": 660, "nzst": 720, "nzdt": 780, "wib": 420, "pkt": 300,
	"brt": -180, "art": -180, "sast": 120, "cat": 120, "eat": 180, "wat": 60, "pht": 480, "ict": 420, "gst": 240, "et": -300, "pt": -480, "ct": -360,
	"мск": 180, "msd": 240,
}

// parseDate reads a date in any of the forms news pages use: ISO 8601 and
// RFC 3339, RFC 1123, and free text such as "Aug. 22, 2020, 3:04 PM EDT",
// "22. August 2020", "22 de agosto de 2020" or "22-08-2020 03:12 IST".
// Numeric day-month order follows mdy (true for US English) unless a field
// is over 12. The offset of the result is the page's own; UTC when it gave
// none. now reads two-digit years (see century).
func parseDate(s string, mdy bool, now time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 200 {
		return time.Time{}, false
	}
	if t, ok := parseISO(s); ok {
		return t, true
	}
	return parseFree(s, mdy, now)
}

// validDate reports whether t can be a publication date: not before the
// web news era, not after now (a day and a half of slack covers time
// zones and clocks); a zero now sets no upper bound.
func validDate(t time.Time, now time.Time) bool {
	return !t.Before(minDate) && (now.IsZero() || !t.After(now.Add(36*time.Hour)))
}

// century turns a two-digit year into a full one: the latest year not
// more than one year after now, or, with a zero now, the POSIX pivot
// (69-99 are 1969-1999, 00-68 are 2000-2068).
func century(yy int, now time.Time) int {
	if now.IsZero() {
		if yy >= 69 {
			return 1900 + yy
		}
		return 2000 + yy
	}
	y := 2000 + yy
	if y > now.Year()+1 {
		y -= 100
	}
	return y
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
		if n > 1e9 {
			return -1
		}
	}
	return n
}

// parseISO handles YYYY-MM-DD with optional time and offset, and the
// compact YYYYMMDD.
func parseISO(s string) (time.Time, bool) {
	if len(s) < 8 {
		return time.Time{}, false
	}
	if len(s) >= 8 && isDigits(s[:8]) && (len(s) == 8 || !isDigit(s[8])) {
		if len(s) == 8 || s[8] == 'T' || s[8] == ' ' {
			y, m, d := atoi(s[:4]), atoi(s[4:6]), atoi(s[6:8])
			if t, ok := mkDate(y, m, d); ok && len(s) == 8 {
				return t, true
			}
		}
	}
	if len(s) < 10 || !isDigits(s[:4]) || (s[4] != '-' && s[4] != '/' && s[4] != '.') {
		return time.Time{}, false
	}
	sep := s[4]
	rest := s[5:]
	mo, rest := leadingNum(rest)
	if mo < 0 || len(rest) == 0 || rest[0] != sep {
		return time.Time{}, false
	}
	d, rest := leadingNum(rest[1:])
	if d < 0 {
		return time.Time{}, false
	}
	t, ok := mkDate(atoi(s[:4]), mo, d)
	if !ok {
		return time.Time{}, false
	}
	rest = strings.TrimLeft(rest, " T,")
	if rest == "" {
		return t, true
	}
	h, mi, sec, nsec, rest, ok := parseClock(rest)
	if !ok {
		return t, true
	}
	rest = strings.TrimSpace(rest)
	// am/pm after an ISO time is rare but harmless
	if l := strings.ToLower(rest); strings.HasPrefix(l, "pm") || strings.HasPrefix(l, "p.m") {
		if h < 12 {
			h += 12
		}
		rest = strings.TrimSpace(rest[2:])
	} else if strings.HasPrefix(l, "am") || strings.HasPrefix(l, "a.m") {
		if h == 12 {
			h = 0
		}
		rest = strings.TrimSpace(rest[2:])
	}
	loc := time.UTC
	if off, ok := parseOffset(rest); ok {
		loc = fixedZone(off)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), h, mi, sec, nsec, loc), true
}

func leadingNum(s string) (int, string) {
	i := 0
	for i < len(s) && i < 4 && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return -1, s
	}
	return atoi(s[:i]), s[i:]
}

// parseClock reads hh:mm[:ss[.frac]].
func parseClock(s string) (h, m, sec, nsec int, rest string, ok bool) {
	h, r := leadingNum(s)
	if h < 0 || h > 24 || len(r) < 3 || (r[0] != ':' && r[0] != '.' && r[0] != 'h') {
		return 0, 0, 0, 0, s, false
	}
	m, r = leadingNum(r[1:])
	if m < 0 || m > 59 {
		return 0, 0, 0, 0, s, false
	}
	if len(r) > 1 && r[0] == ':' && isDigit(r[1]) {
		sec, r = leadingNum(r[1:])
		if sec > 60 {
			return 0, 0, 0, 0, s, false
		}
		if len(r) > 1 && (r[0] == '.' || r[0] == ',') && isDigit(r[1]) {
			i := 1
			for i < len(r) && isDigit(r[i]) {
				i++
			}
			frac := r[1:i]
			if len(frac) > 9 {
				frac = frac[:9]
			}
			nsec = atoi(frac)
			for k := len(frac); k < 9; k++ {
				nsec *= 10
			}
			r = r[i:]
		}
	}
	if h == 24 {
		h = 0
	}
	return h, m, sec, nsec, r, true
}

// parseOffset reads Z, +hh:mm, +hhmm, +hh, or a zone abbreviation, possibly
// "GMT+2" / "UTC+05:30".
func parseOffset(s string) (int, bool) {
	s = strings.TrimSpace(strings.Trim(s, "()"))
	if s == "" {
		return 0, false
	}
	if s[0] == 'Z' || s[0] == 'z' {
		if len(s) == 1 || !isLetter(s[1]) {
			return 0, true
		}
	}
	l := strings.ToLower(s)
	for _, p := range []string{"gmt", "utc"} {
		if strings.HasPrefix(l, p) && len(l) > 3 && (l[3] == '+' || l[3] == '-') {
			s, l = s[3:], l[3:]
		}
	}
	if s[0] == '+' || s[0] == '-' || strings.HasPrefix(s, "−") {
		sign := 1
		if s[0] == '-' || strings.HasPrefix(s, "−") {
			sign = -1
		}
		_, size := utf8.DecodeRuneInString(s)
		r := s[size:]
		i := 0
		for i < len(r) && (isDigit(r[i]) || r[i] == ':') && i < 5 {
			i++
		}
		d := strings.ReplaceAll(r[:i], ":", "")
		var hh, mm int
		switch len(d) {
		case 1, 2:
			hh = atoi(d)
		case 3:
			hh, mm = atoi(d[:1]), atoi(d[1:])
		case 4:
			hh, mm = atoi(d[:2]), atoi(d[2:])
		default:
			return 0, false
		}
		if hh > 14 || mm > 59 {
			return 0, false
		}
		return sign * (hh*60 + mm), true
	}
	w := l
	if i := strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		w = w[:i]
	}
	if off, ok := zones[w]; ok {
		return off, true
	}
	return 0, false
}

func fixedZone(min int) *time.Location {
	if min == 0 {
		return time.UTC
	}
	return time.FixedZone("", min*60)
}

func mkDate(y, m, d int) (time.Time, bool) {
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

type dtok struct {
	s     string // lowercased word, digits, or a single separator
	num   int    // -1 unless digits
	kind  byte   // 'n' number, 'w' word, 'p' punctuation
	start int
}

func tokenizeDate(s string) []dtok {
	var out []dtok
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r < 128 && isDigit(byte(r)):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			out = append(out, dtok{s: s[i:j], num: atoi(s[i:j]), kind: 'n', start: i})
			i = j
		case unicode.IsLetter(r):
			j := i
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) {
					break
				}
				j += sz
			}
			out = append(out, dtok{s: strings.ToLower(s[i:j]), num: -1, kind: 'w', start: i})
			i = j
		case unicode.IsSpace(r):
			i += size
		default:
			out = append(out, dtok{s: s[i : i+size], num: -1, kind: 'p', start: i})
			i += size
		}
		if len(out) > 80 {
			break
		}
	}
	return out
}

// parseFree reads a date written for people.
func parseFree(s string, mdy bool, now time.Time) (time.Time, bool) {
	toks := tokenizeDate(s)
	y, m, d := -1, -1, -1
	dateEnd := -1 // index of the last token of the date
	// Month name. A month word with a day beside it wins over an earlier
	// one that only has a year nearby: "By Marco Okafor, September 21, 2025"
	// holds the Portuguese month "marco" before the real date.
	weak := [4]int{-1}
	for i, t := range toks {
		if t.kind != 'w' {
			continue
		}
		mo, ok := months[t.s]
		if !ok {
			continue
		}
		// "May" is also an English word; demand a number beside it.
		day, year, end := -1, -1, i
		// day before: "22 August", "22. August", "22 de agosto"
		j := i - 1
		for j >= 0 && (toks[j].kind == 'p' && toks[j].s == "." || toks[j].kind == 'w' && (toks[j].s == "de" || toks[j].s == "of" || toks[j].s == "du")) {
			j--
		}
		if j >= 0 && toks[j].kind == 'n' && toks[j].num >= 1 && toks[j].num <= 31 && len(toks[j].s) <= 2 && !isClockAt(toks, j) {
			day = toks[j].num
		}
		// after: "August 22, 2020", "agosto de 2020", "Aug. 22nd 2020"
		k := i + 1
		for k < len(toks) && (toks[k].kind == 'p' && (toks[k].s == "." || toks[k].s == ",") || toks[k].kind == 'w' && (toks[k].s == "de" || toks[k].s == "del")) {
			k++
		}
		if k < len(toks) && toks[k].kind == 'n' {
			n := toks[k]
			if len(n.s) == 4 && n.num >= 1900 {
				year, end = n.num, k
			} else if day < 0 && n.num >= 1 && n.num <= 31 && len(n.s) <= 2 && !isClockAt(toks, k) {
				day, end = n.num, k
				k++
				if k < len(toks) && toks[k].kind == 'w' && (toks[k].s == "st" || toks[k].s == "nd" || toks[k].s == "rd" || toks[k].s == "th") {
					end = k
					k++
				}
				for k < len(toks) && (toks[k].kind == 'p' && (toks[k].s == "," || toks[k].s == ".") || toks[k].kind == 'w' && (toks[k].s == "de" || toks[k].s == "of")) {
					k++
				}
				if k < len(toks) && toks[k].kind == 'n' && len(toks[k].s) == 4 {
					year, end = toks[k].num, k
				}
			}
		}
		if year < 0 {
			// year elsewhere nearby: "22 August, 2020"? or "Monday 22 August 2020"
			for k := i + 1; k < len(toks) && k <= i+5; k++ {
				if toks[k].kind == 'w' && months[toks[k].s] > 0 {
					break // the year belongs to that month
				}
				if toks[k].kind == 'n' && len(toks[k].s) == 4 && toks[k].num >= 1900 && !isClockAt(toks, k) {
					year, end = toks[k].num, k
					break
				}
			}
		}
		if day < 0 && t.s == "may" || year < 0 {
			continue
		}
		if day < 0 {
			if weak[0] < 0 {
				weak = [4]int{year, mo, 1, end}
			}
			continue
		}
		y, m, d, dateEnd = year, mo, day, end
		break
	}
	// East Asian date: 2020年4月14日 (Chinese, Japanese), 2020년 4월 14일 (Korean).
	if y < 0 {
		for i := 0; i+5 < len(toks); i++ {
			if toks[i].kind == 'n' && len(toks[i].s) == 4 && (toks[i+1].s == "年" || toks[i+1].s == "년") &&
				toks[i+2].kind == 'n' && (toks[i+3].s == "月" || toks[i+3].s == "월") &&
				toks[i+4].kind == 'n' && (toks[i+5].s == "日" || toks[i+5].s == "일") {
				if _, ok := mkDate(toks[i].num, toks[i+2].num, toks[i+4].num); ok {
					y, m, d, dateEnd = toks[i].num, toks[i+2].num, toks[i+4].num, i+5
					break
				}
			}
		}
	}
	// Numeric date: a sep b sep c.
	if y < 0 {
		for i := 0; i+4 < len(toks); i++ {
			a, s1, b, s2, c := toks[i], toks[i+1], toks[i+2], toks[i+3], toks[i+4]
			if a.kind != 'n' || b.kind != 'n' || c.kind != 'n' || s1.kind != 'p' || s1.s != s2.s {
				continue
			}
			if s1.s != "-" && s1.s != "/" && s1.s != "." {
				continue
			}
			if len(a.s) == 4 {
				y, m, d = a.num, b.num, c.num
			} else if len(c.s) == 4 || len(c.s) == 2 && s1.s != "." {
				y = c.num
				if len(c.s) == 2 {
					y = century(c.num, now)
				}
				switch {
				case a.num > 12:
					d, m = a.num, b.num
				case b.num > 12:
					m, d = a.num, b.num
				case mdy:
					m, d = a.num, b.num
				default:
					d, m = a.num, b.num
				}
			} else {
				continue
			}
			if _, ok := mkDate(y, m, d); !ok {
				y = -1
				continue
			}
			dateEnd = i + 4
			break
		}
	}
	if y < 0 && weak[0] >= 0 { // only a month and a year: "August 2020"
		y, m, d, dateEnd = weak[0], weak[1], weak[2], weak[3]
	}
	if y < 0 {
		return time.Time{}, false
	}
	date, ok := mkDate(y, m, d)
	if !ok {
		return time.Time{}, false
	}
	// Time and zone: the first clock in the string.
	h, mi, sec := 0, 0, 0
	loc := time.UTC
	for i := 0; i+2 < len(toks); i++ {
		if !isClockAt(toks, i) || i == dateEnd {
			continue
		}
		h, mi = toks[i].num, toks[i+2].num
		k := i + 3
		if k+1 < len(toks) && toks[k].s == ":" && toks[k+1].kind == 'n' {
			sec = toks[k+1].num
			k += 2
		}
		if k < len(toks) && toks[k].kind == 'w' && (toks[k].s == "h" || toks[k].s == "uhr" || toks[k].s == "hs" || toks[k].s == "hrs") {
			k++
		}
		// am / pm / a.m. / p.m.
		if k < len(toks) && toks[k].kind == 'w' {
			ap := toks[k].s
			if ap == "a" || ap == "p" {
				if k+2 < len(toks) && toks[k+1].s == "." && toks[k+2].s == "m" {
					ap += "m"
					k += 2
				}
			}
			switch ap {
			case "pm":
				if h < 12 {
					h += 12
				}
				k++
			case "am":
				if h == 12 {
					h = 0
				}
				k++
			}
		}
		for k < len(toks) && toks[k].kind == 'p' && toks[k].s == "." {
			k++
		}
		if k < len(toks) {
			if off, ok := parseOffset(s[toks[k].start:]); ok {
				loc = fixedZone(off)
			}
		}
		if h > 23 || mi > 59 || sec > 60 {
			h, mi, sec = 0, 0, 0
		}
		break
	}
	return time.Date(date.Year(), date.Month(), date.Day(), h, mi, sec, 0, loc), true
}

// isClockAt reports whether toks[i] starts an h:mm time.
func isClockAt(toks []dtok, i int) bool {
	if i+2 >= len(toks) || toks[i].kind != 'n' || toks[i+2].kind != 'n' {
		return false
	}
	if toks[i+1].s != ":" && !(toks[i+1].s == "h" && toks[i+1].kind == 'w') {
		if !(toks[i+1].s == "." && i+3 < len(toks) && toks[i+3].kind == 'w' && (toks[i+3].s == "uhr" || toks[i+3].s == "am" || toks[i+3].s == "pm")) {
			return false
		}
	}
	return len(toks[i].s) <= 2 && toks[i].num <= 24 && len(toks[i+2].s) == 2 && toks[i+2].num <= 59
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// urlDate finds /2020/08/22/, /2020-08-22/ or /20200822/ in a URL path.
func urlDate(path string) (time.Time, bool) {
	segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	for i, s := range segs {
		if len(s) == 4 && isDigits(s) && i+1 < len(segs) {
			y := atoi(s)
			mo := atoi(segs[i+1])
			if y < 1995 || mo < 1 || mo > 12 || len(segs[i+1]) > 2 {
				continue
			}
			d := 1
			if i+2 < len(segs) && len(segs[i+2]) <= 2 && isDigits(segs[i+2]) {
				d = atoi(segs[i+2])
			} else {
				continue // year and month alone are too vague for a date
			}
			if t, ok := mkDate(y, mo, d); ok {
				return t, true
			}
		}
		// 2020-08-22 inside a segment
		for j := 0; j+10 <= len(s); j++ {
			if isDigits(s[j:j+4]) && s[j+4] == '-' && isDigits(s[j+5:j+7]) && s[j+7] == '-' && isDigits(s[j+8:j+10]) &&
				(j == 0 || !isDigit(s[j-1])) && (j+10 == len(s) || !isDigit(s[j+10])) {
				if t, ok := mkDate(atoi(s[j:j+4]), atoi(s[j+5:j+7]), atoi(s[j+8:j+10])); ok && t.Year() >= 1995 {
					return t, true
				}
			}
		}
		if len(s) >= 8 {
			for j := 0; j+8 <= len(s); j++ {
				if (j == 0 || !isDigit(s[j-1])) && isDigits(s[j:j+8]) && (j+8 == len(s) || !isDigit(s[j+8])) {
					if t, ok := mkDate(atoi(s[j:j+4]), atoi(s[j+4:j+6]), atoi(s[j+6:j+8])); ok && t.Year() >= 1995 {
						return t, true
					}
				}
			}
		}
	}
	return time.Time{}, false
}
