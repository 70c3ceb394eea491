package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
)

// csrfCookie is the cookie holding a browser's CSRF token; an action's
// request must echo it in the X-CSRF-Token header (double submit), which
// a page of another site cannot read or set.
const csrfCookie = "karafka_csrf"

// csrfHeader carries the CSRF token of an action's request.
const csrfHeader = "X-CSRF-Token"

// session returns the request's CSRF token, making one (and setting its
// cookie on w) when it has none.
func session(w http.ResponseWriter, r *http.Request, path string) string {
	if c, err := r.Cookie(csrfCookie); err == nil && validToken(c.Value) {
		return c.Value
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: path, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	return tok
}

func validToken(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// authenticate returns who sent r, or "" when it is not authenticated:
// "token" for the bearer token of console.token, or the user the reverse
// proxy's console.auth_header names.
func (c Config) authenticate(r *http.Request) string {
	if c.Token != "" {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok &&
			subtle.ConstantTimeCompare([]byte(tok), []byte(c.Token)) == 1 {
			return "token"
		}
	}
	if c.AuthHeader != "" {
		if u := strings.TrimSpace(r.Header.Get(c.AuthHeader)); u != "" {
			return cut(u, 128)
		}
	}
	return ""
}

// csrfOK reports whether r carries its CSRF cookie echoed in the header,
// and comes from the console's own origin when the browser says one.
func csrfOK(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || !validToken(c.Value) {
		return false
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(c.Value)) != 1 {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	return true
}
