package producer

import "errors"

var (
	// ErrClosed is the Result error of a message sent after Close started.
	ErrClosed = errors.New("producer: closed")

	// ErrUnreachable is wrapped by New when no broker could be reached; the
	// sarama cause is wrapped as well.
	ErrUnreachable = errors.New("producer: brokers unreachable")

	// ErrUnknownTopic is wrapped by the Result error of a message whose
	// topic does not exist on the cluster (Kafka's UNKNOWN_TOPIC_OR_PARTITION),
	// also while sarama's circuit breaker for the topic is open after it.
	ErrUnknownTopic = errors.New("producer: topic does not exist")

	// ErrInvalidPartition is wrapped by the Result error of a message sent
	// to a partition (Message.ExplicitPartition) its topic does not have.
	ErrInvalidPartition = errors.New("producer: no such partition")
)
