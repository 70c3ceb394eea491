package schemas_test

import (
	"encoding/json"
	"testing"

	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/schemas"
	"github.com/karafka-actors/karafka-actors/schemas/internal/testpb"
)

// The benchmarks' record is params' benchmark order (a ~200 byte JSON
// payload), in each format: read through the route parser and written
// through a responder's Writer, as the runtime does, schemas already
// looked up.

const orderAvro = `{"type":"record","name":"Order","namespace":"karafka.bench","fields":[
 {"name":"id","type":"long"},
 {"name":"user","type":{"type":"record","name":"User","fields":[
  {"name":"id","type":"long"},{"name":"name","type":"string"},{"name":"email","type":"string"}]}},
 {"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[
  {"name":"sku","type":"string"},{"name":"qty","type":"int"},{"name":"price","type":"double"}]}}},
 {"name":"created_at","type":"string"},
 {"name":"paid","type":"boolean"}]}`

type orderRecUser struct {
	ID    int64  `avro:"id" json:"id"`
	Name  string `avro:"name" json:"name"`
	Email string `avro:"email" json:"email"`
}

type orderRecItem struct {
	SKU   string  `avro:"sku" json:"sku"`
	Qty   int32   `avro:"qty" json:"qty"`
	Price float64 `avro:"price" json:"price"`
}

type orderRec struct {
	ID        int64          `avro:"id" json:"id"`
	User      orderRecUser   `avro:"user" json:"user"`
	Items     []orderRecItem `avro:"items" json:"items"`
	CreatedAt string         `avro:"created_at" json:"created_at"`
	Paid      bool           `avro:"paid" json:"paid"`
}

var orderRecValue = orderRec{
	ID:        123456,
	User:      orderRecUser{ID: 42, Name: "Ann Example", Email: "ann@example.com"},
	Items:     []orderRecItem{{SKU: "A-100", Qty: 2, Price: 9.99}, {SKU: "B-200", Qty: 1, Price: 19.5}},
	CreatedAt: "2024-05-01T12:00:00Z",
	Paid:      true,
}

// benchSetup registers the schema of format and returns its writer, the
// route parser, and the record encoded.
func benchSetup(b *testing.B, format schemas.Format, text string, v any) (*schemas.Writer, params.Parser, []byte) {
	b.Helper()
	reg, _ := newRegistry(b)
	w := reg.TopicName().Register(format, text)
	raw, err := w.Encode("orders", v)
	if err != nil {
		b.Fatal(err)
	}
	p := reg.Parser(format)
	if err := p.Check(raw); err != nil { // looks the schema up
		b.Fatal(err)
	}
	return w, p, raw
}

func benchDecode(b *testing.B, p params.Parser, raw []byte, v func() any) {
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if err := p.Decode(raw, v()); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEncode(b *testing.B, w *schemas.Writer, v any) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Encode("orders", v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAvro_decode(b *testing.B) {
	_, p, raw := benchSetup(b, schemas.Avro, orderAvro, orderRecValue)
	b.Run("struct", func(b *testing.B) { benchDecode(b, p, raw, func() any { return new(orderRec) }) })
	b.Run("generic", func(b *testing.B) { benchDecode(b, p, raw, func() any { return new(any) }) })
}

func BenchmarkAvro_encode(b *testing.B) {
	w, p, raw := benchSetup(b, schemas.Avro, orderAvro, orderRecValue)
	var generic any
	if err := p.Decode(raw, &generic); err != nil {
		b.Fatal(err)
	}
	b.Run("struct", func(b *testing.B) { benchEncode(b, w, orderRecValue) })
	b.Run("generic", func(b *testing.B) { benchEncode(b, w, generic) })
}

func BenchmarkProtobuf_decode(b *testing.B) {
	_, p, raw := benchSetup(b, schemas.Protobuf, orderProtoText(b), protoOrder())
	md := protoOrder().ProtoReflect().Descriptor()
	b.Run("generated", func(b *testing.B) { benchDecode(b, p, raw, func() any { return new(testpb.Order) }) })
	b.Run("dynamicpb", func(b *testing.B) { benchDecode(b, p, raw, func() any { return dynamicpb.NewMessage(md) }) })
	b.Run("generic", func(b *testing.B) { benchDecode(b, p, raw, func() any { return new(any) }) })
}

func BenchmarkProtobuf_encode(b *testing.B) {
	w, p, raw := benchSetup(b, schemas.Protobuf, orderProtoText(b), protoOrder())
	var generic any
	if err := p.Decode(raw, &generic); err != nil {
		b.Fatal(err)
	}
	b.Run("generated", func(b *testing.B) { benchEncode(b, w, protoOrder()) })
	b.Run("generic", func(b *testing.B) { benchEncode(b, w, generic) })
}

// The baseline: the same record as plain JSON with encoding/json, no
// registry.
func BenchmarkJSON_decode(b *testing.B) {
	raw, err := json.Marshal(orderRecValue)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		v    func() any
	}{{"struct", func() any { return new(orderRec) }}, {"generic", func() any { return new(any) }}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if err := json.Unmarshal(raw, c.v()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkJSON_encode(b *testing.B) {
	raw, err := json.Marshal(orderRecValue)
	if err != nil {
		b.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		v    any
	}{{"struct", orderRecValue}, {"generic", generic}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(c.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
