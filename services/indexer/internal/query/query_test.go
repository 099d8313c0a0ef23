package query_test

import (
	"errors"
	"testing"

	"github.com/newsflow/newsflow/services/indexer/internal/query"
)

func TestParse(t *testing.T) {
	tests := []struct {
		give     string
		wantFTS5 string
		wantTS   string
	}{
		{give: "harbour", wantFTS5: `("harbour")`, wantTS: `((harbour))`},
		{give: "Harbour Bridge", wantFTS5: `("harbour") AND ("bridge")`, wantTS: `((harbour)) & ((bridge))`},
		{give: `"harbour bridge" rail*`, wantFTS5: `("harbour bridge") AND ("rail"*)`, wantTS: `((harbour <-> bridge)) & ((rail:*))`},
		{give: "tunnel OR bridge -ferry", wantFTS5: `(("tunnel" OR "bridge")) NOT "ferry"`, wantTS: `((tunnel) | (bridge)) & !(ferry)`},
		{give: "covid-19 NOT masks", wantFTS5: `(("covid 19")) NOT "masks"`, wantTS: `((covid <-> 19)) & !(masks)`},
		{give: "a AND b", wantFTS5: `("a") AND ("b")`, wantTS: `((a)) & ((b))`},
		{give: `"NEAR(x" col:y`, wantFTS5: `("near x") AND ("col y")`, wantTS: `((near <-> x)) & ((col <-> y))`},
		{give: "Häuser", wantFTS5: `("häuser")`, wantTS: `((häuser))`},
	}
	for _, tt := range tests {
		q, err := query.Parse(tt.give)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.give, err)
			continue
		}
		if got := q.FTS5(); got != tt.wantFTS5 {
			t.Errorf("Parse(%q).FTS5() = %s, want %s", tt.give, got, tt.wantFTS5)
		}
		if got := q.TSQuery(); got != tt.wantTS {
			t.Errorf("Parse(%q).TSQuery() = %s, want %s", tt.give, got, tt.wantTS)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ give string }{
		{give: ""},
		{give: "   "},
		{give: `"unterminated`},
		{give: `""`},
		{give: "OR bridge"},
		{give: "bridge OR"},
		{give: "bridge OR OR tunnel"},
		{give: "-ferry"},
		{give: "NOT"},
		{give: "((("},
		{give: "b*"},
		{give: "bridge OR -ferry"},
		{give: string(make([]byte, query.MaxBytes+1))},
		{give: "a b c d e f g h i j k l m n o p q"},
	}
	for _, tt := range tests {
		if _, err := query.Parse(tt.give); !errors.Is(err, query.ErrSyntax) {
			t.Errorf("Parse(%q) error = %v, want ErrSyntax", tt.give, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"harbour", `"a b" c*`, "x OR y -z", `"`, "NOT NOT", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := query.Parse(s)
		if err != nil {
			if !errors.Is(err, query.ErrSyntax) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrSyntax", s, err)
			}
			return
		}
		if q.FTS5() == "" || q.TSQuery() == "" {
			t.Fatalf("Parse(%q) compiled to an empty expression", s)
		}
	})
}
