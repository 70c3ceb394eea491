package karafkatest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/params"
)

// Record is one consumed record fed to a route: what the runtime would read
// from the route's topic. Its zero Partition and Offset are partition 0,
// offset 0; set them when a test cares (they name the record in errors and
// in dead letter headers).
type Record struct {
	Key       []byte
	Value     []byte
	Headers   []params.Header
	Partition int32
	Offset    int64
	Timestamp time.Time
}

// Value returns a record whose payload is value.
func Value(value string) Record { return Record{Value: []byte(value)} }

// JSON returns a record whose payload is v encoded as JSON; it fails t when
// v cannot be encoded.
func JSON(t testing.TB, v any) Record {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("karafkatest: encode record: %v", err)
	}
	return Record{Value: b}
}

// WithKey returns r with key k.
func (r Record) WithKey(k string) Record {
	r.Key = []byte(k)
	return r
}

// WithHeader returns r with one more header; duplicate keys are kept in order.
func (r Record) WithHeader(k, v string) Record {
	r.Headers = append(r.Headers[:len(r.Headers):len(r.Headers)], params.Header{Key: k, Value: []byte(v)})
	return r
}

// At returns r read from partition at offset.
func (r Record) At(partition int32, offset int64) Record {
	r.Partition, r.Offset = partition, offset
	return r
}

func (r Record) metadata(topic string) params.Metadata {
	return params.Metadata{Topic: topic, Partition: r.Partition, Offset: r.Offset, Key: r.Key, Headers: r.Headers, Timestamp: r.Timestamp}
}
