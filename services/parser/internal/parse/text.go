package parse

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/extract"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/urlnorm"
)

// sniffLen is how much of a body binary looks at: the WHATWG MIME
// Sniffing standard reads a 1,445-byte resource header; a few KiB more
// keep one odd byte in a page's head from deciding.
const sniffLen = 8 << 10

// binary says why body is not text, or "" when it is: more than 1% of its
// first bytes are binary data bytes as the MIME Sniffing standard defines
// them (C0 controls other than TAB, LF, FF, CR and ESC). Random bytes hold
// about 10%; an HTML page none, or a stray one. A UTF-16 body (with its
// byte-order mark) is text full of NUL bytes, so it is not judged.
func binary(body []byte) string {
	head := body[:min(len(body), sniffLen)]
	if len(head) >= 2 && (head[0] == 0xFE && head[1] == 0xFF || head[0] == 0xFF && head[1] == 0xFE) {
		return ""
	}
	n := 0
	for _, b := range head {
		if b <= 0x08 || b == 0x0B || (b >= 0x0E && b <= 0x1A) || (b >= 0x1C && b <= 0x1F) {
			n++
		}
	}
	if n*100 > len(head) {
		return fmt.Sprintf("binary content: %d of the first %d bytes are control bytes", n, len(head))
	}
	return ""
}

// other is the record of a page that holds no text to read.
func (s *Stage) other(page *schema.FetchedPage, pageURL string, body []byte, why, traceID string) schema.Article {
	canonical, err := urlnorm.Normalize(pageURL)
	if err != nil {
		canonical = urlnorm.Redact(pageURL)
	}
	sum := sha256.Sum256(body)
	return schema.Article{
		V: schema.Version, URL: page.URL, CanonicalURL: canonical, FinalURL: page.FinalURL,
		PageType: schema.PageOther, Reason: why, ContentHash: hex.EncodeToString(sum[:16]),
		FetchedAt: page.FetchedAt, ExtractorVersion: extract.Version, TraceID: traceID, Reparse: page.Reparse,
	}
}

// cutText returns the first bytes of s, at most n, ending on a whole rune.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
