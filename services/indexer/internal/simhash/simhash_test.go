package simhash_test

import (
	"testing"

	"github.com/newsflow/newsflow/services/indexer/internal/articletest"
	"github.com/newsflow/newsflow/services/indexer/internal/simhash"
)

func TestNearDuplicatesAreNear(t *testing.T) {
	// Bodies with one word changed must nearly always stay within
	// MaxDistance (SimHash is statistical: recall grows with length);
	// unrelated bodies never.
	tests := []struct {
		words, wantNear int
	}{
		{words: 250, wantNear: 170},
		{words: 500, wantNear: 190},
	}
	for _, tt := range tests {
		near, far := nearAndFar(t, tt.words)
		if near < tt.wantNear {
			t.Errorf("%d words: %d/200 one-word edits within distance %d, want >= %d", tt.words, near, simhash.MaxDistance, tt.wantNear)
		}
		if far > 0 {
			t.Errorf("%d words: %d unrelated bodies within distance %d", tt.words, far, simhash.MaxDistance)
		}
	}
}

func nearAndFar(t *testing.T, words int) (near, far int) {
	t.Helper()
	worst := 0
	for seed := range uint64(200) {
		body := articletest.Body(seed, words)
		h := simhash.Of(body)
		edited := simhash.Of(articletest.ChangeWord(body, int(seed*7)%(words-10), "reportedly"))
		d := simhash.Distance(h, edited)
		worst = max(worst, d)
		if simhash.Near(h, edited) {
			near++
		}
		other := simhash.Of(articletest.Body(seed+1000, words))
		if simhash.Near(h, other) {
			far++
		}
	}
	t.Logf("%d words: one-word edits near: %d/200, worst distance %d", words, near, worst)
	return near, far
}

func TestSplit(t *testing.T) {
	tests := []struct {
		give uint64
		want [simhash.Bands]int64
	}{
		{give: 0, want: [4]int64{0, 0, 0, 0}},
		{give: 0x0123456789abcdef, want: [4]int64{0xcdef, 0x89ab, 0x4567, 0x0123}},
		{give: ^uint64(0), want: [4]int64{0xffff, 0xffff, 0xffff, 0xffff}},
	}
	for _, tt := range tests {
		if got := simhash.Split(tt.give); got != tt.want {
			t.Errorf("Split(%#x) = %x, want %x", tt.give, got, tt.want)
		}
	}
}

func TestBandsFindEveryNearHash(t *testing.T) {
	// Pigeonhole: flipping up to MaxDistance bits leaves a band unchanged.
	h := simhash.Of(articletest.Body(1, 250))
	for a := range 64 {
		for b := a; b < 64; b += 7 {
			for c := b; c < 64; c += 13 {
				g := h ^ 1<<a ^ 1<<b ^ 1<<c
				x, y := simhash.Split(h), simhash.Split(g)
				if x[0] != y[0] && x[1] != y[1] && x[2] != y[2] && x[3] != y[3] {
					t.Fatalf("%#x and %#x (distance %d) share no band", h, g, simhash.Distance(h, g))
				}
			}
		}
	}
}

func TestOf(t *testing.T) {
	tests := []struct {
		give, same string
	}{
		{give: "Hello, World!", same: "hello world"},
		{give: "  The  port\nclosed. ", same: "the port closed"},
	}
	for _, tt := range tests {
		if simhash.Of(tt.give) != simhash.Of(tt.same) {
			t.Errorf("Of(%q) != Of(%q): punctuation, case and spacing must not matter", tt.give, tt.same)
		}
	}
	if simhash.Of("") != 0 || simhash.Of(" ,. ") != 0 {
		t.Error("Of of a text without words is not 0")
	}
	if simhash.Of("one") == 0 {
		t.Error("Of of a one-word text is 0")
	}
}

func FuzzOf(f *testing.F) {
	f.Add("The port operator announced a new budget.")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		h := simhash.Of(s)
		if len(simhash.Words(s)) == 0 && h != 0 {
			t.Fatalf("Of(%q) = %#x for a text without words", s, h)
		}
		if simhash.Of(s) != h {
			t.Fatal("Of is not deterministic")
		}
	})
}

func TestCountWords(t *testing.T) {
	tests := []struct {
		give string
		want int
	}{
		{give: "", want: 0},
		{give: "one", want: 1},
		{give: "Two words.", want: 2},
		{give: "covid-19 cases, up 3%", want: 5},
		{give: "Häuser am Hafen", want: 3},
	}
	for _, tt := range tests {
		if _, got := simhash.Count(tt.give); got != tt.want || got != len(simhash.Words(tt.give)) {
			t.Errorf("Count(%q) words = %d, want %d (Words: %d)", tt.give, got, tt.want, len(simhash.Words(tt.give)))
		}
	}
}
