package score

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct{ give, want string }{
		{give: "  Storm  hits\tcoast ", want: "storm hits coast"},
		{give: "ＦＵＬＬ\u3000width", want: "full width"},    // NFKC folds wide forms and the ideographic space
		{give: "Cafe\u0301 Müller", want: "café müller"}, // combining accent composed
		{give: "", want: ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.give); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		truth, pred []string
		exact       bool
		f1          float64
	}{
		{truth: []string{"Jane Doe"}, pred: []string{"jane  doe"}, exact: true, f1: 1},
		{truth: []string{"Jane Doe", "John Roe"}, pred: []string{"John Roe", "Jane Doe"}, exact: true, f1: 1},
		{truth: []string{"Jane Doe", "John Roe"}, pred: []string{"Jane Doe"}, exact: false, f1: 2 * 1 * 0.5 / 1.5},
		{truth: []string{"Jane Doe"}, pred: nil, exact: false, f1: 0},
		{truth: []string{"Jane Doe"}, pred: []string{"Reuters"}, exact: false, f1: 0},
	}
	for _, tt := range tests {
		exact, f1 := Names(tt.truth, tt.pred)
		if exact != tt.exact || f1 != tt.f1 {
			t.Errorf("Names(%q, %q) = %v %.3f, want %v %.3f", tt.truth, tt.pred, exact, f1, tt.exact, tt.f1)
		}
	}
}

func TestSameDay(t *testing.T) {
	tests := []struct {
		truth, pred string
		want        bool
	}{
		{truth: "2021-11-01T10:52:50+0100", pred: "2021-11-01", want: true},
		{truth: "2017-11-03 03:01:00.000000", pred: "2017-11-03", want: true},
		{truth: "2024-06-25", pred: "2024-06-26", want: false},
		{truth: "2024-06-25", pred: "", want: false},
	}
	for _, tt := range tests {
		if got := SameDay(tt.truth, tt.pred); got != tt.want {
			t.Errorf("SameDay(%q, %q) = %v, want %v", tt.truth, tt.pred, got, tt.want)
		}
	}
}
