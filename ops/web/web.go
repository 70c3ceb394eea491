package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var files embed.FS

// static is the page's files: index.html, app.js, style.css, favicon.svg.
var static = func() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}()

// CSP is the Content-Security-Policy of the page and its files: everything
// from where they are served, and framed by nobody.
const CSP = "default-src 'self'; frame-ancestors 'none'"

// Handler serves the page at "/" (index.html) and its files next to it;
// any other path is 404. Mount it where the page's api/ endpoints are
// (the ops handler does, at "/").
func Handler() http.Handler {
	fileServer := http.FileServerFS(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Everything the page loads comes from where it is served, and no
		// other site may frame it (clickjacking).
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		// An upgraded binary serves its own page at once.
		h.Set("Cache-Control", "no-cache")
		fileServer.ServeHTTP(w, r)
	})
}
