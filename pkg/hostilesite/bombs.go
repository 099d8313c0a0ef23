package hostilesite

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/andybalholm/brotli"
)

// BombSize is what the bombs of BombPath decode to: 1 GiB of spaces.
const BombSize = 1 << 30

// bombChunk is the unit a bomb is built from: BombSize and the sizes
// Bomb accepts are multiples of it.
const bombChunk = 1 << 20

var (
	bombMu    sync.Mutex
	bombCache = map[string]*bombEntry{}
)

type bombEntry struct {
	once sync.Once
	body []byte
	err  error
}

// Bomb returns size bytes of spaces (a multiple of 1 MiB) encoded with a
// Content-Encoding: "gzip", "br" or "deflate" (the zlib format, as HTTP
// means it). Each is built once per process and shared; the caller must
// not modify it. gzip is a run of identical members, deflate one stream
// of identical flushed blocks, both built in milliseconds; brotli is
// compressed outright (about 2 s per GiB).
func Bomb(encoding string, size int64) ([]byte, error) {
	if size <= 0 || size%bombChunk != 0 {
		return nil, fmt.Errorf("bomb size %d: want a positive multiple of %d", size, bombChunk)
	}
	key := encoding + "/" + strconv.FormatInt(size, 10)
	bombMu.Lock()
	e := bombCache[key]
	if e == nil {
		e = &bombEntry{}
		bombCache[key] = e
	}
	bombMu.Unlock()
	e.once.Do(func() {
		n := int(size / bombChunk)
		switch encoding {
		case "gzip":
			e.body, e.err = gzipBomb(n)
		case "deflate":
			e.body, e.err = deflateBomb(n)
		case "br":
			e.body, e.err = brotliBomb(n)
		default:
			e.err = fmt.Errorf("bomb: unknown encoding %q", encoding)
		}
	})
	return e.body, e.err
}

var spaces = bytes.Repeat([]byte(" "), bombChunk)

// gzipBomb repeats one member: a gzip stream may hold many, and readers
// decode them all as one body.
func gzipBomb(chunks int) ([]byte, error) {
	var m bytes.Buffer
	w, err := gzip.NewWriterLevel(&m, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	w.Write(spaces)
	if err := w.Close(); err != nil {
		return nil, err
	}
	return bytes.Repeat(m.Bytes(), chunks), nil
}

// deflateBomb builds a zlib stream: the first chunk compressed on its
// own, then one chunk compressed against a window of spaces and flushed
// to a byte boundary, repeated (valid after any run of 32 KiB of spaces),
// a final empty block and the Adler-32 of the whole.
func deflateBomb(chunks int) ([]byte, error) {
	flushed := func(dict []byte) ([]byte, []byte, error) {
		var b bytes.Buffer
		w, err := flate.NewWriterDict(&b, flate.BestCompression, dict)
		if err != nil {
			return nil, nil, err
		}
		w.Write(spaces)
		if err := w.Flush(); err != nil {
			return nil, nil, err
		}
		block := bytes.Clone(b.Bytes())
		b.Reset()
		if err := w.Close(); err != nil {
			return nil, nil, err
		}
		return block, b.Bytes(), nil
	}
	first, final, err := flushed(nil)
	if err != nil {
		return nil, err
	}
	steady, _, err := flushed(spaces[:32<<10])
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, 2+len(first)+(chunks-1)*len(steady)+len(final)+4)
	out = append(out, 0x78, 0xda) // zlib: deflate, 32 KiB window, best compression
	out = append(out, first...)
	for range chunks - 1 {
		out = append(out, steady...)
	}
	out = append(out, final...)
	return binary.BigEndian.AppendUint32(out, adler32Spaces(uint64(chunks)*bombChunk)), nil
}

// adler32Spaces is the Adler-32 of n spaces: a = 1 + 32n, b = n + 32n(n+1)/2.
func adler32Spaces(n uint64) uint32 {
	const mod = 65521
	a := (1 + 32*(n%mod)) % mod
	tri := n % (2 * mod) * ((n + 1) % (2 * mod)) / 2 // n(n+1)/2 mod mod, computed without overflow
	b := (n%mod + 32*(tri%mod)) % mod
	return uint32(b<<16 | a)
}

func brotliBomb(chunks int) ([]byte, error) {
	var b bytes.Buffer
	w := brotli.NewWriterV2(&b, 1)
	for range chunks {
		if _, err := w.Write(spaces); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// bomb serves /bomb/{encoding}/{status}.
func (s *Site) bomb(w http.ResponseWriter, r *http.Request) {
	status, err := strconv.Atoi(r.PathValue("status"))
	if err != nil || status < 200 || status > 999 {
		http.Error(w, "status: want 200 to 999", http.StatusBadRequest)
		return
	}
	body, err := Bomb(r.PathValue("encoding"), BombSize)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h := http.Header{}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Encoding", r.PathValue("encoding"))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.URL.Query().Get("location") != "none" {
		h.Set("Location", PathHome)
	}
	if status == http.StatusNotModified {
		// net/http will not send a body with a 304: write it raw.
		s.raw(w, status, h, body)
		return
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	w.Write(body)
}

// What PathLyingGzip inflates to, and what its trailer says.
const (
	LyingGzipSize  = 64 << 20
	LyingGzipClaim = 1000
)

var lyingGzip = sync.OnceValues(func() ([]byte, error) {
	var b bytes.Buffer
	w, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	w.Write([]byte("<!doctype html><html><head><title>A story</title></head><body><p>"))
	for range LyingGzipSize / bombChunk {
		w.Write(spaces)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	out := b.Bytes()
	binary.LittleEndian.PutUint32(out[len(out)-4:], LyingGzipClaim)
	return out, nil
})

// lyingGzip serves PathLyingGzip.
func (s *Site) lyingGzip(w http.ResponseWriter, r *http.Request) {
	body, err := lyingGzip()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}
