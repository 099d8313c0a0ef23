package pagebody

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

func TestMessageRoundTrip(t *testing.T) {
	page := schema.FetchedPage{V: schema.Version, URL: "https://news.example/a", FinalURL: "https://news.example/a", Status: 200,
		ContentType: "text/html", FetchedAt: time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC), Hints: &schema.Hints{Kind: schema.KindFeed}}
	page.Body, page.BodyEncoding = Encode([]byte("<rss/>"))
	page.BodySize = 6
	data, err := Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	body, header := Payload(page)
	viaBus, _ := json.Marshal(body)
	if !bytes.Equal(data, viaBus) || header != nil {
		t.Errorf("Marshal and Payload disagree:\n%s\n%s (headers %v)", data, viaBus, header)
	}
	got, err := Unmarshal(data)
	if err != nil || !reflect.DeepEqual(got, page) {
		t.Errorf("Unmarshal = %+v, %v; want %+v", got, err, page)
	}
	for _, bad := range [][]byte{nil, []byte("{"), []byte(`{"v":99}`), []byte(`{"v":1,"url":"ftp://x"}`)} {
		if _, err := Unmarshal(bad); err == nil {
			t.Errorf("Unmarshal(%q): want an error", bad)
		} else if !errors.Is(err, schema.ErrEmpty) && !errors.Is(err, schema.ErrMalformed) && !errors.Is(err, schema.ErrVersion) {
			var fe *schema.FieldError
			if !errors.As(err, &fe) {
				t.Errorf("Unmarshal(%q) = %v, want a schema error", bad, err)
			}
		}
	}
}
