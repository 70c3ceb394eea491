package ops

import "net/http"

// frameAncestors is the Content-Security-Policy of every response that is
// not the web view's (which sets its own, with the same directive): no
// other site may frame a page of the handler (clickjacking).
const frameAncestors = "frame-ancestors 'none'"

// setSecurityHeaders sets the headers every response of the handler
// carries: no framing (CSP frame-ancestors, and X-Frame-Options for older
// browsers) and no content sniffing (a JSON body or a last_error string is
// never taken for HTML or a script).
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", frameAncestors)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
}
