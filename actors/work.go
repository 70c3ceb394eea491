package actors

import (
	"fmt"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/params"
)

// work is one consumed message on its way through the stages.
type work struct {
	msg       client.Record  // by value, like entry
	entry     entry          // by value: one allocation per message for both
	txn       *txnItem       // exactly-once routes: the message until it is in a transaction
	params    *params.Params // &paramsVal once parsed
	paramsVal params.Params  // by value, like entry
	attempts  int            // failed tries in the current stage, outages left out
	waits     int            // tries in a row the current stage waited out an outage
	responses [][]any        // what the controller passed to RespondWith
	span      trace.Span     // the process span, with tracing on (tracing.go)
	// failure is why w is dead-lettered, once it is (deadletter.go).
	failure *ProcessingError
	// refused is set when the cluster refused one of w's responses for
	// good, which dead-letters w (outbox.go).
	refused bool
	// tooLarge is set when w's record is larger than
	// consumer.max_record_bytes: its value and headers were dropped at
	// once, and its controller stage fails it (size.go).
	tooLarge error
}

// age is how long ago w was consumed, or 0 when that was not recorded
// (nobody subscribed to the events that carry it).
func (w *work) age() time.Duration {
	if w.entry.start.IsZero() {
		return 0
	}
	return time.Since(w.entry.start)
}

// ProcessingError is why one try of a message failed. It is the panic value
// that makes a stage actor restart, and the Err of message events.
//
// A try of a batch route holds a span of a batch: Offset is then the span's
// first offset (the one its MessageFailed event names) and Messages the
// number of messages it held, from Offset on in the partition's order.
type ProcessingError struct {
	Topic     string
	Partition int32
	Offset    int64
	Stage     string // "controller" or "responder"
	Attempt   int
	// Messages is the size of a failed batch span of more than one
	// message; 0 for a try of one message.
	Messages int
	Err      error
}

func (e *ProcessingError) Error() string {
	if e.Messages > 1 {
		return fmt.Sprintf("%s %s/%d@%d (%d messages from there) attempt %d: %v", e.Stage, e.Topic, e.Partition, e.Offset, e.Messages, e.Attempt, e.Err)
	}
	return fmt.Sprintf("%s %s/%d@%d attempt %d: %v", e.Stage, e.Topic, e.Partition, e.Offset, e.Attempt, e.Err)
}

// Unwrap returns the cause (a *supervision.PanicError for panics).
func (e *ProcessingError) Unwrap() error { return e.Err }
