package producer

import "errors"

var (
	// ErrClosed is the Result error of a message sent after Close started.
	ErrClosed = errors.New("producer: closed")

	// ErrUnreachable is wrapped by New when no broker could be reached; the
	// sarama cause is wrapped as well.
	ErrUnreachable = errors.New("producer: brokers unreachable")
)
