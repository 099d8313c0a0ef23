package fetch

import "testing"

func TestAcceptedForKind(t *testing.T) {
	tests := []struct {
		media, kind string
		want        bool
	}{
		{media: "text/html", kind: "", want: true},
		{media: "application/octet-stream", kind: "", want: false},
		{media: "application/octet-stream", kind: "sitemap", want: true},
		{media: "binary/octet-stream", kind: "sitemap", want: true},
		{media: "application/x-gzip", kind: "sitemap", want: true},
		{media: "text/plain", kind: "sitemap", want: true},
		{media: "application/json", kind: "feed", want: true},
		{media: "application/x-rss+xml", kind: "feed", want: true},
		{media: "application/json", kind: "", want: false},
		{media: "image/png", kind: "sitemap", want: false},
	}
	for _, tt := range tests {
		if got := acceptedForKind(tt.media, tt.kind); got != tt.want {
			t.Errorf("acceptedForKind(%q, %q) = %v, want %v", tt.media, tt.kind, got, tt.want)
		}
	}
}
