package pagebody

import (
	"context"
	"sync"

	"github.com/newsflow/newsflow/pkg/schema"
)

// maxReused is the largest buffer Buffers keeps: room for nearly every
// page (the development sets' largest inflates to 1.6 MB), while a rare
// larger one is left to the collector rather than held by an idle worker.
const maxReused = 2 << 20

// Buffers opens page bodies into buffers it reuses, for a reader that is
// done with a body, and with everything that shares its memory, before it
// releases it: the parser, whose extractor copies what it keeps (html.Parse
// makes strings of the tokens). Inflating a page into a new buffer each
// time costs a large allocation, cleared, and the collector's work to take
// it back. The zero value is ready to use; it is safe for concurrent use.
type Buffers struct {
	pool sync.Pool // of *[]byte
}

// Open returns what the package's Open returns, but decodes a whole page
// in a compressed encoding into a buffer that release gives back for the
// next page. A feed's or sitemap's
// prefix, and an identity body (the message's own bytes), are returned as
// Open returns them, with a release that does nothing. The caller must not
// read body, nor anything sharing its memory, once it has called release.
// release is never nil, also with an error, and must be called once.
func (bs *Buffers) Open(ctx context.Context, page *schema.FetchedPage, src Getter) (body []byte, release func(), err error) {
	if Listing(kindOf(page)) || page.BodyEncoding == schema.EncodingIdentity {
		body, err = open(ctx, page, src, nil)
		return body, noRelease, err
	}
	bp, _ := bs.pool.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	body, err = open(ctx, page, src, *bp)
	if err != nil {
		bs.pool.Put(bp)
		return nil, noRelease, err
	}
	return body, func() {
		if cap(body) <= maxReused {
			// body is the pooled buffer, or the larger one the decoder
			// made in its place.
			*bp = body[:0]
			bs.pool.Put(bp)
		}
	}, nil
}

func noRelease() {}
