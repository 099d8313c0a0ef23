package extract

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// minDate is the earliest date accepted: the web news era.
var minDate = time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)

// months maps month names and their common abbreviations, lowercase, to
// 1..12, in the languages the extractor detects (see lang.go) and a few
// neighbours: English, German, French, Spanish, Catalan, Italian,
// Portuguese, Dutch, Swedish, Danish, Norwegian, Polish, Czech, Romanian,
// Turkish, Indonesian, Finnish, Hungarian, Russian, Ukrainian, Greek,
// Arabic, Hebrew, Hindi and Thai, in the nominative and, where dates use
// it, the genitive ("28 апреля", "3. března"). Greek names are also listed
// without their accents, as capitals drop them.
var months = map[string]int{}

func init() {
	names := [12][]string{
		{"january", "jan", "januar", "jänner", "jaenner", "janvier", "janv", "enero", "ene", "gener", "gennaio", "gen", "janeiro",
			"januari", "styczeń", "styczen", "stycznia", "leden", "ledna", "ianuarie", "ian", "ocak", "tammikuu", "tammikuuta",
			"január", "январь", "января", "янв", "січень", "січня", "ιανουάριος", "ιανουαρίου", "ιαν", "يناير", "ינואר", "בינואר", "जनवरी", "มกราคม"},
		{"february", "feb", "febr", "februar", "feber", "février", "fevrier", "févr", "fevr", "fev", "fév", "febrero", "febrer",
			"febbraio", "fevereiro", "februari", "luty", "lutego", "únor", "února", "februarie", "şubat", "subat", "helmikuu",
			"helmikuuta", "február", "февраль", "февраля", "фев", "лютий", "лютого", "φεβρουάριος", "φεβρουαρίου", "φεβ", "فبراير",
			"شباط", "פברואר", "בפברואר", "फ़रवरी", "फरवरी", "กุมภาพันธ์"},
		{"march", "mar", "märz", "maerz", "mär", "mrz", "mars", "marzo", "març", "março", "marco", "maart", "mrt", "marts",
			"marzec", "marca", "březen", "března", "martie", "mart", "maret", "maaliskuu", "maaliskuuta", "március", "márc",
			"март", "марта", "березень", "березня", "μάρτιος", "μαρτίου", "مارس", "آذار", "מרץ", "במרץ", "मार्च", "มีนาคม"},
		{"april", "apr", "avril", "avr", "abril", "abr", "aprile", "kwiecień", "kwiecien", "kwietnia", "duben", "dubna", "aprilie",
			"nisan", "huhtikuu", "huhtikuuta", "április", "ápr", "апрель", "апреля", "апр", "квітень", "квітня", "απρίλιος",
			"απριλίου", "απρ", "أبريل", "ابريل", "إبريل", "نيسان", "אפריל", "באפריל", "अप्रैल", "เมษายน"},
		{"may", "mai", "mayo", "maig", "maggio", "mag", "maio", "mei", "maj", "maja", "květen", "května", "mayıs", "mayis",
			"toukokuu", "toukokuuta", "május", "máj", "май", "мая", "травень", "травня", "μάιος", "μαΐου", "μαΐ", "مايو", "أيار",
			"מאי", "במאי", "मई", "พฤษภาคม"},
		{"june", "jun", "juni", "juin", "junio", "juny", "giugno", "giu", "junho", "czerwiec", "czerwca", "červen", "června",
			"iunie", "iun", "haziran", "kesäkuu", "kesäkuuta", "június", "jún", "июнь", "июня", "июн", "червень", "червня",
			"ιούνιος", "ιουνίου", "ιουν", "يونيو", "يونيه", "حزيران", "יוני", "ביוני", "जून", "มิถุนายน"},
		{"july", "jul", "juli", "juillet", "juil", "julio", "juliol", "luglio", "lug", "julho", "lipiec", "lipca", "červenec",
			"července", "iulie", "iul", "temmuz", "heinäkuu", "heinäkuuta", "július", "júl", "июль", "июля", "июл", "липень",
			"липня", "ιούλιος", "ιουλίου", "ιουλ", "يوليو", "يوليه", "تموز", "יולי", "ביולי", "जुलाई", "กรกฎาคม"},
		{"august", "aug", "août", "aout", "agosto", "agost", "ago", "augustus", "augusti", "sierpień", "sierpien", "sierpnia",
			"srpen", "srpna", "ağustos", "agustos", "agustus", "agu", "agt", "elokuu", "elokuuta", "augusztus", "август", "августа",
			"авг", "серпень", "серпня", "αύγουστος", "αυγούστου", "αυγ", "أغسطس", "اغسطس", "آب", "אוגוסט", "באוגוסט", "अगस्त",
			"สิงหาคม"},
		{"september", "sep", "sept", "septembre", "septiembre", "setiembre", "setembre", "set", "settembre", "setembro",
			"wrzesień", "wrzesien", "września", "září", "septembrie", "eylül", "eylul", "syyskuu", "syyskuuta", "szeptember",
			"szept", "сентябрь", "сентября", "сен", "сент", "вересень", "вересня", "σεπτέμβριος", "σεπτεμβρίου", "σεπ", "سبتمبر",
			"أيلول", "ספטמבר", "בספטמבר", "सितंबर", "सितम्बर", "กันยายน"},
		{"october", "oct", "okt", "oktober", "octobre", "octubre", "ottobre", "ott", "outubro", "out", "październik",
			"pazdziernik", "października", "říjen", "října", "octombrie", "ekim", "lokakuu", "lokakuuta", "október", "октябрь",
			"октября", "окт", "жовтень", "жовтня", "οκτώβριος", "οκτωβρίου", "οκτ", "أكتوبر", "اكتوبر", "אוקטובר", "באוקטובר",
			"अक्टूबर", "अक्तूबर", "ตุลาคม"},
		{"november", "nov", "novembre", "noviembre", "novembro", "listopad", "listopada", "listopadu", "noiembrie", "kasım",
			"kasim", "marraskuu", "marraskuuta", "ноябрь", "ноября", "ноя", "нояб", "листопад", "листопада", "νοέμβριος",
			"νοεμβρίου", "νοε", "نوفمبر", "נובמבר", "בנובמבר", "नवंबर", "नवम्बर", "พฤศจิกายน"},
		{"december", "dec", "dez", "dezember", "décembre", "decembre", "déc", "diciembre", "dic", "desembre", "dicembre",
			"dezembro", "desember", "des", "grudzień", "grudzien", "grudnia", "prosinec", "prosince", "decembrie", "aralık",
			"aralik", "joulukuu", "joulukuuta", "декабрь", "декабря", "дек", "грудень", "грудня", "δεκέμβριος", "δεκεμβρίου",
			"δεκ", "ديسمبر", "דצמבר", "בדצמבר", "दिसंबर", "दिसम्बर", "ธันวาคม"},
	}
	for i, ns := range names {
		for _, n := range ns {
			months[n] = i + 1
			if g := stripGreekAccents(n); g != n {
				months[g] = i + 1
			}
		}
	}
}

// stripGreekAccents removes the tonos and dialytika from Greek letters, as
// text in capitals drops them.
func stripGreekAccents(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'ά':
			return 'α'
		case 'έ':
			return 'ε'
		case 'ή':
			return 'η'
		case 'ί', 'ϊ', 'ΐ':
			return 'ι'
		case 'ό':
			return 'ο'
		case 'ύ', 'ϋ', 'ΰ':
			return 'υ'
		case 'ώ':
			return 'ω'
		}
		return r
	}, s)
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
	s = asciiDigits(s)
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

// asciiDigits writes the decimal digits of other scripts (Arabic-Indic,
// Persian, Devanagari, Bengali, Thai, full-width) as ASCII digits.
func asciiDigits(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	found := false
	for _, r := range s {
		if digitZero(r) >= 0 {
			found = true
			break
		}
	}
	if !found {
		return s
	}
	return strings.Map(func(r rune) rune {
		if z := digitZero(r); z >= 0 {
			return '0' + r - z
		}
		return r
	}, s)
}

// digitZero returns the zero of the non-ASCII digit block r belongs to, or
// -1.
func digitZero(r rune) rune {
	for _, z := range [...]rune{0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0xFF10} {
		if r >= z && r <= z+9 {
			return z
		}
	}
	return -1
}

// mkDate builds a calendar date. Years of the Thai Buddhist era (2443 and
// on, as Thai pages print them) are converted.
func mkDate(y, m, d int) (time.Time, bool) {
	if y >= 2400 && y <= 2700 {
		y -= 543
	}
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

// tokenizeDate cuts s into at most max tokens.
func tokenizeDate(s string, max int) []dtok {
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
		case unicode.IsLetter(r) && isCJK(r):
			// Ideographs, kana and Hangul are tokens of their own: "2020年4月14日午後".
			out = append(out, dtok{s: s[i : i+size], num: -1, kind: 'w', start: i})
			i += size
		case unicode.IsLetter(r):
			j := i
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) && !unicode.Is(unicode.Mn, r2) && !unicode.Is(unicode.Mc, r2) || isCJK(r2) {
					break
				}
				j += sz
			}
			w := strings.ToLower(s[i:j])
			if _, ok := months[w]; !ok && r >= 0x370 && r <= 0x3FF {
				w = stripGreekAccents(w)
			}
			out = append(out, dtok{s: w, num: -1, kind: 'w', start: i})
			i = j
		case unicode.IsSpace(r):
			i += size
		default:
			out = append(out, dtok{s: s[i : i+size], num: -1, kind: 'p', start: i})
			i += size
		}
		if len(out) >= max {
			break
		}
	}
	return out
}

// dateSpan is a calendar date found in a token list: toks[start:end+1].
type dateSpan struct{ y, m, d, start, end int }

// ordinalWords follow a day number: "22nd", "1er", "1º".
func ordinalWord(s string) bool {
	switch s {
	case "st", "nd", "rd", "th", "er", "re", "º", "ª", "°", "e", "ste", "de", "te":
		return true
	}
	return false
}

// scanDates finds the full dates in toks, in the order they start:
// month-name dates in the orders of the extractor's languages ("22 August
// 2020", "August 22, 2020", "22 de agosto de 2020", "2020. március 3."),
// East Asian dates and numeric dates (day-month order follows mdy unless a
// field is over 12). weak is the first month-and-year ("August 2020"),
// returned for when no full date is found. At most limit dates are
// returned.
func scanDates(toks []dtok, mdy bool, now time.Time, limit int) (spans []dateSpan, weak dateSpan) {
	weak.y = -1
	taken := func(i int) bool {
		for _, sp := range spans {
			if i >= sp.start && i <= sp.end {
				return true
			}
		}
		return false
	}
	// Month names.
	for i, t := range toks {
		if t.kind != 'w' || len(spans) >= limit {
			continue
		}
		mo, ok := months[t.s]
		if !ok {
			continue
		}
		day, year, start, end := -1, -1, i, i
		// day before: "22 August", "22. August", "22 de agosto", "22nd of August", "1er janvier"
		j := i - 1
		for j >= 0 && (toks[j].kind == 'p' && toks[j].s == "." || toks[j].kind == 'w' && (toks[j].s == "of" || toks[j].s == "du" || ordinalWord(toks[j].s))) {
			j--
		}
		if j >= 0 && toks[j].kind == 'n' && toks[j].num >= 1 && toks[j].num <= 31 && len(toks[j].s) <= 2 && !isClockAt(toks, j) && !taken(j) {
			day, start = toks[j].num, j
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
				if k < len(toks) && toks[k].kind == 'w' && ordinalWord(toks[k].s) {
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
		if year < 0 && day > 0 {
			// year first: "2021. március 3." (Hungarian), "2021, March 3"
			k := start - 1
			for k >= 0 && toks[k].kind == 'p' && (toks[k].s == "." || toks[k].s == ",") {
				k--
			}
			if k >= 0 && toks[k].kind == 'n' && len(toks[k].s) == 4 && toks[k].num >= 1900 {
				year, start = toks[k].num, k
			}
		}
		// Month words that are also common words ("May", "mar", "set",
		// "out") need a day beside them.
		if day < 0 && ambiguousMonth[t.s] || year < 0 {
			continue
		}
		if day < 0 {
			if weak.y < 0 {
				weak = dateSpan{y: year, m: mo, d: 1, start: i, end: end}
			}
			continue
		}
		if _, ok := mkDate(year, mo, day); ok && !taken(start) && !taken(end) {
			spans = append(spans, dateSpan{y: year, m: mo, d: day, start: start, end: end})
		}
	}
	// East Asian date: 2020年4月14日 (Chinese, Japanese), 2020년 4월 14일 (Korean).
	for i := 0; i+5 < len(toks) && len(spans) < limit; i++ {
		if toks[i].kind == 'n' && len(toks[i].s) == 4 && (toks[i+1].s == "年" || toks[i+1].s == "년") &&
			toks[i+2].kind == 'n' && (toks[i+3].s == "月" || toks[i+3].s == "월") &&
			toks[i+4].kind == 'n' && (toks[i+5].s == "日" || toks[i+5].s == "일") && !taken(i) {
			if _, ok := mkDate(toks[i].num, toks[i+2].num, toks[i+4].num); ok {
				spans = append(spans, dateSpan{y: toks[i].num, m: toks[i+2].num, d: toks[i+4].num, start: i, end: i + 5})
			}
		}
	}
	// Numeric date: a sep b sep c.
	for i := 0; i+4 < len(toks) && len(spans) < limit; i++ {
		a, s1, b, s2, c := toks[i], toks[i+1], toks[i+2], toks[i+3], toks[i+4]
		if a.kind != 'n' || b.kind != 'n' || c.kind != 'n' || s1.kind != 'p' || s1.s != s2.s {
			continue
		}
		if s1.s != "-" && s1.s != "/" && s1.s != "." || taken(i) || taken(i+4) {
			continue
		}
		// Not a piece of a longer run of numbers (a phone number, an
		// address, a version).
		if i > 0 && toks[i-1].kind == 'p' && toks[i-1].s == s1.s && i > 1 && toks[i-2].kind == 'n' ||
			i+6 < len(toks) && toks[i+5].kind == 'p' && toks[i+5].s == s1.s && toks[i+6].kind == 'n' {
			continue
		}
		var y, m, d int
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
		if _, ok := mkDate(y, m, d); ok {
			spans = append(spans, dateSpan{y: y, m: m, d: d, start: i, end: i + 4})
			i += 4
		}
	}
	slices.SortFunc(spans, func(a, b dateSpan) int { return a.start - b.start })
	return spans, weak
}

// ambiguousMonth lists month names and abbreviations that are also common
// words in one of the extractor's languages.
var ambiguousMonth = map[string]bool{"may": true, "mar": true, "set": true, "out": true, "ago": true, "gen": true, "mag": true, "ene": true}

// findDates returns up to limit calendar dates written in s, in order.
func findDates(s string, mdy bool, now time.Time, limit int) []time.Time {
	spans, _ := scanDates(tokenizeDate(asciiDigits(s), 4000), mdy, now, limit)
	out := make([]time.Time, 0, len(spans))
	for _, sp := range spans {
		out = append(out, time.Date(sp.y, time.Month(sp.m), sp.d, 0, 0, 0, 0, time.UTC))
	}
	return out
}

// parseFree reads a date written for people: the first date in s, with the
// first clock time and zone after it.
func parseFree(s string, mdy bool, now time.Time) (time.Time, bool) {
	toks := tokenizeDate(s, 81)
	spans, weak := scanDates(toks, mdy, now, 4)
	var y, m, d, dateEnd int
	switch {
	case len(spans) > 0:
		y, m, d, dateEnd = spans[0].y, spans[0].m, spans[0].d, spans[0].end
	case weak.y >= 0: // only a month and a year: "August 2020"
		y, m, d, dateEnd = weak.y, weak.m, weak.d, weak.end
	default:
		y = -1
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

// isCJK reports whether r is an ideograph, kana or Hangul: scripts written
// without spaces between words.
func isCJK(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r))
}
