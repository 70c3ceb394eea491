package schemas_test

import (
	"bytes"
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

// fuzzProto has nesting, recursion, repeated, maps, oneofs and bytes.
const fuzzProto = `syntax = "proto3";
package fz;
message F {
  message Inner { string s = 1; F back = 2; }
  int64 n = 1;
  repeated Inner items = 2;
  map<string, double> attrs = 3;
  oneof pick { string a = 4; bytes b = 5; }
  sint32 z = 6;
}
message G { repeated F fs = 1; }
`

// fuzzJSON has required fields, types, patterns, enums and nesting.
const fuzzJSON = `{"type":"object","required":["n"],"properties":{
 "n":{"type":"integer"},"tags":{"type":"array","items":{"type":"string","pattern":"^[a-z]+$"}},
 "kind":{"enum":["A","B"]},"child":{"type":"object","properties":{"s":{"type":"string"}}}}}`

// fuzzFormat registers text of format and returns its parser, its schema
// id and seed payloads.
func fuzzFormat(f *testing.F, format schemas.Format, text string, values ...string) (params.Parser, int) {
	fake := srfake.New()
	f.Cleanup(fake.Close)
	cfg := schemas.DefaultConfig()
	cfg.URLs = []string{fake.URL()}
	reg, err := schemas.New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	s, err := reg.Register(context.Background(), "fz-value", format, text)
	if err != nil {
		f.Fatal(err)
	}
	for _, v := range values {
		valid, err := s.EncodeJSON([]byte(v))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(valid)
		f.Add(valid[:len(valid)-1])
	}
	f.Add([]byte{0, 0, 0, 0, 1})
	f.Add([]byte{1, 2, 3})
	return reg.Parser(format), s.ID
}

// fuzzCheck is the property every format keeps: whatever a record holds,
// the parser neither panics nor hangs; it accepts it or fails with
// params.ErrParse (the registry is up); what Check accepts, Parse and
// Decode accept too.
func fuzzCheck(t *testing.T, p params.Parser, id int, raw []byte) {
	raw = fuzzRaw(id, raw)
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
}

// fuzzRaw is raw with the registered id: other ids would only test the
// registry's 404.
func fuzzRaw(id int, raw []byte) []byte {
	if len(raw) >= 5 {
		raw = append([]byte{0, 0, 0, 0, byte(id)}, raw[5:]...)
	}
	return raw
}

// fuzzCheckTyped is fuzzCheck, and a Decode into a Go value of the
// schema's shape (hamba's typed reader) neither panics nor overflows its
// stack, fails only with params.ErrParse, and accepts what Check accepts.
func fuzzCheckTyped(t *testing.T, p params.Parser, id int, raw []byte, typed func() any) {
	fuzzCheck(t, p, id, raw)
	raw = fuzzRaw(id, raw)
	checked := p.Check(raw)
	err := p.Decode(raw, typed())
	switch {
	case err != nil && (!errors.Is(err, params.ErrParse) || errors.Is(err, params.ErrUnavailable)):
		t.Fatalf("typed Decode = %v: want params.ErrParse only", err)
	case checked == nil && err != nil:
		t.Fatalf("Check accepted what a typed Decode refuses: %v", err)
	}
}

// Hostile Avro: arrays of nulls with huge block counts, maps, unions,
// bytes, fixed, enums, nested records.
func FuzzParser(f *testing.F) {
	p, id := fuzzFormat(f, schemas.Avro, fuzzAvro,
		`{"n":1,"tags":[null,null],"attrs":{"a":"x","b":2.5},"blob":"ab","fix":"abcd","kind":"B","child":{"s":"hi"}}`)
	f.Add([]byte{0, 0, 0, 0, 1, 2, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}) // a huge array of nulls
	f.Fuzz(func(t *testing.T, raw []byte) { fuzzCheck(t, p, id, raw) })
}

// Hostile Protobuf: message indexes, recursion, wire types.
func FuzzParser_protobuf(f *testing.F) {
	p, id := fuzzFormat(f, schemas.Protobuf, fuzzProto,
		`{"n":"5","items":[{"s":"x","back":{"n":"1"}}],"attrs":{"k":1.5},"a":"y","z":-3}`)
	f.Add([]byte{0, 0, 0, 0, 1, 0x7e, 1, 2, 3}) // a huge index count
	f.Fuzz(func(t *testing.T, raw []byte) { fuzzCheck(t, p, id, raw) })
}

// Hostile JSON Schema documents.
func FuzzParser_jsonschema(f *testing.F) {
	p, id := fuzzFormat(f, schemas.JSONSchema, fuzzJSON, `{"n":1,"tags":["ab"],"kind":"A","child":{"s":"x"}}`)
	f.Fuzz(func(t *testing.T, raw []byte) { fuzzCheck(t, p, id, raw) })
}

// fuzzRecursiveAvro recurses through a union, an array and a map.
const fuzzRecursiveAvro = `{"type":"record","name":"T","namespace":"fz","fields":[
 {"name":"v","type":"long"},
 {"name":"next","type":["null","T"]},
 {"name":"kids","type":{"type":"array","items":"T"}},
 {"name":"named","type":{"type":"map","values":"T"}}]}`

type fuzzT struct {
	V     int64            `avro:"v"`
	Next  *fuzzT           `avro:"next"`
	Kids  []fuzzT          `avro:"kids"`
	Named map[string]fuzzT `avro:"named"`
}

// Hostile Avro against a recursive schema: nesting as deep as the payload
// is long must fail, generically and into a struct, never overflow the
// stack.
func FuzzParser_avroRecursive(f *testing.F) {
	leaf := `{"v":4,"next":null,"kids":[],"named":{}}`
	p, id := fuzzFormat(f, schemas.Avro, fuzzRecursiveAvro,
		`{"v":1,"next":`+leaf+`,"kids":[`+leaf+`,`+leaf+`],"named":{"a":`+leaf+`}}`)
	deep := append([]byte{0, 0, 0, 0, 1}, bytes.Repeat([]byte{0, 2}, 4096)...) // v 0, next: T, ...
	f.Add(deep)
	f.Add(append([]byte{0, 0, 0, 0, 1}, bytes.Repeat([]byte{0, 0, 2}, 4096)...)) // v 0, next null, kids: one T, ...
	f.Fuzz(func(t *testing.T, raw []byte) {
		fuzzCheckTyped(t, p, id, raw, func() any { return new(fuzzT) })
	})
}

// fuzzNestedAvro nests arrays of items that take no bytes.
const fuzzNestedAvro = `{"type":"record","name":"Z","namespace":"fz","fields":[
 {"name":"nulls","type":{"type":"array","items":{"type":"array","items":"null"}}},
 {"name":"empty","type":{"type":"map","values":{"type":"array","items":{"type":"record","name":"E","fields":[]}}}}]}`

type fuzzZ struct {
	Nulls [][]*struct{}         `avro:"nulls"`
	Empty map[string][]struct{} `avro:"empty"`
}

// Hostile Avro against arrays of arrays of nulls and maps of arrays of
// empty records: every block count may claim items that cost no bytes.
func FuzzParser_avroNestedArrays(f *testing.F) {
	p, id := fuzzFormat(f, schemas.Avro, fuzzNestedAvro,
		`{"nulls":[[null,null],[],[null]],"empty":{"a":[{},{}],"b":[]}}`)
	hostile := []byte{0, 0, 0, 0, 1, 0x8e, 0x03} // 199 arrays
	for range 199 {
		hostile = append(hostile, 0x80, 0x80, 0x08, 0) // of 65,536 nulls each
	}
	f.Add(append(hostile, 0, 0))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fuzzCheckTyped(t, p, id, raw, func() any { return new(fuzzZ) })
	})
}
