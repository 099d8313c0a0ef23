package bus

import (
	"strings"
	"testing"
)

func TestTraceOf(t *testing.T) {
	tests := []struct {
		name                    string
		header, carried, stream string
		seq                     uint64
		want                    string
	}{
		{name: "header wins", header: "h-1", carried: "c-1", stream: "CRAWL", seq: 7, want: "h-1"},
		{name: "carried in the input", carried: "c-1", stream: "CRAWL", seq: 7, want: "c-1"},
		{name: "from the stream position", stream: "CRAWL", seq: 7, want: "crawl-7"},
	}
	for _, tt := range tests {
		if got := traceOf(tt.header, tt.carried, tt.stream, tt.seq); got != tt.want {
			t.Errorf("%s: traceOf = %q, want %q", tt.name, got, tt.want)
		}
	}
	a, b := traceOf("", "", "", 0), traceOf("", "", "", 0)
	if a == "" || a == b || strings.Contains(a, "-") {
		t.Errorf("without a stream position: %q and %q, want two fresh ids", a, b)
	}
}
