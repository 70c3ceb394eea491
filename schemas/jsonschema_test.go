package schemas_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// addressJSON is registered under its own subject and referenced as
// "address.json".
const addressJSON = `{"type":"object",
 "properties":{"street":{"type":"string"},"zip":{"type":"string","pattern":"^[0-9]{5}$"}},
 "required":["zip"]}`

const userJSON = `{"$schema":"http://json-schema.org/draft-07/schema#","title":"User","type":"object",
 "properties":{
  "id":{"type":"integer","minimum":1},
  "email":{"type":"string","pattern":"^[^@]+@[^@]+$"},
  "plan":{"enum":["free","pro"]},
  "address":{"$ref":"address.json"}},
 "required":["id","email"]}`

type jsonAddress struct {
	Street string `json:"street,omitempty"`
	Zip    string `json:"zip"`
}

type jsonUser struct {
	ID      int64        `json:"id"`
	Email   string       `json:"email"`
	Plan    string       `json:"plan,omitempty"`
	Address *jsonAddress `json:"address,omitempty"`
}

// userWriter registers the address schema and returns a writer of
// userJSON referencing it.
func userWriter(t *testing.T, reg *schemas.Registry) *schemas.Writer {
	t.Helper()
	if _, err := reg.Register(context.Background(), "address", schemas.JSONSchema, addressJSON); err != nil {
		t.Fatal(err)
	}
	return reg.TopicName().Register(schemas.JSONSchema, userJSON, schemas.Reference{Name: "address.json", Subject: "address", Version: 1})
}

// A struct and a map a responder writes through a JSON Schema subject read
// back through the route parser: checked, typed, generic and by path.
func TestJSONSchema_writeThenRead(t *testing.T) {
	reg, _ := newRegistry(t)
	w := userWriter(t, reg)
	p := reg.Parser(schemas.JSONSchema)

	fromStruct, err := w.Encode("users", jsonUser{ID: 7, Email: "ada@example.com", Plan: "pro", Address: &jsonAddress{Street: "Main St", Zip: "12345"}})
	if err != nil {
		t.Fatal(err)
	}
	fromMap, err := w.Encode("users", map[string]any{"id": 7, "email": "ada@example.com", "plan": "pro", "address": map[string]any{"street": "Main St", "zip": "12345"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range [][]byte{fromStruct, fromMap} {
		if raw[0] != 0 || !json.Valid(raw[5:]) {
			t.Fatalf("not a header then a JSON document: %q", raw)
		}
		if err := p.Check(raw); err != nil {
			t.Fatal(err)
		}
		var got jsonUser
		if err := p.Decode(raw, &got); err != nil || got.ID != 7 || got.Email != "ada@example.com" || got.Address == nil || got.Address.Zip != "12345" {
			t.Fatalf("Decode = %+v, %v", got, err)
		}
		var generic any
		if err := p.Decode(raw, &generic); err != nil {
			t.Fatal(err)
		}
		if id := generic.(map[string]any)["id"]; id != 7.0 {
			t.Fatalf("generic id = %#v, want float64 as params.JSON gives", id)
		}
		prm := params.Lazy(params.Metadata{Topic: "users"}, raw, p)
		if id, ok := prm.Int("id"); !ok || id != 7 {
			t.Fatalf("Int(id) = %d %v", id, ok)
		}
		if zip, ok := prm.String("address.zip"); !ok || zip != "12345" {
			t.Fatalf("String(address.zip) = %q %v", zip, ok)
		}
		// The generic form is what params.JSON makes of the same document.
		v, err := prm.Value()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := params.JSON.Parse(raw[5:])
		if fmt.Sprint(v) != fmt.Sprint(want) {
			t.Fatalf("Parse = %v, params.JSON gives %v", v, want)
		}
		// It encodes back to the same document.
		again, err := w.Encode("users", v)
		if err != nil || string(again) != string(fromMap) {
			t.Fatalf("generic round trip: %q, %v", again, err)
		}
	}
	id := int(binary.BigEndian.Uint32(fromMap[1:5]))
	s, err := reg.SchemaByID(context.Background(), id)
	if err != nil || s.Name() != "User" || s.Format != schemas.JSONSchema {
		t.Fatalf("schema %d: name %q, %v", id, s.Name(), err)
	}
	// A JSON document is compacted; json.RawMessage and []byte are one.
	doc := " {\n \"id\": 7, \"email\": \"ada@example.com\", \"plan\": \"pro\", \"address\": {\"street\": \"Main St\", \"zip\": \"12345\"}\n} \n"
	out, err := s.EncodeJSON([]byte(doc))
	if err != nil || string(out) != string(fromStruct) {
		t.Fatalf("EncodeJSON = %q, %v", out, err)
	}
	for _, v := range []any{json.RawMessage(doc), []byte(doc)} {
		if out, err := w.Encode("users", v); err != nil || string(out) != string(fromStruct) {
			t.Fatalf("Encode(%T) = %q, %v", v, out, err)
		}
	}
}

// Payloads that are not JSON, or JSON the schema refuses, are parse
// failures naming what is wrong; so is a schema of another format.
func TestJSONSchema_badInput(t *testing.T) {
	reg, _ := newRegistry(t)
	w := userWriter(t, reg)
	good, err := w.Encode("users", map[string]any{"id": 1, "email": "a@b"})
	if err != nil {
		t.Fatal(err)
	}
	hdr := good[:5]
	withDoc := func(doc string) []byte { return append(append([]byte{}, hdr...), doc...) }
	p := reg.Parser(schemas.JSONSchema)
	avroRaw, err := reg.TopicName().Register(schemas.Avro, userAvro).Encode("avro-users", map[string]any{"id": 1})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		raw  []byte
		want error
		says string
	}{
		{"empty document", withDoc(""), schemas.ErrMismatch, "empty document"},
		{"invalid JSON", withDoc(`{"id":1,`), schemas.ErrMismatch, "invalid JSON"},
		{"not JSON at all", withDoc("\x02\x0e"), schemas.ErrMismatch, "invalid JSON at byte 1"},
		{"data after the document", withDoc(`{"id":1,"email":"a@b"} {}`), schemas.ErrMismatch, "after the document"},
		{"missing required", withDoc(`{"id":1}`), schemas.ErrMismatch, "email"},
		{"wrong type", withDoc(`{"id":"one","email":"a@b"}`), schemas.ErrMismatch, "at '/id'"},
		{"not an integer", withDoc(`{"id":1.5,"email":"a@b"}`), schemas.ErrMismatch, "at '/id'"},
		{"pattern", withDoc(`{"id":1,"email":"nobody"}`), schemas.ErrMismatch, "at '/email'"},
		{"enum", withDoc(`{"id":1,"email":"a@b","plan":"gold"}`), schemas.ErrMismatch, "at '/plan'"},
		{"referenced schema", withDoc(`{"id":1,"email":"a@b","address":{"zip":"x"}}`), schemas.ErrMismatch, "at '/address/zip'"},
		{"referenced required", withDoc(`{"id":1,"email":"a@b","address":{}}`), schemas.ErrMismatch, "zip"},
		{"an Avro schema", avroRaw, schemas.ErrWrongFormat, "avro"},
	}
	for _, c := range cases {
		var v any
		var u jsonUser
		for op, err := range map[string]error{
			"Check":        p.Check(c.raw),
			"Parse":        func() error { _, err := p.Parse(c.raw); return err }(),
			"Decode(*any)": p.Decode(c.raw, &v),
			"Decode":       p.Decode(c.raw, &u),
		} {
			if !errors.Is(err, c.want) || !errors.Is(err, params.ErrParse) || errors.Is(err, params.ErrUnavailable) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("%s: %s = %v, want %v, params.ErrParse and %q", c.name, op, err, c.want, c.says)
			}
		}
	}

	// Values that do not fit fail the response, naming the failing path.
	for _, c := range []struct {
		v    any
		says string
	}{
		{map[string]any{"id": 1}, "email"},
		{jsonUser{ID: 0, Email: "a@b"}, "at '/id'"},
		{map[string]any{"id": 1, "email": "a@b", "address": map[string]any{"zip": 12345}}, "at '/address/zip'"},
		{json.RawMessage(`{"id":1,`), "invalid JSON"},
		{func() {}, "unsupported type"},
	} {
		_, err := w.Encode("users", c.v)
		if !errors.Is(err, responders.ErrSchema) || !errors.Is(err, schemas.ErrMismatch) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("Encode(%#v) = %v, want responders.ErrSchema, ErrMismatch and %q", c.v, err, c.says)
		}
	}
}

// A schema that does not compile is refused before it reaches the
// registry, and every value a writer of it encodes fails the response.
func TestJSONSchema_invalidSchema(t *testing.T) {
	reg, _ := newRegistry(t)
	if _, err := reg.Register(context.Background(), "address", schemas.JSONSchema, addressJSON); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, text string
		refs       []schemas.Reference
	}{
		{"not JSON", `{"type":`, nil},
		{"wrong keyword type", `{"type":"object","required":"id"}`, nil},
		{"unknown type", `{"type":"record"}`, nil},
		{"bad pattern", `{"type":"string","pattern":"(["}`, nil},
		{"a $ref to an unknown URL", `{"$ref":"https://example.com/nowhere.json"}`, nil},
		{"a $ref to a file", `{"$ref":"file:///etc/hostname"}`, nil},
		{"a $ref to a name never referenced", `{"properties":{"a":{"$ref":"other.json"}}}`, []schemas.Reference{{Name: "address.json", Subject: "address", Version: 1}}},
		{"a $ref to a missing pointer", `{"$ref":"address.json#/definitions/nope"}`, []schemas.Reference{{Name: "address.json", Subject: "address", Version: 1}}},
		{"an unknown $schema", `{"$schema":"https://example.com/meta","type":"object"}`, nil},
	} {
		_, err := reg.Register(context.Background(), "bad-"+strings.ReplaceAll(c.name, " ", "-"), schemas.JSONSchema, c.text, c.refs...)
		if !errors.Is(err, schemas.ErrInvalidSchema) {
			t.Errorf("%s: Register = %v, want ErrInvalidSchema", c.name, err)
		}
		// A writer declaring it: refused when the route is validated (when
		// it has no references), and at run time the message waits (the
		// deployment's fault, not the value's).
		w := reg.TopicName().Register(schemas.JSONSchema, c.text, c.refs...)
		if err := w.Usable(); len(c.refs) == 0 && !errors.Is(err, schemas.ErrInvalidSchema) {
			t.Errorf("%s: Usable = %v, want ErrInvalidSchema", c.name, err)
		}
		_, err = w.Encode("bad", map[string]any{"id": 1})
		if errors.Is(err, responders.ErrSchema) || !errors.Is(err, schemas.ErrUnavailable) || !errors.Is(err, schemas.ErrInvalidSchema) {
			t.Errorf("%s: Encode = %v, want ErrUnavailable and ErrInvalidSchema, not responders.ErrSchema", c.name, err)
		}
	}
	subjects, err := reg.Subjects(context.Background())
	if err != nil || len(subjects) != 1 {
		t.Fatalf("subjects %v, %v: an invalid schema reached the registry", subjects, err)
	}
}

// References resolve by name from a main schema without $id, relative to
// a main schema's $id, by a referenced schema's $id, and from one
// reference to another.
func TestJSONSchema_references(t *testing.T) {
	reg, _ := newRegistry(t)
	ctx := context.Background()
	zip := `{"type":"string","pattern":"^[0-9]{5}$"}`
	if _, err := reg.Register(ctx, "zip", schemas.JSONSchema, zip); err != nil {
		t.Fatal(err)
	}
	address := `{"$id":"https://example.com/schemas/address.schema.json","type":"object",
	 "properties":{"zip":{"$ref":"zip.json"}},"required":["zip"]}`
	zipRef := schemas.Reference{Name: "zip.json", Subject: "zip", Version: 1}
	if _, err := reg.Register(ctx, "address-id", schemas.JSONSchema, address, zipRef); err != nil {
		t.Fatal(err)
	}
	byAbsName := schemas.Reference{Name: "https://example.com/schemas/address.schema.json", Subject: "address-id", Version: 1}
	byRelName := schemas.Reference{Name: "address.json", Subject: "address-id", Version: 1}
	for _, c := range []struct {
		name, text string
		ref        schemas.Reference
	}{
		{"by absolute name", `{"properties":{"a":{"$ref":"https://example.com/schemas/address.schema.json"}}}`, byAbsName},
		{"by relative name", `{"properties":{"a":{"$ref":"address.json"}}}`, byRelName},
		{"relative to the main $id", `{"$id":"https://example.com/schemas/order.json","properties":{"a":{"$ref":"address.json"}}}`, byRelName},
		{"by the reference's $id", `{"properties":{"a":{"$ref":"https://example.com/schemas/address.schema.json"}}}`, byRelName},
		{"into the reference's definitions", `{"properties":{"a":{"$ref":"address.json#/properties/zip"}}}`, byRelName},
	} {
		s, err := reg.Register(ctx, "order-"+strings.ReplaceAll(c.name, " ", "-"), schemas.JSONSchema, c.text, c.ref)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		good, bad := `{"a":{"zip":"12345"}}`, `{"a":{"zip":"1"}}`
		if strings.Contains(c.text, "#/properties/zip") {
			good, bad = `{"a":"12345"}`, `{"a":"1"}`
		}
		if _, err := s.EncodeJSON([]byte(good)); err != nil {
			t.Errorf("%s: %s: %v", c.name, good, err)
		}
		if _, err := s.EncodeJSON([]byte(bad)); !errors.Is(err, schemas.ErrMismatch) || !strings.Contains(err.Error(), "/a") {
			t.Errorf("%s: %s: %v, want ErrMismatch at /a", c.name, bad, err)
		}
		// Read back through a fresh client: compiled from the registry's
		// copy and its references.
		fresh := newRegistryAt(t, reg)
		raw, _ := s.EncodeJSON([]byte(good))
		if err := fresh.Parser(schemas.JSONSchema).Check(raw); err != nil {
			t.Errorf("%s: a fresh client: %v", c.name, err)
		}
	}
}

// newRegistryAt is a second client of reg's registry, sharing no cache.
func newRegistryAt(t *testing.T, reg *schemas.Registry) *schemas.Registry {
	t.Helper()
	cfg := schemas.DefaultConfig()
	cfg.URLs = reg.URLs()
	fresh, err := schemas.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

// Hostile documents cost no more than their size: failures' text is
// bounded, deep nesting stops at encoding/json's limit, and a number no
// float64 holds is refused by Parse as params.JSON refuses it.
func TestJSONSchema_hostile(t *testing.T) {
	reg, _ := newRegistry(t)
	s, err := reg.Register(context.Background(), "list", schemas.JSONSchema,
		`{"type":"array","items":{"type":"string","pattern":"^[a-z]+$"}}`)
	if err != nil {
		t.Fatal(err)
	}
	items := make([]string, 10000)
	for i := range items {
		items[i] = fmt.Sprintf(`"%s%d"`, strings.Repeat("X", 500), i)
	}
	_, err = s.EncodeJSON([]byte("[" + strings.Join(items, ",") + "]"))
	if !errors.Is(err, schemas.ErrMismatch) || len(err.Error()) > 1200 || !strings.Contains(err.Error(), "and 9995 more") {
		t.Fatalf("10000 failures: %d bytes: %.300v", len(err.Error()), err)
	}

	tree, err := reg.Register(context.Background(), "tree", schemas.JSONSchema, `{"type":"array","items":{"$ref":"#"}}`)
	if err != nil {
		t.Fatal(err)
	}
	deep := func(n int) []byte { return []byte(strings.Repeat("[", n) + strings.Repeat("]", n)) }
	if _, err := tree.EncodeJSON(deep(10000)); err != nil {
		t.Fatalf("10000 deep: %v", err)
	}
	if _, err := tree.EncodeJSON(deep(10001)); !errors.Is(err, schemas.ErrMismatch) || !strings.Contains(err.Error(), "depth") {
		t.Fatalf("10001 deep: %v", err)
	}

	num, err := reg.Register(context.Background(), "num", schemas.JSONSchema, `{"type":"object","properties":{"n":{"type":"number"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := num.EncodeJSON([]byte(`{"n":1e400}`))
	if err != nil {
		t.Fatal(err) // valid JSON and the schema holds it, as params.JSON's Check passes it
	}
	if _, err := reg.Parser(schemas.JSONSchema).Parse(raw); !errors.Is(err, schemas.ErrMismatch) || !errors.Is(err, params.ErrParse) {
		t.Fatalf("Parse 1e400 = %v", err)
	}
}
