package producer

// Header is one Kafka record header. Order and duplicate keys are kept.
type Header struct {
	Key   string
	Value []byte
}

// Message is one record to produce.
//
// Partition is used only when ExplicitPartition is true; otherwise the
// partition is chosen by hashing Key (a nil Key spreads records randomly).
type Message struct {
	Topic             string
	Key               []byte
	Value             []byte
	Headers           []Header
	Partition         int32
	ExplicitPartition bool
}
