package schemas_test

import (
	"context"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// fuzzAvro has every kind of Avro type a hostile payload could abuse:
// arrays and maps (block counts), unions, bytes, fixed, enums, nesting.
const fuzzAvro = `{"type":"record","name":"F","namespace":"fz","fields":[
 {"name":"n","type":"long"},
 {"name":"tags","type":{"type":"array","items":"null"}},
 {"name":"attrs","type":{"type":"map","values":["null","string","double"]}},
 {"name":"blob","type":"bytes"},
 {"name":"fix","type":{"type":"fixed","name":"Four","size":4}},
 {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"]}},
 {"name":"child","type":["null",{"type":"record","name":"C","fields":[{"name":"s","type":"string"}]}]}]}`

// Whatever a record holds, the parser neither panics nor hangs; it accepts
// it or fails with params.ErrParse (the registry is up), and what Check
// accepts, Parse and Decode accept too.
func FuzzParser(f *testing.F) {
	fake := srfake.New()
	f.Cleanup(fake.Close)
	cfg := schemas.DefaultConfig()
	cfg.URLs = []string{fake.URL()}
	reg, err := schemas.New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	s, err := reg.Register(context.Background(), "fz-value", schemas.Avro, fuzzAvro)
	if err != nil {
		f.Fatal(err)
	}
	valid, err := s.Encode(map[string]any{"n": 1, "tags": []any{nil, nil}, "attrs": map[string]any{"a": "x", "b": 2.5},
		"blob": []byte{1, 2}, "fix": []byte("abcd"), "kind": "B", "child": map[string]any{"s": "hi"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)-3])
	f.Add([]byte{0, 0, 0, 0, 1, 2, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}) // a huge array of nulls
	f.Add([]byte{0, 0, 0, 0, 1})
	f.Add([]byte{1, 2, 3})
	p := reg.Parser(schemas.Avro)
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) >= 5 {
			// Keep to the registered id: other ids would only test the
			// registry's 404.
			raw = append([]byte{0, 0, 0, 0, byte(s.ID)}, raw[5:]...)
		}
		err := p.Check(raw)
		if err != nil {
			if !errors.Is(err, params.ErrParse) || errors.Is(err, params.ErrUnavailable) {
				t.Fatalf("Check = %v: want params.ErrParse only", err)
			}
			return
		}
		if _, err := p.Parse(raw); err != nil {
			t.Fatalf("Check accepted what Parse refuses: %v", err)
		}
		var v any
		if err := p.Decode(raw, &v); err != nil {
			t.Fatalf("Check accepted what Decode refuses: %v", err)
		}
	})
}
