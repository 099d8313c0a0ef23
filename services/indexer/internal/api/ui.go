package api

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed ui
var uiFS embed.FS

// registerUI serves the operator page at / and its assets under /ui/.
// Plain HTML and JavaScript, embedded: no build step.
func registerUI(mux *http.ServeMux) {
	sub, _ := fs.Sub(uiFS, "ui")
	files := http.FileServerFS(sub)
	mux.Handle("GET /ui/", http.StripPrefix("/ui/", files))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:")
		http.ServeFileFS(w, r, sub, "index.html")
	})
}
