package web_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/ops/web"
)

func TestHandler_servesThePageAndItsFiles(t *testing.T) {
	srv := httptest.NewServer(web.Handler())
	defer srv.Close()

	tests := []struct {
		name        string
		path        string
		status      int
		contentType string
		contains    string
	}{
		{"page at root", "/", http.StatusOK, "text/html", `<script src="app.js" defer></script>`},
		{"script", "/app.js", http.StatusOK, "text/javascript", `fetch(url`},
		{"style sheet", "/style.css", http.StatusOK, "text/css", `.partition`},
		{"icon", "/favicon.svg", http.StatusOK, "image/svg+xml", `<svg`},
		{"unknown path", "/api/nope", http.StatusNotFound, "text/plain", "404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("GET %s: status %d, want %d", tt.path, resp.StatusCode, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Errorf("GET %s: Content-Type %q, want %s", tt.path, ct, tt.contentType)
			}
			if !strings.Contains(string(body), tt.contains) {
				t.Errorf("GET %s: body lacks %q", tt.path, tt.contains)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); csp != "default-src 'self'; frame-ancestors 'none'" {
				t.Errorf("GET %s: Content-Security-Policy %q", tt.path, csp)
			}
			if xfo := resp.Header.Get("X-Frame-Options"); xfo != "DENY" {
				t.Errorf("GET %s: X-Frame-Options %q, want DENY", tt.path, xfo)
			}
		})
	}
}

// The page works offline: nothing it loads comes from another host.
func TestHandler_loadsNothingFromElsewhere(t *testing.T) {
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|url\(|@import|fetch\(\s*["'](https?:)?//`)
	fsys := os.DirFS("static")
	n := 0
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		if m := external.Find(b); m != nil {
			t.Errorf("%s loads from elsewhere: %q", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Fatalf("walked %d files in static/, want the page, its script and its style sheet", n)
	}
}

// NewHandler puts the first documents in the page, as JSON data blocks
// that nothing in them can end early.
func TestNewHandler_putsTheFirstStateInThePage(t *testing.T) {
	srv := httptest.NewServer(web.NewHandler(func() ([]byte, []byte) {
		return []byte(`{"app":"shop"}`), []byte(`{"app":"shop","phase":"running","last_error":"</script><b>x</b>"}`)
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	page := string(body)
	for _, want := range []string{
		`<script type="application/json" id="initial-topology">{"app":"shop"}</script>`,
		`<script type="application/json" id="initial-state">{"app":"shop","phase":"running","last_error":"\u003c/script\u003e\u003cb\u003ex\u003c/b\u003e"}</script>`,
		`<script src="app.js" defer></script>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s:\n%s", want, page)
		}
	}
	if n := strings.Count(page, "</script>"); n != 3 {
		t.Errorf("page has %d </script>, want 3 (two data blocks and app.js)", n)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store: the page holds a state", cc)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); csp != web.CSP {
		t.Errorf("Content-Security-Policy %q", csp)
	}
}
