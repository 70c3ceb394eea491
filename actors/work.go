package actors

import (
	"fmt"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/params"
)

// work is one consumed message on its way through the stages.
type work struct {
	msg       *sarama.ConsumerMessage
	entry     entry          // by value: one allocation per message for both
	params    *params.Params // &paramsVal once parsed
	paramsVal params.Params  // by value, like entry
	attempts  int            // failed tries in the current stage
	responses [][]any        // what the controller passed to RespondWith
}

// ProcessingError is why one try of a message failed. It is the panic value
// that makes a stage actor restart, and the Err of message events.
type ProcessingError struct {
	Topic     string
	Partition int32
	Offset    int64
	Stage     string // "controller" or "responder"
	Attempt   int
	Err       error
}

func (e *ProcessingError) Error() string {
	return fmt.Sprintf("%s %s/%d@%d attempt %d: %v", e.Stage, e.Topic, e.Partition, e.Offset, e.Attempt, e.Err)
}

// Unwrap returns the cause (a *supervision.PanicError for panics).
func (e *ProcessingError) Unwrap() error { return e.Err }
