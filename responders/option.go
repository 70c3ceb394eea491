package responders

import "github.com/karafka-actors/karafka-actors/producer"

// Option sets a field of one message given to RespondTo.
type Option func(*producer.Message)

// Key sets the record key, which picks the partition by hash.
func Key(k string) Option {
	return func(m *producer.Message) { m.Key = []byte(k) }
}

// KeyBytes sets the record key without copying k.
func KeyBytes(k []byte) Option {
	return func(m *producer.Message) { m.Key = k }
}

// Partition sends the record to partition p instead of hashing the key.
func Partition(p int32) Option {
	return func(m *producer.Message) {
		m.Partition = p
		m.ExplicitPartition = true
	}
}

// Header appends a header; duplicate keys are kept in order.
func Header(k, v string) Option {
	return func(m *producer.Message) {
		m.Headers = append(m.Headers, producer.Header{Key: k, Value: []byte(v)})
	}
}

// HeaderBytes appends a header without copying v.
func HeaderBytes(k string, v []byte) Option {
	return func(m *producer.Message) {
		m.Headers = append(m.Headers, producer.Header{Key: k, Value: v})
	}
}
