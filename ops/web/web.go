package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"strconv"
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

// page is index.html, split where the first documents go.
var pageHead, pageTail = func() ([]byte, []byte) {
	b, err := fs.ReadFile(static, "index.html")
	if err != nil {
		panic(err) // embedded above
	}
	const mark = "<!-- initial documents -->"
	i := bytes.Index(b, []byte(mark))
	if i < 0 {
		panic("web: index.html lacks " + mark)
	}
	return b[:i], b[i+len(mark):]
}()

// CSP is the Content-Security-Policy of the page and its files: everything
// from where they are served, and framed by nobody.
const CSP = "default-src 'self'; frame-ancestors 'none'"

// Initial returns the documents the page starts from, the JSON that
// api/topology and api/state would serve now; nil for either leaves it to
// the page's first poll.
type Initial func() (topology, state []byte)

// Handler serves the page at "/" (index.html) and its files next to it;
// any other path is 404. Mount it where the page's api/ endpoints are
// (the ops handler does, at "/"). The page starts blank and draws itself
// from its first poll; NewHandler serves it with its first state in it.
func Handler() http.Handler { return NewHandler(nil) }

// NewHandler is Handler serving the page with the documents initial
// returns embedded in it (as JSON data blocks, which the page's script
// reads before the page is first shown), so that the page shows the App's
// state as it loads, not a blank waiting for its first poll.
func NewHandler(initial Initial) http.Handler {
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
		if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			servePage(w, r, initial)
			return
		}
		fileServer.ServeHTTP(w, r)
	})
}

// servePage writes index.html with initial's documents in it.
func servePage(w http.ResponseWriter, r *http.Request, initial Initial) {
	var topo, state []byte
	if initial != nil {
		topo, state = initial()
	}
	var b bytes.Buffer
	b.Grow(len(pageHead) + len(pageTail) + len(topo) + len(state) + 200)
	b.Write(pageHead)
	dataBlock(&b, "initial-topology", topo)
	dataBlock(&b, "initial-state", state)
	b.Write(pageTail)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	// A page with a state in it is stale at once; without one it is the
	// embedded file, the same until the binary changes.
	if topo != nil || state != nil {
		h.Set("Cache-Control", "no-store")
	}
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(b.Bytes())
}

// dataBlock writes doc as a JSON data block with id: a script element the
// browser does not run (and CSP does not govern), which the page's script
// parses. Invalid JSON is left out. json.HTMLEscape keeps "</script>" and
// the like in strings from ending the element early.
func dataBlock(b *bytes.Buffer, id string, doc []byte) {
	doc = bytes.TrimSpace(doc)
	if len(doc) == 0 || !json.Valid(doc) {
		return
	}
	b.WriteString(`<script type="application/json" id="` + id + `">`)
	json.HTMLEscape(b, doc)
	b.WriteString("</script>\n")
}
