package cli

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// escapeField returns a record's key or value as `consume` prints it
// unless --raw: as it is when it is valid UTF-8 of printable characters
// only (strconv.IsPrint: letters, marks, numbers, punctuation, symbols and
// the ASCII space) and does not start with a double quote; otherwise
// quoted by Go's rules (strconv.Quote): "\x1b[2J", "a\tb\n", "\xff",
// "\u202e". A printed field so holds no control character (no ESC, tab,
// newline, DEL, C1 or bidirectional override reaches the terminal) and
// reads back unambiguously: a field starting with a double quote is
// strconv.Unquote'd, any other is itself.
func escapeField(b []byte) string {
	if plain(b) {
		return string(b)
	}
	return strconv.Quote(string(b))
}

// plain reports whether b prints as it is (see escapeField).
func plain(b []byte) bool {
	if len(b) > 0 && b[0] == '"' {
		return false
	}
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 || !strconv.IsPrint(r) {
			return false
		}
		b = b[n:]
	}
	return true
}

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
