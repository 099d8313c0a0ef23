// Package pagebody is the contract of a fetched page's body between the
// fetcher, which writes it, and the parser, `newsflow reparse` and the
// tests, which read it: the codec, the size limits, where the encoded
// body travels (inside the pages.fetched message, or, when too large, in
// the JetStream object store under a reference) and the message a page is
// published as. Changing any of them (a codec chosen by measurement, the
// compressed body as the raw payload) happens here and nowhere else.
//
// It knows schema, klauspost/compress and the JetStream object store; it
// knows nothing of the stage runners.
//
// Files:
//
//	limits.go   the size limits: defaults, ceilings, what a reader keeps of a listing
//	codec.go    Encode and Decode of a body (s2; zstd over MaxPage and for old pages; the origin's gzip passed through; identity for short text)
//	attach.go   Attach and Open: a body inline or by reference
//	buffers.go  Buffers: Open into reused buffers, for a reader done with each body before the next
//	store.go    Store: the object store of bodies too large for a message
//	message.go  Payload and Unmarshal: a page as a pages.fetched message (an envelope: JSON metadata, the raw body)
package pagebody
