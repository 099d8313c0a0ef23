package demosite

import (
	"fmt"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

// legacyEncoding maps the charset names used in Manifest to encoders.
func legacyEncoding(name string) encoding.Encoding {
	switch name {
	case "windows-1251":
		return charmap.Windows1251
	case "iso-8859-1":
		return charmap.ISO8859_1
	case "shift_jis":
		return japanese.ShiftJIS
	}
	return nil
}

// encodeCharset encodes an HTML page into a legacy charset. Runes the
// charset cannot carry (teasers of other stories in other scripts) become
// numeric character references, which is what browsers do on form posts and
// what an HTML parser decodes back.
func encodeCharset(page, name string) []byte {
	if cm, ok := legacyEncoding(name).(*charmap.Charmap); ok {
		out := make([]byte, 0, len(page))
		for _, r := range page {
			if b, ok := cm.EncodeRune(r); ok {
				out = append(out, b)
			} else {
				out = fmt.Appendf(out, "&#%d;", r)
			}
		}
		return out
	}
	enc := legacyEncoding(name).NewEncoder()
	var b strings.Builder
	var run strings.Builder // ASCII is shared by every charset here: encode it in runs
	flush := func() {
		if run.Len() > 0 {
			b.WriteString(run.String())
			run.Reset()
		}
	}
	for _, r := range page {
		if r < 0x80 {
			run.WriteRune(r)
			continue
		}
		flush()
		if s, err := enc.String(string(r)); err == nil {
			b.WriteString(s)
		} else {
			fmt.Fprintf(&b, "&#%d;", r)
		}
	}
	flush()
	return []byte(b.String())
}
