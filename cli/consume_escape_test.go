package cli

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/karafka-actors/karafka-actors/client"
)

// unescapeField is escapeField's inverse, as a reader of consume's output
// applies it.
func unescapeField(s string) ([]byte, error) {
	if strings.HasPrefix(s, `"`) {
		u, err := strconv.Unquote(s)
		return []byte(u), err
	}
	return []byte(s), nil
}

// checkPrintable fails t when s holds a byte or character a terminal could
// act on: C0 controls (ESC, tab, newline...), DEL, C1 controls, format
// characters such as bidirectional overrides, or bytes that are not UTF-8.
func checkPrintable(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("output %q is not UTF-8", s)
	}
	for _, r := range s {
		if !strconv.IsPrint(r) {
			t.Fatalf("output %q holds %U", s, r)
		}
	}
}

func TestEscapeField(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{`{"id":1,"email":"a@b.c","name":"Zoë 日本"}`, `{"id":1,"email":"a@b.c","name":"Zoë 日本"}`},
		{`back\slash`, `back\slash`},
		{"\x1b[2J\x1b]0;owned\x07", `"\x1b[2J\x1b]0;owned\a"`},
		{"a\tb\nc\r", `"a\tb\nc\r"`},
		{"del\x7f", `"del\x7f"`},
		{"c1 \u009b31m", `"c1 \u009b31m"`},
		{"bidi \u202eevil", `"bidi \u202eevil"`},
		{"bad \xff\xfe", `"bad \xff\xfe"`},
		{`"hold"`, `"\"hold\""`},
		{`"\x1b"`, `"\"\\x1b\""`},
	}
	for _, tt := range tests {
		got := escapeField([]byte(tt.in))
		if got != tt.want {
			t.Errorf("escapeField(%q) = %s, want %s", tt.in, got, tt.want)
		}
		checkPrintable(t, got)
		if back, err := unescapeField(got); err != nil || string(back) != tt.in {
			t.Errorf("unescapeField(%s) = %q, %v; want %q", got, back, err, tt.in)
		}
	}
}

func TestHeadersJSON_escapesWhatIsNotPrintable(t *testing.T) {
	hs := []client.Header{
		{Key: "karafka.error", Value: []byte("bad <input>\x1b[31m")},
		{Key: "\u202ekey", Value: []byte("tab\there \U000e0001 \u2028")},
		{Key: "karafka.error", Value: []byte(`again "quoted" \ `)},
	}
	got := string(headersJSON(hs, false))
	want := `{"karafka.error":"bad <input>\u001b[31m","\u202ekey":"tab\u0009here \udb40\udc01 \u2028","karafka.error":"again \"quoted\" \\ "}`
	if got != want {
		t.Fatalf("headersJSON:\n got %s\nwant %s", got, want)
	}
	checkPrintable(t, got)
	pairs := decodeHeaders(t, got)
	for i, h := range hs {
		if pairs[i] != [2]string{string(h.Key), string(h.Value)} {
			t.Errorf("header %d decodes to %q, want %q: %q", i, pairs[i][0], h.Key, h.Value)
		}
	}
	if raw := headersJSON(hs, true); !bytes.Contains(raw, []byte("\u202e")) {
		t.Errorf("raw headers JSON lost the raw character: %s", raw)
	}
}

// decodeHeaders reads consume's headers JSON into its key-value pairs, in
// order, repeated keys kept.
func decodeHeaders(t *testing.T, s string) [][2]string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("headers JSON %s: %v %v", s, tok, err)
	}
	var pairs [][2]string
	for dec.More() {
		var k, v string
		kt, err := dec.Token()
		if err != nil {
			t.Fatalf("headers JSON %s: %v", s, err)
		}
		k = kt.(string)
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("headers JSON %s: %v", s, err)
		}
		pairs = append(pairs, [2]string{k, v})
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		t.Fatalf("headers JSON %s: %v %v", s, tok, err)
	}
	return pairs
}

// consume's default output of any key or value holds no character a
// terminal acts on and reads back to exactly the bytes of the record.
func FuzzEscapeField(f *testing.F) {
	for _, s := range []string{"", `{"id":1}`, "\x1b[2J", "a\tb\n", `"q"`, "\xff", "\u202e", "\u009b", "日本", `\x1b`, "\U000e0001"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := escapeField(b)
		checkPrintable(t, got)
		back, err := unescapeField(got)
		if err != nil || !bytes.Equal(back, b) {
			t.Fatalf("escapeField(%q) = %s reads back as %q, %v", b, got, back, err)
		}
		if plain(b) && got != string(b) {
			t.Fatalf("printable %q was changed to %s", b, got)
		}
	})
}

// The headers JSON of any header is valid JSON holding no character a
// terminal acts on, and decodes to the header when it is UTF-8.
func FuzzHeadersJSON(f *testing.F) {
	f.Add([]byte("karafka.error"), []byte("x\x1b[31m"))
	f.Add([]byte("\u202e"), []byte("\xff\xfe"))
	f.Add([]byte(`"`), []byte(`\u0000`))
	f.Fuzz(func(t *testing.T, k, v []byte) {
		got := string(headersJSON([]client.Header{{Key: string(k), Value: v}}, false))
		if !json.Valid([]byte(got)) {
			t.Fatalf("headersJSON(%q, %q) = %s is not JSON", k, v, got)
		}
		checkPrintable(t, got)
		pairs := decodeHeaders(t, got)
		if utf8.Valid(k) && utf8.Valid(v) && (len(pairs) != 1 || pairs[0] != [2]string{string(k), string(v)}) {
			t.Fatalf("headersJSON(%q, %q) = %s decodes to %q", k, v, got, pairs)
		}
	})
}
