package simhash

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

// countReference is Count as first written (one addition per bit per
// feature, the unicode tables for every rune): Count must give the same
// fingerprints, or stored fingerprints would stop matching new ones.
func countReference(text string) (uint64, int) {
	var sums [64]int32
	var window [Shingle]uint64
	n := 0
	add := func(f uint64) {
		f = mix(f)
		for b := range 64 {
			sums[b] += int32(f>>b&1)*2 - 1
		}
	}
	const offset, prime = 14695981039346656037, 1099511628211
	h, inWord := uint64(offset), false
	endWord := func() {
		copy(window[:], window[1:])
		window[Shingle-1] = h
		n++
		if n >= Shingle {
			add(shingle(window[:]))
		}
		h, inWord = offset, false
	}
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			r = unicode.ToLower(r)
			for ; r > 0; r >>= 8 {
				h = (h ^ uint64(r&0xff)) * prime
			}
			inWord = true
		} else if inWord {
			endWord()
		}
	}
	if inWord {
		endWord()
	}
	if n == 0 {
		return 0, 0
	}
	if n < Shingle {
		add(shingle(window[Shingle-n:]))
	}
	var out uint64
	for b, s := range sums {
		if s > 0 {
			out |= 1 << b
		}
	}
	return out, n
}

// TestCountMatchesReference compares Count with countReference on short,
// mixed-script and long texts (past the 255 features the byte counters
// hold before they are emptied).
func TestCountMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("abcXYZ019 ,.-'\n\tÄäßØøÉéİıŁłΣσςДдЖж日本語١٢٣\u00a0\u2028Ǆǅǆ")
	texts := []string{"", "one", "Two words.", "covid-19 cases, up 3%", "Häuser am Hafen", "İSTANBUL ıstanbul", "ǄEMAL ǅemal"}
	for _, words := range []int{254, 255, 256, 257, 600, 5000} {
		var b strings.Builder
		for i := range words {
			b.WriteString([]string{"The", "port", "closed", "Budget", "2026", "Straße", "ΣΟΦΊΑ"}[(i*7+i/3)%7])
			b.WriteString(" ")
		}
		texts = append(texts, b.String())
	}
	for range 500 {
		r := make([]rune, rng.IntN(3000))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(r))
	}
	for _, text := range texts {
		h, n := Count(text)
		wantH, wantN := countReference(text)
		if h != wantH || n != wantN {
			t.Fatalf("Count(%.60q) = %#x, %d; reference %#x, %d", text, h, n, wantH, wantN)
		}
	}
}

func FuzzCountMatchesReference(f *testing.F) {
	f.Add("The port operator announced a new budget.")
	f.Add("\xff\xfeÄ İ ǅ 123")
	f.Fuzz(func(t *testing.T, s string) {
		h, n := Count(s)
		wantH, wantN := countReference(s)
		if h != wantH || n != wantN {
			t.Fatalf("Count(%q) = %#x, %d; reference %#x, %d", s, h, n, wantH, wantN)
		}
	})
}

func BenchmarkCount(b *testing.B) {
	text := strings.Repeat("The port operator announced a new budget on Tuesday, 3% up. ", 40)
	for b.Loop() {
		Count(text)
	}
}

func BenchmarkCountReference(b *testing.B) {
	text := strings.Repeat("The port operator announced a new budget on Tuesday, 3% up. ", 40)
	for b.Loop() {
		countReference(text)
	}
}
