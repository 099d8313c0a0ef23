package extract

import (
	"strings"
	"unicode"
)

// stopwords are the most frequent short words of each language; a few dozen
// per language tell them apart on a paragraph or two of news prose.
var stopwords = map[string][]string{
	"en": {"the", "and", "of", "to", "in", "is", "that", "for", "it", "was", "on", "with", "he", "as", "are", "at", "by", "this", "have", "from", "they", "but", "has", "not", "be", "which", "said", "were", "their", "been", "would", "who", "will", "an", "its", "or", "had"},
	"de": {"der", "die", "und", "das", "ist", "nicht", "mit", "sich", "den", "auf", "ein", "eine", "dem", "des", "zu", "für", "von", "auch", "es", "im", "sie", "werden", "wird", "hat", "nach", "bei", "sind", "wie", "aus", "noch", "einer", "über", "oder", "wurde", "aber", "dass"},
	"fr": {"le", "la", "les", "et", "des", "est", "une", "du", "dans", "un", "que", "qui", "pour", "pas", "sur", "au", "avec", "il", "ce", "sont", "par", "plus", "elle", "aux", "ont", "été", "mais", "nous", "ses", "leur", "cette", "comme", "se"},
	"es": {"el", "la", "de", "que", "y", "los", "en", "las", "del", "se", "por", "un", "una", "para", "con", "no", "es", "su", "al", "lo", "como", "más", "pero", "sus", "le", "ha", "fue", "este", "entre", "cuando", "muy", "sin", "sobre", "también", "han"},
	"it": {"il", "di", "che", "la", "e", "non", "per", "un", "una", "del", "della", "in", "è", "sono", "con", "gli", "le", "si", "da", "al", "dei", "nel", "alla", "anche", "come", "più", "ma", "delle", "ha", "questo", "stato", "nella", "lo"},
	"pt": {"de", "que", "não", "o", "a", "os", "as", "do", "da", "em", "um", "uma", "para", "com", "no", "na", "se", "por", "mais", "dos", "das", "foi", "ao", "como", "mas", "ele", "à", "seu", "sua", "também", "são", "pelo", "pela", "está", "já"},
	"nl": {"de", "het", "een", "en", "van", "ik", "te", "dat", "die", "in", "is", "niet", "op", "aan", "met", "voor", "zijn", "er", "maar", "om", "ook", "als", "bij", "nog", "wordt", "door", "naar", "dan", "heeft", "worden", "uit", "werd", "over", "hij", "zij"},
	"sv": {"och", "det", "att", "i", "en", "jag", "hon", "som", "han", "på", "den", "med", "var", "sig", "för", "så", "till", "är", "men", "ett", "om", "hade", "de", "av", "icke", "inte", "har", "från", "vid", "kan", "efter", "också"},
	"da": {"og", "i", "at", "det", "en", "den", "til", "er", "som", "på", "de", "med", "han", "af", "for", "ikke", "der", "var", "mig", "sig", "men", "et", "har", "om", "vi", "efter", "også", "blev", "fra", "kan"},
	"no": {"og", "i", "det", "på", "som", "er", "en", "til", "av", "for", "med", "at", "har", "ikke", "den", "de", "om", "et", "fra", "var", "seg", "men", "også", "etter", "kan", "vil", "ble", "skal"},
	"pl": {"i", "w", "się", "na", "nie", "z", "do", "to", "że", "jest", "o", "jak", "po", "co", "tak", "za", "od", "ale", "przez", "już", "jego", "tym", "oraz", "może", "są", "był", "dla", "ich", "jej"},
	"cs": {"a", "se", "na", "je", "že", "v", "s", "z", "do", "to", "o", "jsou", "ve", "by", "ale", "jak", "pro", "za", "jeho", "který", "která", "které", "také", "bylo", "byl", "podle", "jako", "už", "po"},
	"ro": {"și", "în", "de", "la", "a", "cu", "care", "pe", "din", "nu", "mai", "este", "un", "o", "pentru", "că", "fost", "sunt", "se", "au", "ca", "prin", "dar", "această", "acest", "ei"},
	"tr": {"ve", "bir", "bu", "da", "de", "için", "ile", "olarak", "çok", "daha", "gibi", "olan", "ama", "sonra", "kadar", "en", "ne", "her", "ise", "değil", "var", "yok", "o", "mi"},
	"id": {"yang", "dan", "di", "dengan", "untuk", "dari", "ini", "itu", "dalam", "tidak", "akan", "pada", "juga", "ke", "karena", "ada", "oleh", "bahwa", "saat", "mereka", "sudah", "atau", "kata", "lebih", "bisa"},
	"fi": {"ja", "on", "ei", "se", "että", "oli", "hän", "mutta", "kuin", "myös", "ovat", "tai", "joka", "jo", "sen", "ole", "vain", "nyt", "kun", "mukaan"},
	"hu": {"a", "az", "és", "hogy", "nem", "is", "egy", "van", "meg", "de", "csak", "már", "volt", "még", "mint", "ez", "azt", "el", "ki", "fel", "után", "pedig"},
}

var stopIndex = func() map[string][]string {
	idx := map[string][]string{}
	for lang, ws := range stopwords {
		for _, w := range ws {
			idx[w] = append(idx[w], lang)
		}
	}
	return idx
}()

// detectLanguage guesses the ISO 639-1 language of text by script and, for
// Latin script, by stopword counts. It returns "" when unsure.
func detectLanguage(text string) string {
	if len(text) > 3000 {
		text = text[:3000]
	}
	var latin, cyr, greek, arabic, hebrew, han, kana, hangul, thai, deva, other int
	var persian, ukr int
	for _, r := range text {
		switch {
		case r < 0x80:
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				latin++
			}
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
			if r == 'і' || r == 'ї' || r == 'є' || r == 'ґ' {
				ukr++
			}
		case unicode.Is(unicode.Greek, r):
			greek++
		case unicode.Is(unicode.Arabic, r):
			arabic++
			if r == 'پ' || r == 'چ' || r == 'ژ' || r == 'گ' || r == 'ی' {
				persian++
			}
		case unicode.Is(unicode.Hebrew, r):
			hebrew++
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			kana++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Thai, r):
			thai++
		case unicode.Is(unicode.Devanagari, r):
			deva++
		case unicode.IsLetter(r):
			other++
		}
	}
	total := latin + cyr + greek + arabic + hebrew + han + kana + hangul + thai + deva + other
	if total < 20 {
		return ""
	}
	switch {
	case hangul*3 > total:
		return "ko"
	case kana*10 > total && kana+han > total/2:
		return "ja"
	case han*2 > total:
		return "zh"
	case cyr*2 > total:
		if ukr*50 > cyr {
			return "uk"
		}
		return "ru"
	case greek*2 > total:
		return "el"
	case arabic*2 > total:
		if persian*20 > arabic {
			return "fa"
		}
		return "ar"
	case hebrew*2 > total:
		return "he"
	case thai*2 > total:
		return "th"
	case deva*2 > total:
		return "hi"
	case latin*2 < total:
		return ""
	}
	counts := map[string]int{}
	words := 0
	start := -1
	lower := strings.ToLower(text)
	for i, r := range lower {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			words++
			for _, l := range stopIndex[lower[start:i]] {
				counts[l]++
			}
			start = -1
		}
	}
	best, bestN := "", 0
	for l, n := range counts {
		if n > bestN || n == bestN && l < best {
			best, bestN = l, n
		}
	}
	second := 0
	for l, n := range counts {
		if l != best && n > second {
			second = n
		}
	}
	if words < 10 || bestN*10 < words || bestN < second*5/4 {
		return ""
	}
	return best
}

// primaryLang returns the lowercase primary subtag of a language tag:
// "en-US" -> "en", "pt_BR" -> "pt".
func primaryLang(tag string) string {
	tag = strings.TrimSpace(strings.ToLower(tag))
	if i := strings.IndexAny(tag, "-_ ,;"); i >= 0 {
		tag = tag[:i]
	}
	if len(tag) < 2 || len(tag) > 3 {
		return ""
	}
	for _, r := range tag {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return tag
}
