package console

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/karafka-actors/karafka-actors/ops/web"
)

// pageFiles is the console's page: static/index.html, console.js,
// console.css, favicon.svg and vendor/ (uPlot, MIT, see its README.md).
//
//go:embed static
var pageFiles embed.FS

// pageFS is static/ of pageFiles.
var pageFS = func() fs.FS {
	sub, err := fs.Sub(pageFiles, "static")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}()

// pageHandler serves the console's page at "/" (index.html) and its files
// next to it; directories other than "/" and unknown paths are 404. Mount it
// where the page's api/ endpoints are: every URL the page uses is relative.
// The headers are the ops web view's: nothing loads from elsewhere (no
// inline script or style either), no other site may frame the page, and an
// upgraded binary serves its own page at once.
func pageHandler() http.Handler {
	files := http.FileServerFS(pageFS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", web.CSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		// No directory listings (vendor/).
		if r.URL.Path != "/" && strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}
