package fieldtext

import (
	"strconv"
	"unicode/utf8"
)

// Escape returns a record's key or value as `consume` prints it
// unless --raw: as it is when it is valid UTF-8 of printable characters
// only (strconv.IsPrint: letters, marks, numbers, punctuation, symbols and
// the ASCII space) and does not start with a double quote; otherwise
// quoted by Go's rules (strconv.Quote): "\x1b[2J", "a\tb\n", "\xff",
// "\u202e". A printed field so holds no control character (no ESC, tab,
// newline, DEL, C1 or bidirectional override reaches the terminal) and
// reads back unambiguously: a field starting with a double quote is
// strconv.Unquote'd, any other is itself.
func Escape(b []byte) string {
	if Plain(b) {
		return string(b)
	}
	return strconv.Quote(string(b))
}

// Plain reports whether b prints as it is (see Escape).
func Plain(b []byte) bool {
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
