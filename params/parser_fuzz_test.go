package params

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
)

// FuzzJSON: for any payload, the JSON parser's Check, New and a Lazy
// Params's Valid agree on whether it is well formed JSON; Parse, Decode and
// Value agree with json.Unmarshal, which also refuses well formed numbers
// beyond float64 (1e400); they return the same value; every error wraps
// ErrParse, and New's names the record; the typed getters agree with Get on
// any path.
func FuzzJSON(f *testing.F) {
	for _, s := range []struct{ raw, path string }{
		{`{"user":{"id":42,"name":"ann","admin":true},"items":[{"id":1},{"id":2}]}`, "items.1.id"},
		{`{"a":1.5}`, "a"},
		{`{"big":1e300,"min":-9223372036854775808,"max":9223372036854775807,"edge":9223372036854775808}`, "min"},
		{`{"edge":9223372036854775808}`, "edge"},
		{`{"":{"":0}}`, "."},
		{`{"a.b":1}`, "a.b"},
		{`[[1],[2,[3]]]`, "1.1.0"},
		{`[1,2]`, "+1"},
		{`[1,2]`, "-0"},
		{`"just a string"`, ""},
		{`null`, ""},
		{`{"a":x}`, "a"},
		{`{"a":`, ""},
		{``, ""},
		{" \t\n", ""},
		{`{"a":1}{"b":2}`, ""},
		{`{"a":1} x`, ""},
		{"\"\xff\"", ""},
		{`"\ud800"`, ""},
		{`{"a":1,"a":2}`, "a"},
		{`{"a":1e400}`, "a"},
		{`-`, ""},
		{`[` + strings.Repeat(`[`, 20000) + strings.Repeat(`]`, 20000) + `]`, "0.0"},
	} {
		f.Add([]byte(s.raw), s.path)
	}
	md := Metadata{Topic: "orders", Partition: 3, Offset: 77}
	f.Fuzz(func(t *testing.T, raw []byte, path string) {
		// The oracles: what encoding/json makes of the payload, as one
		// well formed value (numbers kept as text) and as Go values.
		wellFormed := decodesOneValue(raw)
		var want any
		valid := json.Unmarshal(raw, &want) == nil
		if valid && !wellFormed {
			t.Fatalf("json.Unmarshal accepts %q, which is not one well formed value", raw)
		}

		checkErr := JSON.Check(raw)
		p, newErr := New(md, raw, JSON)
		lazy := Lazy(md, raw, nil)
		parsed, parseErr := JSON.Parse(raw)
		var decoded any
		decodeErr := JSON.Decode(raw, &decoded)
		lazyVal, lazyErr := lazy.Value()
		for _, c := range []struct {
			name string
			err  error
			want bool
		}{
			{"Check", checkErr, wellFormed},
			{"New", newErr, wellFormed},
			{"Lazy.Valid", lazy.Valid(), wellFormed},
			{"Parse", parseErr, valid},
			{"Decode", decodeErr, valid},
			{"Lazy.Value", lazyErr, valid},
		} {
			if (c.err == nil) != c.want {
				t.Fatalf("%s(%q) = %v; want success: %v", c.name, raw, c.err, c.want)
			}
			if c.err != nil && !errors.Is(c.err, ErrParse) {
				t.Fatalf("%s(%q) = %v; not ErrParse", c.name, raw, c.err)
			}
			if c.err != nil && !strings.HasPrefix(c.err.Error(), "params: ") {
				t.Fatalf("%s(%q) = %q; lacks the package prefix", c.name, raw, c.err)
			}
		}
		if !wellFormed {
			if p != nil {
				t.Fatalf("New(%q) returned a Params with an error", raw)
			}
			msg := newErr.Error()
			for _, s := range []string{`topic "orders"`, "partition 3", "offset 77", `parser "json"`} {
				if !strings.Contains(msg, s) {
					t.Fatalf("New(%q) = %q; does not name %s", raw, msg, s)
				}
			}
			if strings.Count(msg, "params:") != 1 {
				t.Fatalf("New(%q) = %q; want exactly one package prefix", raw, msg)
			}
			if got := lazy.Valid(); got.Error() != msg {
				t.Fatalf("Lazy.Valid(%q) = %q; New said %q", raw, got, msg)
			}
			if v, ok := lazy.Get(path); ok || v != nil {
				t.Fatalf("Get(%q) on invalid %q = %v, %v", path, raw, v, ok)
			}
			return
		}
		if !valid {
			// Well formed, but a number does not fit a float64: the record
			// is accepted and every lookup misses.
			if v, ok := p.Get(path); ok || v != nil {
				t.Fatalf("Get(%q) on unparsable %q = %v, %v", path, raw, v, ok)
			}
			return
		}
		for name, got := range map[string]any{"Parse": parsed, "Decode": decoded, "Lazy.Value": lazyVal} {
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s(%q) = %#v; json.Unmarshal gives %#v", name, raw, got, want)
			}
		}
		if whole, ok := p.Get(""); !ok || !reflect.DeepEqual(whole, want) {
			t.Fatalf(`Get("") on %q = %#v, %v; want the whole value`, raw, whole, ok)
		}
		checkTypedGetters(t, p, path)
	})
}

// decodesOneValue reports whether raw is exactly one JSON value, surrounded
// by whitespace at most, leaving numbers as text.
func decodesOneValue(raw []byte) bool {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return false
	}
	_, err := d.Token()
	return err == io.EOF
}

// checkTypedGetters checks String, Bool and Int at path against Get.
func checkTypedGetters(t *testing.T, p *Params, path string) {
	t.Helper()
	v, ok := p.Get(path)
	if !ok && v != nil {
		t.Fatalf("Get(%q) = %#v, false; a miss must return nil", path, v)
	}
	s, sok := p.String(path)
	if ws, isStr := v.(string); sok != isStr || s != ws {
		t.Fatalf("String(%q) = %q, %v; Get gives %#v", path, s, sok, v)
	}
	b, bok := p.Bool(path)
	if wb, isBool := v.(bool); bok != isBool || b != wb {
		t.Fatalf("Bool(%q) = %v, %v; Get gives %#v", path, b, bok, v)
	}
	n, nok := p.Int(path)
	f, isNum := v.(float64)
	// An integral float64 that fits: [-2^63, 2^63).
	wantInt := isNum && f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63
	if nok != wantInt || (nok && float64(n) != f) {
		t.Fatalf("Int(%q) = %d, %v; Get gives %#v", path, n, nok, v)
	}
}
