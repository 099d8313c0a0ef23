package discover

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// errTruncated says a listing was larger than MaxListingSize once
// decompressed; what fits was kept.
var errTruncated = fmt.Errorf("listing larger than %d bytes: read up to the limit", MaxListingSize)

// isGzip reports the gzip magic number.
func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// decompress undoes up to two layers of gzip (a .gz file served with
// Content-Encoding: gzip arrives doubly compressed when only one layer was
// undone) and cuts the result at MaxListingSize, so a gzip bomb costs no
// more than a large listing. The error says what was cut or corrupt; the
// bytes read before it are returned with it.
func decompress(body []byte) ([]byte, error) {
	for layer := 0; layer < 2 && isGzip(body); layer++ {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return body, fmt.Errorf("gzip: %w", err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, MaxListingSize+1))
		if len(out) > MaxListingSize {
			return out[:MaxListingSize], errTruncated
		}
		if err != nil {
			return out, fmt.Errorf("gzip: %w", err)
		}
		body = out
	}
	if len(body) > MaxListingSize {
		return body[:MaxListingSize], errTruncated
	}
	return body, nil
}

// charsetOf returns the charset parameter of a Content-Type, or "".
func charsetOf(contentType string) string {
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		return params["charset"]
	}
	return ""
}

// mediaTypeOf returns the lower-case media type of a Content-Type.
func mediaTypeOf(contentType string) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

var (
	bomUTF8    = []byte("\xef\xbb\xbf")
	bomUTF16LE = []byte("\xff\xfe")
	bomUTF16BE = []byte("\xfe\xff")
)

// toUTF8 returns an XML or text document as UTF-8, without byte order
// mark, and with an XML declaration that names UTF-8: the encoding is
// taken from a byte order mark, else the XML declaration, else the HTTP
// charset, else UTF-8 (XML 1.0 appendix F). Bytes that are not valid
// UTF-8 in a UTF-8 document are read as windows-1252, as many "UTF-8"
// sitemaps are really Latin-1, so no document is refused for its charset.
func toUTF8(body []byte, httpCharset string) []byte {
	switch {
	case bytes.HasPrefix(body, bomUTF8):
		return fixUTF8(body[3:])
	case bytes.HasPrefix(body, bomUTF16LE), bytes.HasPrefix(body, []byte("<\x00")):
		return declareUTF8(decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), bytes.TrimPrefix(body, bomUTF16LE)))
	case bytes.HasPrefix(body, bomUTF16BE), bytes.HasPrefix(body, []byte("\x00<")):
		return declareUTF8(decodeWith(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), bytes.TrimPrefix(body, bomUTF16BE)))
	}
	label := declaredEncoding(body)
	if label == "" {
		label = httpCharset
	}
	if label != "" {
		enc, name := charset.Lookup(label)
		if enc != nil && name != "utf-8" && !strings.HasPrefix(name, "utf-16") {
			return declareUTF8(decodeWith(enc, body))
		}
	}
	return declareUTF8(fixUTF8(body))
}

// decodeWith decodes b; undecodable bytes become U+FFFD.
func decodeWith(enc encoding.Encoding, b []byte) []byte {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return fixUTF8(b)
	}
	return out
}

// fixUTF8 returns b with every byte that is not part of valid UTF-8 read
// as windows-1252.
func fixUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			dec, _ := charmap.Windows1252.NewDecoder().Bytes(b[:1])
			out = append(out, dec...)
			b = b[1:]
			continue
		}
		out = append(out, b[:n]...)
		b = b[n:]
	}
	return out
}

// xmlDecl returns the start and end offsets of a leading XML declaration
// ("<?xml ...?>"), or ok false.
func xmlDecl(b []byte) (start, end int, ok bool) {
	start = len(b) - len(bytes.TrimLeft(b, " \t\r\n"))
	rest := b[start:]
	if !bytes.HasPrefix(rest, []byte("<?xml")) || len(rest) < 6 || !isXMLSpace(rest[5]) {
		return 0, 0, false
	}
	i := bytes.Index(rest[:min(len(rest), 1024)], []byte("?>"))
	if i < 0 {
		return 0, 0, false
	}
	return start, start + i + 2, true
}

// encodingAttr returns the offsets of the encoding pseudo-attribute's
// value within decl, or ok false.
func encodingAttr(decl []byte) (start, end int, ok bool) {
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return 0, 0, false
	}
	j := i + len("encoding")
	for j < len(decl) && isXMLSpace(decl[j]) {
		j++
	}
	if j >= len(decl) || decl[j] != '=' {
		return 0, 0, false
	}
	j++
	for j < len(decl) && isXMLSpace(decl[j]) {
		j++
	}
	if j >= len(decl) || (decl[j] != '"' && decl[j] != '\'') {
		return 0, 0, false
	}
	q := decl[j]
	k := bytes.IndexByte(decl[j+1:], q)
	if k < 0 {
		return 0, 0, false
	}
	return j + 1, j + 1 + k, true
}

// declaredEncoding returns the encoding an XML declaration names, or "".
func declaredEncoding(b []byte) string {
	s, e, ok := xmlDecl(b)
	if !ok {
		return ""
	}
	vs, ve, ok := encodingAttr(b[s:e])
	if !ok {
		return ""
	}
	return strings.TrimSpace(string(b[s+vs : s+ve]))
}

// declareUTF8 rewrites the encoding an XML declaration names to UTF-8,
// so that an XML decoder does not convert the bytes a second time.
func declareUTF8(b []byte) []byte {
	s, e, ok := xmlDecl(b)
	if !ok {
		return b
	}
	vs, ve, ok := encodingAttr(b[s:e])
	if !ok || strings.EqualFold(string(b[s+vs:s+ve]), "utf-8") {
		return b
	}
	out := make([]byte, 0, len(b)+8)
	out = append(out, b[:s+vs]...)
	out = append(out, "UTF-8"...)
	return append(out, b[s+ve:]...)
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// newXMLDecoder returns a lenient decoder of UTF-8 input (see toUTF8): no
// strictness about entities or attribute quoting, no charset conversion,
// and no entity expansion (encoding/xml knows only the five predefined
// entities and ignores DTDs, so "billion laughs" stays text).
func newXMLDecoder(b []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return d
}

// checkDepth reads b (UTF-8 XML) once and fails with ErrTooDeep if its
// elements nest deeper than MaxXMLDepth, before a parser that builds
// structure (gofeed) sees it.
func checkDepth(b []byte) error {
	d := newXMLDecoder(b)
	depth := 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // the feed parser reports syntax errors itself
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > MaxXMLDepth {
				return fmt.Errorf("%w: more than %d levels", ErrTooDeep, MaxXMLDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
}

// isUTF16 reports a UTF-16 byte order mark, or markup in UTF-16 without
// one ("<" next to a NUL byte).
func isUTF16(b []byte) bool {
	return bytes.HasPrefix(b, bomUTF16LE) || bytes.HasPrefix(b, bomUTF16BE) ||
		bytes.HasPrefix(b, []byte("<\x00")) || bytes.HasPrefix(b, []byte("\x00<"))
}

// looksLikeXML reports whether b (after a byte order mark and white
// space) starts with "<", in UTF-8 or UTF-16.
func looksLikeXML(b []byte) bool {
	if isUTF16(b) {
		return true
	}
	b = bytes.TrimPrefix(b, bomUTF8)
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '<'
}
