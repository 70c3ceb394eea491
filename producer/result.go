package producer

// Result is the outcome of producing one [Message].
type Result struct {
	// Message is the message that was sent.
	Message *Message
	// Partition and Offset are where the record landed (when Err is nil).
	Partition int32
	Offset    int64
	// Err is nil on success; otherwise it is ErrClosed or wraps the sarama
	// cause and names the topic. A topic that does not exist matches
	// ErrUnknownTopic, also while sarama's circuit breaker for it is open.
	Err error
}
