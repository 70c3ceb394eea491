// Package params is the message a controller sees: the raw payload of one
// Kafka record, its metadata, and the parser that turns the payload into
// values.
//
// It is the Go shape of Karafka 0.5's params: the raw bytes are always kept,
// the parsed value is computed lazily and at most once (JSON decoding is the
// hot spot of a consumer), Decode goes straight from bytes into a typed value,
// and Get reads a dotted path ("user.id", "items.0.id") from the parsed value.
//
// A Params is created per record on the hot path and used by one goroutine at
// a time; it does no locking.
//
// Every error wraps one of the sentinels in errors.go and can be tested with
// errors.Is.
package params
