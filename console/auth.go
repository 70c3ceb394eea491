package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
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
// "token" for the bearer token of console.token, or the user the header
// console.auth_header names when r comes from a trusted proxy.
func (c Config) authenticate(r *http.Request, proxies []netip.Prefix) string {
	if c.Token != "" {
		scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if ok && strings.EqualFold(scheme, "Bearer") &&
			subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(c.Token)) == 1 {
			return "token"
		}
	}
	if c.AuthHeader != "" && fromAny(r, proxies) {
		if u := strings.TrimSpace(r.Header.Get(c.AuthHeader)); u != "" {
			return cut(u, 128)
		}
	}
	return ""
}

// fromAny reports whether r's remote address is in one of nets.
func fromAny(r *http.Request, nets []netip.Prefix) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	for _, n := range nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// fromLoopback reports whether r comes from this machine.
func fromLoopback(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// csrfCheck returns why r's CSRF token is refused, "" when it is fine: it
// must echo its cookie in the header, and come from the console's own
// origin when the browser says one.
func csrfCheck(r *http.Request) string {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return fmt.Sprintf("the request comes from origin %q, not from the console's own (%s): a page of another site, or a proxy that changes Host (have it keep it)", cut(o, 200), cut(r.Host, 200))
		}
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || !validToken(c.Value) {
		return "no karafka_csrf cookie: GET api/session first (behind a proxy that moves the console to another path, the cookie's path /console/ must match)"
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(c.Value)) != 1 {
		return "the X-CSRF-Token header does not echo the karafka_csrf cookie"
	}
	return ""
}

// hostAllowed reports whether r's Host is an IP address, localhost, or one
// of hosts: a console answers no DNS name it was not told of (DNS
// rebinding).
func hostAllowed(r *http.Request, hosts []string) bool {
	h := r.Host
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(strings.Trim(h, "[]"), ".")
	if _, err := netip.ParseAddr(h); err == nil || strings.EqualFold(h, "localhost") {
		return true
	}
	for _, a := range hosts {
		if strings.EqualFold(strings.TrimSuffix(a, "."), h) {
			return true
		}
	}
	return false
}
