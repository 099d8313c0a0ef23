// Package crawlview reads the state of the crawl from the bus for the
// operator: the stages' consumer lag, the fetcher's outcomes of the last
// hour and the hosts that fail most, the dead letters, the registered
// sources and one URL's journey across the stages. It also makes the
// operator's two writes: submitting a URL and retrying a dead letter.
//
// The operator's tool (cmd/newsflow) and the indexer's operator page share
// it. Every read is bounded (a time window, a cap on the messages read,
// a timeout on each request), so a large stream or an unreachable server
// cannot stall the caller. It takes a jetstream.JetStream and returns plain
// structs; it does not depend on the store or on HTTP.
package crawlview

import (
	"errors"
	"time"
)

// DefaultTimeout bounds each request to the server when the caller gives
// no timeout.
const DefaultTimeout = 5 * time.Second

// ErrStop, returned by a Scan callback, ends the scan early without error.
var ErrStop = errors.New("stop scan")
