package pipeline

import (
	"strconv"

	"github.com/karafka-actors/karafka-actors/producer"
)

// Headers added to a dead-lettered message, next to its original headers.
const (
	HeaderOriginTopic     = "karafka.origin.topic"
	HeaderOriginPartition = "karafka.origin.partition"
	HeaderOriginOffset    = "karafka.origin.offset"
	HeaderError           = "karafka.error"
	HeaderAttempts        = "karafka.attempts"
	HeaderStage           = "karafka.stage"
)

// DeadLetterHeaderCount is how many headers AppendDeadLetterHeaders appends.
const DeadLetterHeaderCount = 6

// Failure names a failed message for its dead letter headers.
type Failure struct {
	Topic     string
	Partition int32
	Offset    int64
	Stage     string // "controller" or "responder"
	Attempt   int
	Err       error
}

// AppendDeadLetterHeaders appends to dst (the record's original headers) the
// headers naming its origin and failure, in the order the runtime writes them.
func AppendDeadLetterHeaders(dst []producer.Header, f Failure) []producer.Header {
	return append(dst,
		producer.Header{Key: HeaderOriginTopic, Value: []byte(f.Topic)},
		producer.Header{Key: HeaderOriginPartition, Value: strconv.AppendInt(nil, int64(f.Partition), 10)},
		producer.Header{Key: HeaderOriginOffset, Value: strconv.AppendInt(nil, f.Offset, 10)},
		producer.Header{Key: HeaderError, Value: []byte(f.Err.Error())},
		producer.Header{Key: HeaderAttempts, Value: strconv.AppendInt(nil, int64(f.Attempt), 10)},
		producer.Header{Key: HeaderStage, Value: []byte(f.Stage)},
	)
}
