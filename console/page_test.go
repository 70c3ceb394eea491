package console

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

func TestConsolePage_handlerServesThePageAndItsFiles(t *testing.T) {
	srv := httptest.NewServer(pageHandler())
	defer srv.Close()

	tests := []struct {
		name        string
		method      string
		path        string
		status      int
		contentType string
		contains    string
	}{
		{"page at root", "GET", "/", http.StatusOK, "text/html", `<script src="console.js" defer></script>`},
		{"script", "GET", "/console.js", http.StatusOK, "text/javascript", `fetch(url`},
		{"style sheet", "GET", "/console.css", http.StatusOK, "text/css", `.status-stale`},
		{"icon", "GET", "/favicon.svg", http.StatusOK, "image/svg+xml", `<svg`},
		{"uPlot", "GET", "/vendor/uPlot.iife.min.js", http.StatusOK, "text/javascript", `uPlot (v1.6.32)`},
		{"uPlot's style sheet", "GET", "/vendor/uPlot.min.css", http.StatusOK, "text/css", `.uplot`},
		{"uPlot's licence", "GET", "/vendor/uPlot-LICENSE", http.StatusOK, "text/plain", `MIT`},
		{"no directory listing", "GET", "/vendor/", http.StatusNotFound, "text/plain", "404"},
		{"unknown path", "GET", "/api/nope", http.StatusNotFound, "text/plain", "404"},
		{"no post", "POST", "/", http.StatusMethodNotAllowed, "text/plain", "Method Not Allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("%s %s: status %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Errorf("%s %s: Content-Type %q, want %s", tt.method, tt.path, ct, tt.contentType)
			}
			if !strings.Contains(string(body), tt.contains) {
				t.Errorf("%s %s: body lacks %q", tt.method, tt.path, tt.contains)
			}
			for h, want := range map[string]string{
				"Content-Security-Policy": web.CSP,
				"X-Frame-Options":         "DENY",
				"X-Content-Type-Options":  "nosniff",
				"Cache-Control":           "no-cache",
			} {
				if h == "Cache-Control" && resp.StatusCode != http.StatusOK {
					continue // net/http drops it from an error
				}
				if got := resp.Header.Get(h); got != want {
					t.Errorf("%s %s: %s %q, want %q", tt.method, tt.path, h, got, want)
				}
			}
		})
	}
}

// The page works offline and under its CSP: nothing it loads comes from
// another host, and no script or style is inline.
func TestConsolePage_loadsNothingFromElsewhereNorInline(t *testing.T) {
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import|fetch\(\s*["'](https?:)?//`)
	inline := regexp.MustCompile(`(?i)<script(\s+type="module")?\s*>|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)
	n := 0
	err := fs.WalkDir(pageFS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".md") || strings.HasSuffix(path, "LICENSE") {
			return err
		}
		n++
		b, err := fs.ReadFile(pageFS, path)
		if err != nil {
			return err
		}
		if m := external.Find(b); m != nil {
			t.Errorf("%s loads from elsewhere: %q", path, m)
		}
		if strings.HasSuffix(path, ".html") {
			if m := inline.Find(b); m != nil {
				t.Errorf("%s has an inline script or style, which the CSP refuses: %q", path, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 6 {
		t.Fatalf("walked %d files in static/, want the page, its script, its style sheet, its icon and uPlot's two", n)
	}
	// What is embedded is what is in the tree (go:embed skips nothing needed).
	disk, err := fs.Glob(os.DirFS("static"), "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range disk {
		if _, err := fs.Stat(pageFS, name); err != nil {
			t.Errorf("static/%s is not embedded: %v", name, err)
		}
	}
}
