package pagebody

import (
	"encoding/json"
	"fmt"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Payload returns what page is published as on pages.fetched through a
// bus publisher: the body of the message (the page, which the publisher
// marshals to JSON) and its headers (none).
func Payload(page schema.FetchedPage) (body any, header map[string]string) {
	return page, nil
}

// Marshal returns the bytes of page's pages.fetched message, the same as
// Payload's, for publishers without a bus (tests, tools).
func Marshal(page schema.FetchedPage) ([]byte, error) {
	data, err := json.Marshal(page)
	if err != nil {
		return nil, fmt.Errorf("marshal page: %w", err)
	}
	return data, nil
}

// Unmarshal reads and validates a pages.fetched message. Its errors are
// schema's (schema.ErrEmpty, ErrMalformed, ErrVersion, *FieldError).
func Unmarshal(data []byte) (schema.FetchedPage, error) {
	return schema.Decode[schema.FetchedPage](data)
}
