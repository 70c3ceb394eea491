package params

import "time"

// Header is one Kafka record header. Order and duplicate keys are kept.
type Header struct {
	Key   string
	Value []byte
}

// Metadata describes where a record came from.
type Metadata struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Headers   []Header
	Timestamp time.Time
}

// Header returns the value of the last header named key, as Kafka clients
// conventionally resolve duplicates, and whether there was one.
func (m Metadata) Header(key string) ([]byte, bool) {
	for i := len(m.Headers) - 1; i >= 0; i-- {
		if m.Headers[i].Key == key {
			return m.Headers[i].Value, true
		}
	}
	return nil, false
}
