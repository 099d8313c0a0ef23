package hostilesite

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// maxStream bounds how long any endless response runs on the server side,
// should neither the client nor Close end it.
const maxStream = 10 * time.Minute

var endlessChunk = bytes.Repeat([]byte("<p>and the story goes on and on and on, never reaching its end.</p>\n"), 512)

func (s *Site) endless(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte("<!doctype html><html><head><title>Endless</title></head><body>\n"))
	deadline := time.Now().Add(maxStream)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return
		case <-r.Context().Done():
			return
		default:
		}
		if _, err := w.Write(endlessChunk); err != nil {
			return
		}
	}
}

func (s *Site) trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte("<!doctype html><html><head><title>Trickle</title></head><body><p>"))
	s.drip(r, func() error {
		if _, err := w.Write([]byte("a")); err != nil {
			return err
		}
		http.NewResponseController(w).Flush()
		return nil
	})
}

// drip calls write every DripInterval until it fails, the client goes,
// the Site closes or maxStream passes.
func (s *Site) drip(r *http.Request, write func() error) {
	t := time.NewTicker(DripInterval)
	defer t.Stop()
	deadline := time.After(maxStream)
	for {
		select {
		case <-s.done:
			return
		case <-r.Context().Done():
			return
		case <-deadline:
			return
		case <-t.C:
			if write() != nil {
				return
			}
		}
	}
}

// hijack takes over the connection for a response net/http will not
// write. It returns nil (having answered 500) when it cannot.
func hijack(w http.ResponseWriter) (*bufio.ReadWriter, func()) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "cannot hijack: "+err.Error(), http.StatusInternalServerError)
		return nil, nil
	}
	return rw, func() { conn.Close() }
}

func (s *Site) slowHeaders(w http.ResponseWriter, r *http.Request) {
	rw, closeConn := hijack(w)
	if rw == nil {
		return
	}
	defer closeConn()
	rw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Drip: ")
	rw.Flush()
	s.drip(r, func() error {
		rw.WriteString("a")
		return rw.Flush()
	})
}

func (s *Site) informational(w http.ResponseWriter, r *http.Request) {
	rw, closeConn := hijack(w)
	if rw == nil {
		return
	}
	defer closeConn()
	deadline := time.Now().Add(maxStream)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return
		default:
		}
		rw.WriteString("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n")
		if rw.Flush() != nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// raw writes a whole response on the hijacked connection, then closes it.
func (s *Site) raw(w http.ResponseWriter, status int, h http.Header, body []byte) {
	rw, closeConn := hijack(w)
	if rw == nil {
		return
	}
	defer closeConn()
	fmt.Fprintf(rw, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	for k, vs := range h {
		for _, v := range vs {
			fmt.Fprintf(rw, "%s: %s\r\n", k, strings.NewReplacer("\r", "", "\n", "").Replace(v))
		}
	}
	rw.WriteString("Connection: close\r\n\r\n")
	rw.Write(body)
	rw.Flush()
}
