package ops

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Every response of the handler, the web view's and 404s included, forbids
// framing by other sites and content sniffing.
func TestHandler_forbidsFramingAndSniffing(t *testing.T) {
	h := newTestHandler(t)
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/api/state", "/api/topology", "/", "/app.js", "/nope"} {
		t.Run(path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			hd := rec.Header()
			if csp := hd.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy %q lacks frame-ancestors 'none'", csp)
			}
			if v := hd.Get("X-Frame-Options"); v != "DENY" {
				t.Errorf("X-Frame-Options %q, want DENY", v)
			}
			if v := hd.Get("X-Content-Type-Options"); v != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", v)
			}
		})
	}
}
