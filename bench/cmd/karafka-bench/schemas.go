package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/karafka-actors/karafka-actors/bench/cmd/karafka-bench/benchpb"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// The karafka route with its input and responses in a schema format
// instead of plain JSON: the same record (record, ~200 B as JSON), decoded
// into the same struct (Protobuf: the generated benchpb.Record) and
// responded with, through app.Schemas().Parser
// and a responder topic's TopicName().Register writer. The harness starts
// an in-memory registry (srfake) when one of them runs, registers the
// record's schema under "<in>-value", writes the input in the registry's
// wire format and reads the responses back with the registry: side by
// side with karafka, what decoding and encoding through the registry costs
// against encoding/json.
var schemaImpls = map[string]schemas.Format{
	"karafka-avro":       schemas.Avro,
	"karafka-protobuf":   schemas.Protobuf,
	"karafka-jsonschema": schemas.JSONSchema,
}

// recordAvro is record as an Avro schema (field for field).
const recordAvro = `{"type":"record","name":"Record","namespace":"bench","fields":[
 {"name":"id","type":"long"},
 {"name":"ts","type":"long"},
 {"name":"seen","type":"long","default":0},
 {"name":"name","type":"string"},
 {"name":"email","type":"string"},
 {"name":"tags","type":{"type":"array","items":"string"}},
 {"name":"premium","type":"boolean"},
 {"name":"note","type":"string"}]}`

// recordJSONSchema is record as a JSON Schema (draft 2020-12).
const recordJSONSchema = `{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"bench.Record","type":"object",
 "properties":{
  "id":{"type":"integer"},
  "ts":{"type":"integer"},
  "seen":{"type":"integer"},
  "name":{"type":"string"},
  "email":{"type":"string"},
  "tags":{"type":"array","items":{"type":"string"}},
  "premium":{"type":"boolean"},
  "note":{"type":"string"}},
 "required":["id","ts","name","email","tags","premium","note"],
 "additionalProperties":false}`

// schemaText is the record's schema in f (Protobuf: benchpb/record.proto).
func schemaText(f schemas.Format) string {
	switch f {
	case schemas.JSONSchema:
		return recordJSONSchema
	case schemas.Protobuf:
		return benchpb.Proto
	}
	return recordAvro
}

// schemaValue is benchRecord as f's Go value: the generated message for
// Protobuf, record (avro and json tags) otherwise.
func schemaValue(f schemas.Format, id, ts int64) any {
	r := benchRecord(id, ts)
	if f == schemas.Protobuf {
		return &benchpb.Record{Id: r.ID, Ts: r.TS, Seen: r.Seen, Name: r.Name, Email: r.Email,
			Tags: r.Tags, Premium: r.Premium, Note: r.Note}
	}
	return r
}

// protoEcho is runKarafka's controller for Protobuf: the same work on the
// generated message, as a Protobuf application decodes.
func protoEcho() controllers.Controller {
	return controllers.Func(func(c *controllers.Context) error {
		var v benchpb.Record
		if err := c.Params.Decode(&v); err != nil {
			return err
		}
		if v.Ts > 0 {
			v.Seen = time.Now().UnixNano()
		}
		c.RespondWith(&v)
		return nil
	})
}

// implFormat is the schema format impl's topics are written in, 0 for
// plain JSON; impl may carry a linger variant (karafka-avro/1ms).
func implFormat(impl string) schemas.Format {
	name, _, _ := strings.Cut(impl, "/")
	return schemaImpls[name]
}

// registryClient is a client of the registry at url, for the harness and
// the tests.
func registryClient(url string) (*schemas.Registry, error) {
	cfg := schemas.DefaultConfig()
	cfg.URLs = []string{url}
	cfg.Timeout = 10 * time.Second
	return schemas.New(cfg)
}

// benchRegistry is the in-memory registry the harness serves to the
// workers of schema implementations, and its own client of it.
type benchRegistry struct {
	fake   *srfake.Registry
	client *schemas.Registry
}

func startRegistry() (*benchRegistry, error) {
	fake := srfake.New()
	c, err := registryClient(fake.URL())
	if err != nil {
		fake.Close()
		return nil, err
	}
	return &benchRegistry{fake: fake, client: c}, nil
}

func (r *benchRegistry) URL() string { return r.fake.URL() }

func (r *benchRegistry) Close() {
	r.client.Close()
	r.fake.Close()
}

// wire is how records are written on an implementation's topics: as the
// JSON of payload (format 0), or as record in a schema format.
type wire struct {
	format schemas.Format
	reg    *schemas.Registry // format != 0
}

var jsonWire = wire{}

// encoder registers the record's schema under "<topic>-value" (schema
// formats) and returns the encoder of records as payload builds them.
func (w wire) encoder(topic string) (func(id, ts int64) ([]byte, error), error) {
	if w.format == 0 {
		return func(id, ts int64) ([]byte, error) { return payload(id, ts), nil }, nil
	}
	s, err := w.reg.Register(context.Background(), topic+"-value", w.format, schemaText(w.format))
	if err != nil {
		return nil, err
	}
	return func(id, ts int64) ([]byte, error) { return s.Encode(schemaValue(w.format, id, ts)) }, nil
}

// id reads the id of a record of the topic.
func (w wire) id(raw []byte) (int64, error) {
	if w.format == 0 {
		var v struct {
			ID int64 `json:"id"`
		}
		err := json.Unmarshal(raw, &v)
		return v.ID, err
	}
	v, s, err := w.reg.Decode(context.Background(), raw)
	if err != nil {
		return 0, err
	}
	if s.Format != w.format {
		return 0, fmt.Errorf("a %s record, want %s", s.Format, w.format)
	}
	m, _ := v.(map[string]any)
	switch id := m["id"].(type) {
	case int64:
		return id, nil
	case float64:
		return int64(id), nil
	case json.Number:
		return id.Int64()
	}
	return 0, fmt.Errorf("no integer id in %v", v)
}
