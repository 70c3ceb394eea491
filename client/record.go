package client

import "time"

// Header is one record header. Order and duplicate keys are kept.
type Header struct {
	Key   string
	Value []byte
}

// Record is one consumed record. The runtime keeps it by value inside the
// state of its message, so a client fills it without an allocation of its
// own (Headers aside).
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Value     []byte
	Headers   []Header
	Timestamp time.Time
}
