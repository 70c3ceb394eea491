package schemas_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/schemas"
	"github.com/karafka-actors/karafka-actors/schemas/internal/testpb"
)

// moneyProto is another subject's schema, imported by orderProto.
const moneyProto = `syntax = "proto3";
package com.example.common;

message Money {
  string currency = 1;
  int64 units = 2;
}

enum Tier {
  TIER_UNSPECIFIED = 0;
  TIER_GOLD = 1;
}
`

// orderProto has two top-level messages (Order [0], User [1]), a nested one
// (Order.Item [0 0]), an import of another subject and a well-known type.
const orderProto = `syntax = "proto3";
package com.example;

import "common/money.proto";
import "google/protobuf/timestamp.proto";

message Order {
  message Item {
    string sku = 1;
    int32 qty = 2;
    double price = 3;
  }
  int64 id = 1;
  User user = 2;
  repeated Item items = 3;
  com.example.common.Money total = 4;
  google.protobuf.Timestamp created_at = 5;
  map<string, string> labels = 6;
  oneof payment {
    string card = 7;
    string iban = 8;
  }
  com.example.common.Tier tier = 9;
  bytes note = 10;
  uint64 big = 11;
}

message User {
  int64 id = 1;
  string email = 2;
  optional bool premium = 3;
}
`

// timestampProto is shaped exactly as google.protobuf.Timestamp, so the
// generated *timestamppb.Timestamp writes and reads it.
const timestampProto = `syntax = "proto3";
package google.protobuf;

message Timestamp {
  int64 seconds = 1;
  int32 nanos = 2;
}
`

// compileProto compiles files (by import path) the way a producer with its
// own copy of the .proto would, and returns root's descriptor.
func compileProto(t testing.TB, root string, files map[string]string) protoreflect.FileDescriptor {
	t.Helper()
	c := protocompile.Compiler{Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
		Accessor: func(path string) (io.ReadCloser, error) {
			text, ok := files[path]
			if !ok {
				return nil, os.ErrNotExist
			}
			return io.NopCloser(strings.NewReader(text)), nil
		},
	})}
	fs, err := c.Compile(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	return fs[0]
}

// orderSchema registers the money subject and returns a writer of
// orderProto (importing it) and the producer's descriptors of orderProto.
func orderSchema(t testing.TB, reg *schemas.Registry) (*schemas.Writer, protoreflect.FileDescriptor) {
	t.Helper()
	if _, err := reg.Register(context.Background(), "common-money", schemas.Protobuf, moneyProto); err != nil {
		t.Fatal(err)
	}
	w := reg.TopicName().Register(schemas.Protobuf, orderProto,
		schemas.Reference{Name: "common/money.proto", Subject: "common-money", Version: 1})
	fd := compileProto(t, "order.proto", map[string]string{"order.proto": orderProto, "common/money.proto": moneyProto})
	return w, fd
}

// set sets the fields of m from a protojson-like map of scalars and
// messages (built with set too).
func set(m *dynamicpb.Message, fields map[string]any) *dynamicpb.Message {
	for name, v := range fields {
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(name))
		switch x := v.(type) {
		case *dynamicpb.Message:
			m.Set(fd, protoreflect.ValueOfMessage(x))
		case []*dynamicpb.Message:
			l := m.Mutable(fd).List()
			for _, e := range x {
				l.Append(protoreflect.ValueOfMessage(e))
			}
		case map[string]string:
			mp := m.Mutable(fd).Map()
			for k, e := range x {
				mp.Set(protoreflect.ValueOfString(k).MapKey(), protoreflect.ValueOfString(e))
			}
		case protoreflect.EnumNumber:
			m.Set(fd, protoreflect.ValueOfEnum(x))
		default:
			m.Set(fd, protoreflect.ValueOf(v))
		}
	}
	return m
}

// newMsg is a new message of fd or of a file it imports, by its name in
// fd's package or its full name.
func newMsg(fd protoreflect.FileDescriptor, name string) *dynamicpb.Message {
	full := protoreflect.FullName(name)
	if !strings.Contains(name, ".") {
		full = fd.Package().Append(protoreflect.Name(name))
	}
	md := findMessage(fd, full)
	if md == nil {
		panic("no message " + name)
	}
	return dynamicpb.NewMessage(md)
}

func findMessage(fd protoreflect.FileDescriptor, name protoreflect.FullName) protoreflect.MessageDescriptor {
	var in func(protoreflect.MessageDescriptors) protoreflect.MessageDescriptor
	in = func(msgs protoreflect.MessageDescriptors) protoreflect.MessageDescriptor {
		for i := range msgs.Len() {
			if md := msgs.Get(i); md.FullName() == name {
				return md
			} else if md := in(md.Messages()); md != nil {
				return md
			}
		}
		return nil
	}
	if md := in(fd.Messages()); md != nil {
		return md
	}
	for i := range fd.Imports().Len() {
		if md := findMessage(fd.Imports().Get(i).FileDescriptor, name); md != nil {
			return md
		}
	}
	return nil
}

func order(fd protoreflect.FileDescriptor) *dynamicpb.Message {
	ts := timestamppb.New(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	created := newMsg(fd, "google.protobuf.Timestamp")
	proto.Merge(created, ts)
	return set(newMsg(fd, "Order"), map[string]any{
		"id":   int64(123456),
		"user": set(newMsg(fd, "User"), map[string]any{"id": int64(42), "email": "ann@example.com", "premium": true}),
		"items": []*dynamicpb.Message{
			set(newMsg(fd, "com.example.Order.Item"), map[string]any{"sku": "A-100", "qty": int32(2), "price": 9.99}),
			set(newMsg(fd, "com.example.Order.Item"), map[string]any{"sku": "B-200", "qty": int32(1), "price": 19.5}),
		},
		"total":      set(newMsg(fd, "com.example.common.Money"), map[string]any{"currency": "EUR", "units": int64(39)}),
		"created_at": created,
		"labels":     map[string]string{"channel": "web", "region": "eu"},
		"card":       "4111-xxxx",
		"tier":       protoreflect.EnumNumber(1),
		"note":       []byte{0, 1, 2},
		"big":        uint64(1) << 63,
	})
}

// A value a responder writes through a Protobuf subject (with a reference
// and a well-known import) reads back through the route parser: checked,
// decoded into the producer's message, and generic for params' dotted
// access; the generic form encodes back to the same bytes.
func TestProtobuf_writeThenRead(t *testing.T) {
	reg, _ := newRegistry(t)
	w, fd := orderSchema(t, reg)
	sent := order(fd)
	raw, err := w.Encode("orders", sent)
	if err != nil {
		t.Fatal(err)
	}
	if raw[0] != 0 || raw[5] != 0 {
		t.Fatalf("header and indexes % x, want magic 0, id, then [0] as one 0 byte", raw[:6])
	}
	p := reg.Parser(schemas.Protobuf)
	if err := p.Check(raw); err != nil {
		t.Fatal(err)
	}
	got := newMsg(fd, "Order")
	if err := p.Decode(raw, got); err != nil || !proto.Equal(got, sent) {
		t.Fatalf("Decode = %v, %v", got, err)
	}

	prm := params.Lazy(params.Metadata{Topic: "orders"}, raw, p)
	ints := map[string]int64{"id": 123456, "user.id": 42, "items.0.qty": 2, "total.units": 39}
	for path, want := range ints {
		if n, ok := prm.Int(path); !ok || n != want {
			t.Errorf("Int(%s) = %d %v, want %d", path, n, ok, want)
		}
	}
	strs := map[string]string{
		"user.email": "ann@example.com", "items.1.sku": "B-200", "labels.region": "eu",
		"card": "4111-xxxx", "tier": "TIER_GOLD", "created_at": "2024-05-01T12:00:00Z",
	}
	for path, want := range strs {
		if s, ok := prm.String(path); !ok || s != want {
			t.Errorf("String(%s) = %q %v, want %q", path, s, ok, want)
		}
	}
	if b, ok := prm.Bool("user.premium"); !ok || !b {
		t.Errorf("Bool(user.premium) = %v %v", b, ok)
	}
	if _, ok := prm.Get("iban"); ok {
		t.Error("the oneof's unset field is in the generic form")
	}
	if v, _ := prm.Get("items.1.price"); v != 19.5 {
		t.Errorf("items.1.price = %#v, want float64 19.5", v)
	}
	if v, _ := prm.Get("note"); !bytes.Equal(v.([]byte), []byte{0, 1, 2}) {
		t.Errorf("note = %#v", v)
	}
	if v, _ := prm.Get("big"); v != uint64(1)<<63 {
		t.Errorf("big = %#v, want a uint64 past int64", v)
	}

	v, err := prm.Value()
	if err != nil {
		t.Fatal(err)
	}
	again, err := w.Encode("orders", v)
	if err != nil || !bytes.Equal(again, raw) {
		t.Fatalf("generic round trip: %v\n% x\n% x", err, again, raw)
	}

	// A nested message is written with its indexes, [0 0]: read as itself,
	// refused as the outer message.
	item := set(newMsg(fd, "com.example.Order.Item"), map[string]any{"sku": "C-300", "qty": int32(5)})
	raw, err = w.Encode("orders", item)
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{4, 0, 0}; !bytes.Equal(raw[5:8], want) {
		t.Fatalf("Order.Item indexes % x, want % x", raw[5:8], want)
	}
	prm = params.Lazy(params.Metadata{Topic: "orders"}, raw, p)
	if n, ok := prm.Int("qty"); !ok || n != 5 {
		t.Errorf("Order.Item: Int(qty) = %d %v", n, ok)
	}
	if err := p.Decode(raw, newMsg(fd, "Order")); !errors.Is(err, schemas.ErrMismatch) || !errors.Is(err, params.ErrParse) ||
		!strings.Contains(err.Error(), "com.example.Order.Item") || !strings.Contains(err.Error(), "com.example.Order ") {
		t.Errorf("Order.Item decoded as Order: %v, want ErrMismatch naming both", err)
	}
	// The second top-level message is [1].
	raw, err = w.Encode("orders", set(newMsg(fd, "User"), map[string]any{"id": int64(9)}))
	if err != nil || !bytes.Equal(raw[5:7], []byte{2, 2}) {
		t.Fatalf("User: % x, %v", raw, err)
	}
	if err := p.Check(raw); err != nil {
		t.Fatal(err)
	}

	// JSON, as produce --schema writes it, goes to the first message.
	s, err := reg.Latest(context.Background(), "orders-value")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "com.example.Order" {
		t.Errorf("Name = %q", s.Name())
	}
	raw, err = s.EncodeJSON([]byte(`{"id":"7","user":{"id":1},"createdAt":"2024-05-01T12:00:00.5Z","tier":"TIER_GOLD"}`))
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := reg.Decode(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	m := g.(map[string]any)
	if m["id"] != int64(7) || m["created_at"] != "2024-05-01T12:00:00.500Z" || m["tier"] != "TIER_GOLD" {
		t.Errorf("EncodeJSON read back as %v", m)
	}
	if _, err := s.EncodeJSON([]byte(`{"id":1,"nope":2}`)); !errors.Is(err, schemas.ErrMismatch) {
		t.Errorf("an unknown JSON field: %v", err)
	}
}

// A schema shaped as a generated well-known type is written and read with
// the generated type.
func TestProtobuf_generatedType(t *testing.T) {
	reg, _ := newRegistry(t)
	w := reg.TopicName().Register(schemas.Protobuf, timestampProto)
	sent := timestamppb.New(time.Date(2024, 5, 1, 12, 0, 0, 5000, time.UTC))
	raw, err := w.Encode("ticks", sent)
	if err != nil {
		t.Fatal(err)
	}
	p := reg.Parser(schemas.Protobuf)
	var got timestamppb.Timestamp
	if err := p.Decode(raw, &got); err != nil || !proto.Equal(&got, sent) {
		t.Fatalf("Decode = %v, %v", &got, err)
	}
	// A top-level Timestamp reads as protojson writes it, and back.
	v, err := p.Parse(raw)
	if err != nil || v != "2024-05-01T12:00:00.000005Z" {
		t.Fatalf("Parse = %#v, %v", v, err)
	}
	if again, err := w.Encode("ticks", v); err != nil || !bytes.Equal(again, raw) {
		t.Fatalf("generic round trip: %v", err)
	}
	var d durationpb.Duration
	err = p.Decode(raw, &d)
	if !errors.Is(err, schemas.ErrMismatch) || !errors.Is(err, params.ErrParse) ||
		!strings.Contains(err.Error(), "google.protobuf.Timestamp") || !strings.Contains(err.Error(), "google.protobuf.Duration") {
		t.Errorf("decode into another message: %v, want ErrMismatch naming both", err)
	}
	var user struct{ ID int64 }
	if err := p.Decode(raw, &user); err == nil || !strings.Contains(err.Error(), "*struct") {
		t.Errorf("decode into a struct: %v, want an error naming its type", err)
	}
	if _, err := w.Encode("ticks", durationpb.New(time.Second)); !errors.Is(err, schemas.ErrMismatch) || !errors.Is(err, responders.ErrSchema) {
		t.Errorf("encode a message the schema lacks: %v", err)
	}
}

// A generated type that reads differently from the schema of its name
// does not get past what Check refuses.
func TestProtobuf_generatedTypeOfAnotherShape(t *testing.T) {
	reg, _ := newRegistry(t)
	// seconds as a string: proto3 checks it is UTF-8, the generated type
	// keeps a length-delimited field 1 as unknown.
	const other = `syntax = "proto3"; package google.protobuf; message Timestamp { string seconds = 1; int32 nanos = 2; }`
	s, err := reg.Register(context.Background(), "ticks-value", schemas.Protobuf, other)
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte{0, 0, 0, 0, byte(s.ID), 0, 0x0a, 2, 0xff, 0xfe}
	p := reg.Parser(schemas.Protobuf)
	if err := p.Check(raw); !errors.Is(err, schemas.ErrMismatch) {
		t.Fatalf("Check = %v, want ErrMismatch (invalid UTF-8)", err)
	}
	var ts timestamppb.Timestamp
	if err := p.Decode(raw, &ts); !errors.Is(err, schemas.ErrMismatch) || !errors.Is(err, params.ErrParse) {
		t.Errorf("Decode = %v, want what Check says", err)
	}
}

// Each bad input fails with its own error, every payload fault matching
// params.ErrParse.
func TestProtobuf_badInput(t *testing.T) {
	reg, _ := newRegistry(t)
	w, fd := orderSchema(t, reg)
	good, err := w.Encode("orders", order(fd))
	if err != nil {
		t.Fatal(err)
	}
	hdr := good[:5]
	with := func(b ...byte) []byte { return append(append([]byte{}, hdr...), b...) }
	body := good[6:]
	avro, err := reg.Register(context.Background(), "users-value", schemas.Avro, userAvro)
	if err != nil {
		t.Fatal(err)
	}
	avroRaw, err := avro.Encode(map[string]any{"id": 1})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"index past the file's messages", append(with(2, 4), body...), schemas.ErrMismatch},
		{"nested index past the message's", append(with(4, 0, 6), body...), schemas.ErrMismatch},
		{"no indexes", with(), schemas.ErrWireFormat},
		{"truncated indexes", with(4, 0), schemas.ErrWireFormat},
		{"negative index", append(with(2, 1), body...), schemas.ErrWireFormat},
		{"too many indexes", append(with(0xfe, 0x01), body...), schemas.ErrWireFormat},
		{"truncated", good[:len(good)-1], schemas.ErrMismatch},
		{"not protobuf", with(0, 0xff, 0xff, 0xff), schemas.ErrMismatch},
		{"invalid UTF-8", with(0, 0x3a, 1, 0xff), schemas.ErrMismatch},
		{"an Avro schema's id", avroRaw, schemas.ErrWrongFormat},
	}
	p := reg.Parser(schemas.Protobuf)
	for _, c := range cases {
		err := p.Check(c.raw)
		if !errors.Is(err, c.want) || !errors.Is(err, params.ErrParse) || errors.Is(err, params.ErrUnavailable) {
			t.Errorf("%s: Check = %v, want %v and params.ErrParse", c.name, err, c.want)
		}
		if _, err := p.Parse(c.raw); !errors.Is(err, c.want) || !errors.Is(err, params.ErrParse) {
			t.Errorf("%s: Parse = %v", c.name, err)
		}
		if err := p.Decode(c.raw, newMsg(fd, "Order")); !errors.Is(err, c.want) || !errors.Is(err, params.ErrParse) {
			t.Errorf("%s: Decode = %v", c.name, err)
		}
	}
	// Unknown fields are allowed, as protobuf allows them.
	if err := p.Check(append(append([]byte{}, good...), 0xf8, 0x06, 1)); err != nil {
		t.Errorf("an unknown field: %v", err)
	}
	if _, err := w.Encode("orders", map[string]any{"id": "seven"}); !errors.Is(err, responders.ErrSchema) || !errors.Is(err, schemas.ErrMismatch) {
		t.Errorf("a generic value that does not fit: %v", err)
	}
	if _, err := w.Encode("orders", map[string]any{"id": 1, "nope": true}); !errors.Is(err, schemas.ErrMismatch) {
		t.Errorf("a generic value with an unknown field: %v", err)
	}
}

// A .proto that does not compile, or imports what no reference provides,
// is refused before it reaches the registry; a writer of it fails every
// value.
func TestProtobuf_invalidSchema(t *testing.T) {
	reg, _ := newRegistry(t)
	ctx := context.Background()
	for name, text := range map[string]string{
		"syntax error":     `syntax = "proto3"; message { }`,
		"unknown type":     `syntax = "proto3"; message A { Missing m = 1; }`,
		"missing import":   `syntax = "proto3"; import "common/money.proto"; message A {}`,
		"duplicate number": `syntax = "proto3"; message A { int32 a = 1; int32 b = 1; }`,
	} {
		if _, err := reg.Register(ctx, "bad-value", schemas.Protobuf, text); !errors.Is(err, schemas.ErrInvalidSchema) {
			t.Errorf("%s: Register = %v, want ErrInvalidSchema", name, err)
		}
	}
	if subjects, err := reg.Subjects(ctx); err != nil || len(subjects) != 0 {
		t.Errorf("refused schemas reached the registry: %v", subjects)
	}
	w := reg.TopicName().Register(schemas.Protobuf, `syntax = "proto3"; message {`)
	if err := w.Usable(); !errors.Is(err, schemas.ErrInvalidSchema) {
		t.Errorf("Usable with a schema that does not compile: %v", err)
	}
	_, err := w.Encode("bad", map[string]any{})
	if errors.Is(err, responders.ErrSchema) || !errors.Is(err, schemas.ErrUnavailable) || !errors.Is(err, schemas.ErrInvalidSchema) {
		t.Errorf("Encode with a schema that does not compile: %v", err)
	}
	// A file of enums only compiles (another schema can import it) but
	// encodes nothing.
	s, err := reg.Register(ctx, "enums-value", schemas.Protobuf, `syntax = "proto3"; enum E { E_ZERO = 0; }`)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "" {
		t.Errorf("Name = %q", s.Name())
	}
	if _, err := s.Encode(map[string]any{}); !errors.Is(err, schemas.ErrMismatch) {
		t.Errorf("encode with no message: %v", err)
	}
	if _, err := reg.Parser(schemas.Protobuf).Parse([]byte{0, 0, 0, 0, byte(s.ID), 0}); !errors.Is(err, schemas.ErrMismatch) {
		t.Errorf("read with no message: %v", err)
	}
}

// A payload nested past the recursion limit is refused, not followed.
func TestProtobuf_deepNesting(t *testing.T) {
	reg, _ := newRegistry(t)
	const tree = `syntax = "proto3"; package t; message Node { Node child = 1; int64 v = 2; }`
	s, err := reg.Register(context.Background(), "tree-value", schemas.Protobuf, tree)
	if err != nil {
		t.Fatal(err)
	}
	// nest is Node{child: ... Node{v: 1}} depth deep: the lengths from the
	// inside out, then the tags and lengths from the outside in.
	nest := func(depth int) []byte {
		sizes := []int{2} // v = 1
		for range depth {
			n := sizes[len(sizes)-1]
			sizes = append(sizes, 1+len(varint(n))+n)
		}
		b := []byte{0, 0, 0, 0, byte(s.ID), 0}
		for i := depth - 1; i >= 0; i-- {
			b = append(append(b, 0x0a), varint(sizes[i])...)
		}
		return append(b, 0x10, 1)
	}
	p := reg.Parser(schemas.Protobuf)
	if err := p.Check(nest(50)); err != nil {
		t.Fatalf("50 deep: %v", err)
	}
	prm := params.Lazy(params.Metadata{}, nest(3), p)
	if n, ok := prm.Int("child.child.child.v"); !ok || n != 1 {
		t.Errorf("Int(child.child.child.v) = %d %v", n, ok)
	}
	for _, depth := range []int{150, 100_000} {
		if err := p.Check(nest(depth)); !errors.Is(err, schemas.ErrMismatch) || !errors.Is(err, params.ErrParse) {
			t.Errorf("%d deep: Check = %v, want ErrMismatch", depth, err)
		}
		if _, err := p.Parse(nest(depth)); !errors.Is(err, schemas.ErrMismatch) {
			t.Errorf("%d deep: Parse = %v, want ErrMismatch", depth, err)
		}
	}
}

func varint(n int) []byte {
	var b []byte
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

// Well-known types inside a message read as protojson writes them, and
// the generic form encodes back.
func TestProtobuf_wellKnownFields(t *testing.T) {
	reg, _ := newRegistry(t)
	const wkt = `syntax = "proto3"; package w;
import "google/protobuf/duration.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/any.proto";
import "google/protobuf/timestamp.proto";
message Event {
  google.protobuf.Duration took = 1;
  google.protobuf.Struct attrs = 2;
  google.protobuf.Int64Value count = 3;
  google.protobuf.Any detail = 4;
  float ratio = 5;
  map<int32, Inner> by_id = 6;
}
message Inner { string name = 1; }
`
	w := reg.TopicName().Register(schemas.Protobuf, wkt)
	s, err := reg.Register(context.Background(), "events-value", schemas.Protobuf, wkt)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.EncodeJSON([]byte(`{"took":"-1.5s","attrs":{"a":[1,"x",null,true]},"count":"12",
		"detail":{"@type":"type.googleapis.com/w.Inner","name":"in"},"ratio":"NaN","byId":{"3":{"name":"three"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	prm := params.Lazy(params.Metadata{}, raw, reg.Parser())
	want := map[string]any{"took": "-1.500s", "attrs.a.1": "x", "attrs.a.0": 1.0, "attrs.a.2": nil, "count": int64(12),
		"detail.name": "in", "detail.@type": "type.googleapis.com/w.Inner", "by_id.3.name": "three"}
	for path, w := range want {
		if v, ok := prm.Get(path); !ok || v != w {
			t.Errorf("Get(%s) = %#v %v, want %#v", path, v, ok, w)
		}
	}
	v, err := prm.Value()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := w.Encode("events", v); err != nil || !bytes.Equal(again, raw) {
		t.Fatalf("generic round trip: %v\n% x\n% x", err, again, raw)
	}
}

// One schema serves readers and writers at once.
func TestProtobuf_concurrent(t *testing.T) {
	reg, _ := newRegistry(t)
	w, fd := orderSchema(t, reg)
	raw, err := w.Encode("orders", order(fd))
	if err != nil {
		t.Fatal(err)
	}
	p := reg.Parser(schemas.Protobuf)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Go(func() {
			for range 50 {
				got := newMsg(fd, "Order")
				if err := p.Decode(raw, got); err != nil {
					errs <- err
					return
				}
				v, err := p.Parse(raw)
				if err != nil {
					errs <- err
					return
				}
				if _, err := w.Encode("orders", v); err != nil {
					errs <- err
					return
				}
				var ts timestamppb.Timestamp
				if err := p.Decode(raw, &ts); !errors.Is(err, schemas.ErrMismatch) {
					errs <- fmt.Errorf("decode into a Timestamp: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A generated message (testpb, generated from the .proto the producer
// registers) writes and reads as itself.
func TestProtobuf_generatedMessage(t *testing.T) {
	reg, _ := newRegistry(t)
	w := reg.TopicName().Register(schemas.Protobuf, orderProtoText(t))
	sent := protoOrder()
	raw, err := w.Encode("orders", sent)
	if err != nil {
		t.Fatal(err)
	}
	p := reg.Parser(schemas.Protobuf)
	var got testpb.Order
	if err := p.Decode(raw, &got); err != nil || !proto.Equal(&got, sent) {
		t.Fatalf("Decode = %v, %v", &got, err)
	}
	prm := params.Lazy(params.Metadata{Topic: "orders"}, raw, p)
	if n, ok := prm.Int("user.id"); !ok || n != 42 {
		t.Errorf("Int(user.id) = %d %v", n, ok)
	}
	v, _ := prm.Value()
	if again, err := w.Encode("orders", v); err != nil || !bytes.Equal(again, raw) {
		t.Fatalf("generic round trip: %v", err)
	}
	item, err := w.Encode("orders", &testpb.Item{Sku: "A"})
	if err != nil || item[5] != 2 || item[6] != 4 {
		t.Fatalf("Item is [2]: % x, %v", item, err)
	}
	if err := p.Decode(item, &got); !errors.Is(err, schemas.ErrMismatch) {
		t.Errorf("an Item decoded as an Order: %v", err)
	}
	var it testpb.Item
	if err := p.Decode(item, &it); err != nil || it.Sku != "A" {
		t.Errorf("Decode(Item) = %v, %v", &it, err)
	}
}
