package params

import (
	"encoding/json"
	"reflect"
	"testing"
)

const pathDoc = `{
	"user": {"id": 42, "name": "ann", "admin": true, "score": 1.5},
	"items": [{"id": 1}, {"id": 2, "tags": ["x"]}],
	"big": 1e300,
	"neg": -7,
	"a.b": "dotted key",
	"": "empty key"
}`

func mustParams(t *testing.T, raw string, p Parser) *Params {
	t.Helper()
	ps, err := New(Metadata{}, []byte(raw), p)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestParams_get(t *testing.T) {
	p := mustParams(t, pathDoc, JSON)
	tests := []struct {
		path   string
		want   any
		wantOK bool
	}{
		{path: "user.id", want: 42.0, wantOK: true},
		{path: "user.name", want: "ann", wantOK: true},
		{path: "items.0.id", want: 1.0, wantOK: true},
		{path: "items.1.tags.0", want: "x", wantOK: true},
		{path: "user", want: map[string]any{"id": 42.0, "name": "ann", "admin": true, "score": 1.5}, wantOK: true},
		{path: "user.missing"},
		{path: "items.2.id"},
		{path: "items.-1"},
		{path: "items.x"},
		{path: "user.id.deeper"},
		{path: "a.b"},
		{path: "user."},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, ok := p.Get(tt.path)
			if ok != tt.wantOK || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Get(%q) = %#v, %v; want %#v, %v", tt.path, got, ok, tt.want, tt.wantOK)
			}
		})
	}
	if v, ok := p.Get(""); !ok || v == nil {
		t.Fatalf(`Get("") = %v, %v; want the whole value`, v, ok)
	}
}

func TestParams_getOnUnparsable(t *testing.T) {
	// Raw accepts anything at ingest; a Parse failure later makes every
	// lookup a miss instead of a panic.
	p := mustParams(t, `{`, &countingParser{})
	if v, ok := p.Get("a"); ok || v != nil {
		t.Fatalf("Get on unparsable payload = %v, %v", v, ok)
	}
	if _, ok := p.Get(""); ok {
		t.Fatal(`Get("") on unparsable payload reported ok`)
	}
}

func TestParams_typedGetters(t *testing.T) {
	p := mustParams(t, pathDoc, JSON)
	strTests := []struct {
		path   string
		want   string
		wantOK bool
	}{
		{path: "user.name", want: "ann", wantOK: true},
		{path: "user.id"},
		{path: "nope"},
	}
	for _, tt := range strTests {
		t.Run("String/"+tt.path, func(t *testing.T) {
			if got, ok := p.String(tt.path); got != tt.want || ok != tt.wantOK {
				t.Fatalf("String(%q) = %q, %v", tt.path, got, ok)
			}
		})
	}
	intTests := []struct {
		path   string
		want   int64
		wantOK bool
	}{
		{path: "user.id", want: 42, wantOK: true},
		{path: "neg", want: -7, wantOK: true},
		{path: "user.score"},
		{path: "big"},
		{path: "user.name"},
		{path: "nope"},
	}
	for _, tt := range intTests {
		t.Run("Int/"+tt.path, func(t *testing.T) {
			if got, ok := p.Int(tt.path); got != tt.want || ok != tt.wantOK {
				t.Fatalf("Int(%q) = %d, %v", tt.path, got, ok)
			}
		})
	}
	boolTests := []struct {
		path   string
		want   bool
		wantOK bool
	}{
		{path: "user.admin", want: true, wantOK: true},
		{path: "user.name"},
		{path: "nope"},
	}
	for _, tt := range boolTests {
		t.Run("Bool/"+tt.path, func(t *testing.T) {
			if got, ok := p.Bool(tt.path); got != tt.want || ok != tt.wantOK {
				t.Fatalf("Bool(%q) = %v, %v", tt.path, got, ok)
			}
		})
	}
}

// valueParser parses to a fixed value, to feed Int the non-JSON number types a
// custom parser may produce.
type valueParser struct{ v any }

func (valueParser) Name() string                   { return "value" }
func (valueParser) Check([]byte) error             { return nil }
func (v valueParser) Parse([]byte) (any, error)    { return v.v, nil }
func (valueParser) Decode(raw []byte, v any) error { return nil }

func TestParams_intFromOtherTypes(t *testing.T) {
	tests := []struct {
		name   string
		v      any
		want   int64
		wantOK bool
	}{
		{name: "json.Number", v: json.Number("12"), want: 12, wantOK: true},
		{name: "json.Number fraction", v: json.Number("1.5")},
		{name: "int", v: int(5), want: 5, wantOK: true},
		{name: "int32", v: int32(-5), want: -5, wantOK: true},
		{name: "uint8", v: uint8(200), want: 200, wantOK: true},
		{name: "uint64 overflow", v: uint64(1 << 63)},
		{name: "string", v: "5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParams(t, "", valueParser{map[string]any{"n": tt.v}})
			if got, ok := p.Int("n"); got != tt.want || ok != tt.wantOK {
				t.Fatalf("Int = %d, %v; want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
