package karafka

import (
	"github.com/karafka-actors/karafka-actors/actors"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
)

// Headers of a dead letter, next to the original message's headers (whose
// own karafka.* headers are renamed input.karafka.*).
const (
	// HeaderOriginTopic, HeaderOriginPartition and HeaderOriginOffset say
	// where the message was consumed.
	HeaderOriginTopic     = pipeline.HeaderOriginTopic
	HeaderOriginPartition = pipeline.HeaderOriginPartition
	HeaderOriginOffset    = pipeline.HeaderOriginOffset
	// HeaderError is the last try's error, cut to 4 KiB.
	HeaderError = pipeline.HeaderError
	// HeaderAttempts is how many times the message was tried.
	HeaderAttempts = pipeline.HeaderAttempts
	// HeaderStage is where the last try failed: "controller" or "responder".
	HeaderStage = pipeline.HeaderStage
)

// Headers of a dead letter cut to fit producer.max_message_bytes: each says
// what was left out, as a decimal count of bytes (value, key) or headers.
const (
	HeaderTruncatedValue   = pipeline.HeaderTruncatedValue
	HeaderTruncatedKey     = pipeline.HeaderTruncatedKey
	HeaderTruncatedHeaders = pipeline.HeaderTruncatedHeaders
)

// ProcessingError is why one try of a message failed: the Err of the
// message events (see App.Events), naming the message, the stage and the
// attempt.
type ProcessingError = actors.ProcessingError

// Causes of a failed try, matched with errors.Is.
var (
	// ErrTimeout: the controller outlived the route's Timeout.
	ErrTimeout = pipeline.ErrTimeout
	// ErrRecordTooLarge: the consumed record is larger than
	// consumer.max_record_bytes.
	ErrRecordTooLarge = actors.ErrRecordTooLarge
)

// UndoneError is the error (wrapping ErrUndone) of Run and Shutdown when
// shutdown ended with messages not done: it names how many of which
// partitions. Their offsets stay uncommitted, so they are consumed again on
// the next start.
type UndoneError = actors.UndoneError

// UndonePartition is one partition's count of undone messages.
type UndonePartition = actors.UndonePartition
