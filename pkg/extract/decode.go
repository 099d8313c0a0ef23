package extract

import (
	"bytes"
	"encoding/binary"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

// metaScanLimit is how far into the document a <meta charset> is looked
// for. The HTML standard says 1024 bytes; real pages put long scripts and
// comments first, so we look further.
const metaScanLimit = 64 << 10

// decode returns body as UTF-8 and the name of the charset it came in.
//
// Order: byte-order mark; then, if the bytes are valid UTF-8 containing
// non-ASCII text, UTF-8 (a page that validates as UTF-8 is practically never
// in a legacy charset, while wrong declarations are common); then the
// Content-Type charset; then <meta charset>/http-equiv; then windows-1252,
// which also reads plain ASCII correctly.
func decode(body []byte, contentType string) ([]byte, string, error) {
	if e, name, n := bomEncoding(body); e != nil {
		if e == encoding.Nop {
			return body[n:], name, nil
		}
		out, err := e.NewDecoder().Bytes(body[n:])
		return out, name, err
	}
	declared := headerCharset(contentType)
	if declared == "" {
		declared = metaCharset(body)
	}
	if isUTF16(declared) && looksUTF16(body) {
		e := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
		if body[0] == 0 {
			e = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
		}
		out, err := e.NewDecoder().Bytes(body)
		return out, "utf-16", err
	}
	if (declared == "" || isUTF8(declared) || hasHighBit(body)) && utf8.Valid(body) {
		return body, "utf-8", nil
	}
	e, name := charset.Lookup(declared)
	if e == nil || isUTF16(declared) {
		if !hasHighBit(body) {
			return body, "utf-8", nil
		}
		if utf8.Valid(body) {
			return body, "utf-8", nil
		}
		e, name = charset.Lookup("windows-1252")
	}
	if name == "utf-8" {
		return bytes.ToValidUTF8(body, []byte("\uFFFD")), name, nil
	}
	out, err := e.NewDecoder().Bytes(body)
	if err != nil {
		return nil, name, err
	}
	return out, name, nil
}

func bomEncoding(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return encoding.Nop, "utf-8", 3
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 2
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 2
	}
	return nil, "", 0
}

func headerCharset(ct string) string {
	if ct == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		// Tolerate sloppy headers such as "text/html;charset=utf-8;".
		i := strings.Index(strings.ToLower(ct), "charset=")
		if i < 0 {
			return ""
		}
		v := ct[i+len("charset="):]
		if j := strings.IndexAny(v, "; "); j >= 0 {
			v = v[:j]
		}
		return strings.ToLower(strings.Trim(v, `"' `))
	}
	return strings.ToLower(strings.TrimSpace(params["charset"]))
}

// metaCharset finds charset= inside a <meta> tag near the top of the page.
func metaCharset(b []byte) string {
	if len(b) > metaScanLimit {
		b = b[:metaScanLimit]
	}
	for i := 0; i < len(b); {
		j := indexFold(b[i:], "<meta")
		if j < 0 {
			return ""
		}
		start := i + j
		end := bytes.IndexByte(b[start:], '>')
		if end < 0 {
			return ""
		}
		tag := b[start : start+end]
		if k := indexFold(tag, "charset"); k >= 0 {
			v := tag[k+len("charset"):]
			v = bytes.TrimLeft(v, " \t\r\n")
			if len(v) > 0 && v[0] == '=' {
				v = bytes.TrimLeft(v[1:], " \t\r\n\"'")
				n := 0
				for n < len(v) && (isAlnum(v[n]) || v[n] == '-' || v[n] == '_' || v[n] == ':' || v[n] == '.') {
					n++
				}
				if n > 0 {
					return strings.ToLower(string(v[:n]))
				}
			}
		}
		i = start + end + 1
	}
	return ""
}

func indexFold(b []byte, lower string) int {
	n := len(lower)
	for i := 0; i+n <= len(b); i++ {
		if lower[0] == '<' {
			// Jump to the next '<' with the vectorised search.
			j := bytes.IndexByte(b[i:], '<')
			if j < 0 {
				return -1
			}
			i += j
			if i+n > len(b) {
				return -1
			}
		} else if b[i]|0x20 != lower[0] {
			continue
		}
		ok := true
		for k := 0; k < n; k++ {
			c := b[i+k]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lower[k] {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func hasHighBit(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func isUTF8(name string) bool {
	return name == "utf-8" || name == "utf8" || name == "unicode-1-1-utf-8"
}

func isUTF16(name string) bool { return strings.HasPrefix(name, "utf-16") }

// looksUTF16 reports whether NUL bytes make up a good share of the first
// bytes, as they do for markup in UTF-16.
func looksUTF16(b []byte) bool {
	n := min(len(b), 512)
	if n < 2 {
		return false
	}
	zeros := 0
	for _, c := range b[:n] {
		if c == 0 {
			zeros++
		}
	}
	return zeros*4 >= n
}
