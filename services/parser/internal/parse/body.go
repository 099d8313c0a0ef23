package parse

import (
	"context"

	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/pagebody"
	"github.com/newsflow/newsflow/pkg/schema"
)

// Bodies reads page bodies stored out of band (pagebody.Store, the
// JetStream object store, for pages too large for one message). Get
// returns an error wrapping pagebody.ErrNotFound for a body that is gone.
type Bodies interface {
	Get(ctx context.Context, name string) ([]byte, error)
}

// openBody returns the decoded body of page (see pagebody.Buffers.Open),
// in a buffer of bufs that release gives back: nothing the stage returns
// shares the body's memory (the extractor and discover copy what they
// keep). A body gone, too large or corrupt is a permanent error: no retry
// brings it back; a store that does not answer is worth a retry.
func openBody(ctx context.Context, bufs *pagebody.Buffers, page *schema.FetchedPage, src Bodies) (body []byte, release func(), err error) {
	b, release, err := bufs.Open(ctx, page, src)
	if pagebody.Final(err) {
		return nil, release, bus.Permanent(err)
	}
	return b, release, err
}
