package score

import (
	"math"
	"reflect"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		give string
		want []string
	}{
		{give: "", want: nil},
		{give: "Hello, world!", want: []string{"Hello", "world"}},
		{give: "snake_case x2 3.14", want: []string{"snake_case", "x2", "3", "14"}},
		{give: "Grüße aus Köln—straße", want: []string{"Grüße", "aus", "Köln", "straße"}},
		{give: "Привет мир", want: []string{"Привет", "мир"}},
		{give: "東京、日本", want: []string{"東京", "日本"}},
		{give: "don’t", want: []string{"don", "t"}},
		{give: "½ ²", want: []string{"½", "²"}},
	}
	for _, tt := range tests {
		if got := Tokens(tt.give); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestShinglesShort(t *testing.T) {
	tests := []struct {
		give []string
		want map[string]int
	}{
		{give: nil, want: map[string]int{}},
		{give: []string{"a"}, want: map[string]int{"a": 1}},
		{give: []string{"a", "b", "c"}, want: map[string]int{"a\x00b\x00c": 1}},
		{give: []string{"a", "b", "c", "d"}, want: map[string]int{"a\x00b\x00c\x00d": 1}},
		{give: []string{"a", "a", "a", "a", "a"}, want: map[string]int{"a\x00a\x00a\x00a": 2}},
	}
	for _, tt := range tests {
		if got := Shingles(tt.give, N); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Shingles(%q) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestCompare(t *testing.T) {
	tests := []struct {
		name        string
		truth, pred string
		tp, fp, fn  float64
		exact       bool
	}{
		{name: "identical", truth: "a b c d e", pred: "a b c d e", tp: 1, exact: true},
		{name: "punctuation ignored", truth: "a, b. c d e", pred: "a b c d e!", tp: 1, exact: true},
		{name: "both empty", truth: "", pred: "", exact: true},
		{name: "empty prediction", truth: "a b c d e", pred: "", fn: 1},
		{name: "empty truth", truth: "", pred: "a b c d", fp: 1},
		// truth shingles: abcd bcde; pred: abcd bcde cdef -> tp 2 fp 1.
		{name: "extra", truth: "a b c d e", pred: "a b c d e f", tp: 2.0 / 3, fp: 1.0 / 3},
		// truth: abcd bcde cdef; pred: abcd -> tp 1 fn 2.
		{name: "missing", truth: "a b c d e f", pred: "a b c d", tp: 1.0 / 3, fn: 2.0 / 3},
		// bags, not sets: the repeated shingle counts twice in truth.
		{name: "multiset", truth: "x y z w x y z w", pred: "x y z w", tp: 1.0 / 5, fn: 4.0 / 5},
		{name: "short texts", truth: "a b", pred: "a b", tp: 1, exact: true},
		{name: "short mismatch", truth: "a b", pred: "a c", fp: 0.5, fn: 0.5},
	}
	for _, tt := range tests {
		got := Compare(tt.truth, tt.pred)
		if !near(got.TP, tt.tp) || !near(got.FP, tt.fp) || !near(got.FN, tt.fn) || got.Exact != tt.exact {
			t.Errorf("%s: Compare = %+v, want tp %v fp %v fn %v exact %v", tt.name, got, tt.tp, tt.fp, tt.fn, tt.exact)
		}
	}
}

func TestAggregate(t *testing.T) {
	pages := []Page{
		{TP: 1, Exact: true}, // P 1, R 1
		{TP: 0.5, FP: 0.5},   // P 0.5, R 1
		{FN: 1},              // no prediction: only recall (0)
		{},                   // nothing on either side: skipped by both
	}
	m := Aggregate(pages)
	wantP := (1 + 0.5) / 2.0
	wantR := (1 + 1 + 0) / 3.0
	if !near(m.Precision, wantP) || !near(m.Recall, wantR) {
		t.Fatalf("Aggregate P %v R %v, want %v %v", m.Precision, m.Recall, wantP, wantR)
	}
	if f := 2 * wantP * wantR / (wantP + wantR); !near(m.F1, f) {
		t.Errorf("F1 = %v, want %v", m.F1, f)
	}
	if !near(m.Accuracy, 0.25) || m.Pages != 4 {
		t.Errorf("Accuracy %v pages %d, want 0.25 and 4", m.Accuracy, m.Pages)
	}
	if z := Aggregate(nil); z != (Metrics{}) {
		t.Errorf("Aggregate(nil) = %+v, want zero", z)
	}
}
