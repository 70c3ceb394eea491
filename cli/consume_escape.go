package cli

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/karafka-actors/karafka-actors/internal/fieldtext"
)

// escapeField returns a record's key or value as `consume` prints it
// unless --raw (fieldtext.Escape); plain reports whether it prints as it
// is.
var (
	escapeField = fieldtext.Escape
	plain       = fieldtext.Plain
)

// appendJSONString appends s to dst as a JSON string in which every
// character that is not printable (strconv.IsPrint) is a \u escape, so the
// JSON holds no control character, and decodes to s when s is valid UTF-8.
// A byte that is not UTF-8 becomes \ufffd (JSON strings carry characters,
// not bytes).
func appendJSONString(dst []byte, s []byte) []byte {
	dst = append(dst, '"')
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		s = s[n:]
		switch {
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case strconv.IsPrint(r) && !(r == utf8.RuneError && n == 1):
			dst = utf8.AppendRune(dst, r)
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			dst = appendU(appendU(dst, r1), r2)
		default:
			dst = appendU(dst, r) // an invalid byte is RuneError, U+FFFD
		}
	}
	return append(dst, '"')
}

// appendU appends the JSON escape \uXXXX of r (at most U+FFFF).
func appendU(dst []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	return append(dst, '\\', 'u', hex[r>>12&0xF], hex[r>>8&0xF], hex[r>>4&0xF], hex[r&0xF])
}

// safeJSON returns JSON from encoding/json with every character that is
// not printable escaped as \u, so that no DEL, C1 control or bidirectional
// override (which encoding/json leaves as they are) reaches the terminal.
// encoding/json escapes control characters in strings, so a newline left
// is indentation; outside strings there is nothing else to escape, and in
// them an escape reads back as the character.
func safeJSON(b []byte) []byte {
	return escapeRunes(b, func(r rune) bool { return r == '\n' })
}

// escapeText returns multi-line text (a schema) for a terminal: CRLF line
// ends as \n, and every other character that is not printable but a tab (ESC,
// a lone CR, a bidirectional override, a byte that is not UTF-8) as a \u
// escape, which in a JSON string or a .proto comment reads as what it
// stands for.
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return string(escapeRunes([]byte(s), func(r rune) bool { return r == '\n' || r == '\t' }))
}

// escapeRunes returns b with every character that is not printable, and
// that keep does not keep, as a \u escape (an invalid byte as \ufffd).
func escapeRunes(b []byte, keep func(rune) bool) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		switch {
		case keep(r), strconv.IsPrint(r) && !(r == utf8.RuneError && n == 1):
			out = utf8.AppendRune(out, r)
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			out = appendU(appendU(out, r1), r2)
		default:
			out = appendU(out, r)
		}
	}
	return out
}
