package pagebody

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/newsflow/newsflow/pkg/schema"
)

// A pages.fetched message is an envelope: Magic, the length of the page's
// metadata as a uvarint, the metadata (the FetchedPage as JSON, without
// its body), then the encoded body as it is, when it travels inline.
// Before it, the message was the whole FetchedPage as JSON, the body in
// base64: decoding that cost the parser about 0.5 ms per page, and the
// body a third more bytes on the wire (docs/PERFORMANCE.md, "The
// envelope"). Unmarshal reads both, since PAGES keeps pages for reparse.
const Magic = "NFP\x01"

// Payload returns what page is published as on pages.fetched through a
// bus publisher: the body of the message (its envelope, raw bytes) and
// its headers (none: Nats-Msg-Id and the trace id are the publisher's).
func Payload(page schema.FetchedPage) (body any, header map[string]string) {
	data, err := Marshal(page)
	if err != nil {
		// Not reachable for a FetchedPage; the JSON form is still read.
		return page, nil
	}
	return data, nil
}

// Marshal returns the bytes of page's pages.fetched message, the same as
// Payload's, for publishers without a bus (tests, tools).
func Marshal(page schema.FetchedPage) ([]byte, error) {
	body := page.Body
	page.Body = nil
	meta, err := json.Marshal(&page)
	if err != nil {
		return nil, fmt.Errorf("marshal page: %w", err)
	}
	out := make([]byte, 0, len(Magic)+binary.MaxVarintLen64+len(meta)+len(body))
	out = append(out, Magic...)
	out = binary.AppendUvarint(out, uint64(len(meta)))
	out = append(out, meta...)
	return append(out, body...), nil
}

// Unmarshal reads and validates a pages.fetched message: an envelope, or
// a page as JSON as published before the envelope. The page's Body shares
// data's memory. Its errors are schema's (schema.ErrEmpty, ErrMalformed,
// ErrVersion, *FieldError).
func Unmarshal(data []byte) (schema.FetchedPage, error) {
	rest, ok := bytes.CutPrefix(data, []byte(Magic))
	if !ok {
		return schema.Decode[schema.FetchedPage](data)
	}
	n, k := binary.Uvarint(rest)
	if k <= 0 || n > uint64(len(rest)-k) {
		return schema.FetchedPage{}, fmt.Errorf("%w: page envelope: metadata length unreadable or past the end (%d bytes left)", schema.ErrMalformed, len(rest))
	}
	meta, body := rest[k:k+int(n)], rest[k+int(n):]
	page, err := schema.Decode[schema.FetchedPage](meta)
	if err != nil {
		return page, err
	}
	if len(page.Body) > 0 {
		return page, &schema.FieldError{Field: "body", Problem: "inside the envelope's metadata"}
	}
	if len(body) > 0 {
		page.Body = body
		if err := page.Validate(); err != nil {
			return page, err
		}
	}
	return page, nil
}
