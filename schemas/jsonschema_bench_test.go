package schemas_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/schemas"
)

var benchUser = jsonUser{ID: 7, Email: "ada@example.com", Plan: "pro", Address: &jsonAddress{Street: "Main St", Zip: "12345"}}

// benchWriter is userWriter's writer on a fake registry, for a benchmark.
func benchWriter(b *testing.B) (*schemas.Registry, *schemas.Writer) {
	b.Helper()
	fake := srfake.New()
	b.Cleanup(fake.Close)
	cfg := schemas.DefaultConfig()
	cfg.URLs = []string{fake.URL()}
	cfg.Retries, cfg.Backoff, cfg.Timeout = 1, 10*time.Millisecond, time.Second
	reg, err := schemas.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := reg.Register(context.Background(), "address", schemas.JSONSchema, addressJSON); err != nil {
		b.Fatal(err)
	}
	return reg, reg.TopicName().Register(schemas.JSONSchema, userJSON, schemas.Reference{Name: "address.json", Subject: "address", Version: 1})
}

// Reading one record through the route parser (header, cached schema,
// validation, decoding) against encoding/json decoding the same document.
func BenchmarkJSONSchema_decode(b *testing.B) {
	reg, w := benchWriter(b)
	raw, err := w.Encode("users", benchUser)
	if err != nil {
		b.Fatal(err)
	}
	p := reg.Parser(schemas.JSONSchema)
	b.Run("schemas/struct", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			var u jsonUser
			if err := p.Decode(raw, &u); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("schemas/generic", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := p.Parse(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("schemas/check", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if err := p.Check(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	doc := raw[5:]
	b.Run("encoding-json/struct", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			var u jsonUser
			if err := json.Unmarshal(doc, &u); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json/generic", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			if _, err := params.JSON.Parse(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Writing one value through a responder topic's writer (encoding,
// validation, header) against encoding/json encoding the same value.
func BenchmarkJSONSchema_encode(b *testing.B) {
	_, w := benchWriter(b)
	raw, err := w.Encode("users", benchUser)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("schemas/struct", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := w.Encode("users", benchUser); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json/struct", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw) - 5))
		for b.Loop() {
			if _, err := json.Marshal(benchUser); err != nil {
				b.Fatal(err)
			}
		}
	})
}
