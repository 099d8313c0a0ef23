package extract

import (
	"math/bits"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
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

// langNames lists the languages of stopwords in sorted order. stopTable
// maps a stopword, packed into a uint64 by packWord, to the bit set of the
// languages (by index in langNames) that use it: an open-addressing table,
// because the lookup runs for every word of the sample.
var langNames, stopTable = func() ([]string, *[stopTableSize]stopEntry) {
	var names []string
	for lang := range stopwords {
		names = append(names, lang)
	}
	sort.Strings(names)
	if len(names) > 32 {
		panic("extract: too many stopword languages")
	}
	var t [stopTableSize]stopEntry
	for i, lang := range names {
		for _, w := range stopwords[lang] {
			k, ok := packWord([]byte(w))
			if !ok {
				panic("extract: stopword longer than 8 bytes: " + w)
			}
			h := stopHash(k)
			for t[h].key != 0 && t[h].key != k {
				h = (h + 1) % stopTableSize
			}
			t[h].key = k
			t[h].langs |= 1 << i
		}
	}
	return names, &t
}()

const stopTableSize = 2048

type stopEntry struct {
	key   uint64
	langs uint32
}

// packWord packs a word of 1 to 8 bytes into a non-zero uint64.
func packWord(w []byte) (uint64, bool) {
	if len(w) == 0 || len(w) > 8 {
		return 0, false
	}
	var k uint64
	for i, c := range w {
		k |= uint64(c) << (8 * i)
	}
	return k, true
}

func stopHash(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> (64 - 11) }

// stopLangs returns the set of languages that use word as a stopword.
func stopLangs(word []byte) uint32 {
	k, ok := packWord(word)
	if !ok {
		return 0
	}
	for h := stopHash(k); ; h = (h + 1) % stopTableSize {
		switch stopTable[h].key {
		case k:
			return stopTable[h].langs
		case 0:
			return 0
		}
	}
}

// langSample is how many bytes of text detectLanguage reads.
const langSample = 3000

// detectLanguage guesses the ISO 639-1 language of text by script and, for
// Latin script, by stopword counts. It returns "" when unsure.
func detectLanguage(text string) string {
	if len(text) > langSample {
		text = text[:langSample]
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
	var counts [32]int
	words := 0
	// Each word is lowercased on its own into word, rune by rune as
	// strings.ToLower does.
	var wordBuf [64]byte
	word := wordBuf[:0]
	inWord := false
	for _, r := range text {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			if 'a' <= r && r <= 'z' {
				word = append(word, byte(r))
				inWord = true
				continue
			}
		} else if r = unicode.ToLower(r); unicode.IsLetter(r) {
			word = utf8.AppendRune(word, r)
			inWord = true
			continue
		}
		if inWord {
			words++
			for set := stopLangs(word); set != 0; set &= set - 1 {
				counts[bits.TrailingZeros32(set)]++
			}
			word = word[:0]
			inWord = false
		}
	}
	// Ties go to the first language in sorted order.
	best, bestN := "", 0
	for i, n := range counts[:len(langNames)] {
		if n > bestN {
			best, bestN = langNames[i], n
		}
	}
	second := 0
	for i, n := range counts[:len(langNames)] {
		if langNames[i] != best && n > second {
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
