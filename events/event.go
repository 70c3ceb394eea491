package events

import "time"

// Event is one thing that happened. Fields that do not apply are zero.
//
// Topic, Group and Partition name the input partition (the route's topic)
// for every kind but BrokerUnreachable and OffsetsCommitted, which name only
// a Group, and actor events, which name the route's Topic when the actor
// belongs to one.
type Event struct {
	Kind      Kind
	Time      time.Time
	Topic     string
	Group     string
	Partition int32
	Offset    int64
	// Key is the record's key, for MessageFailed (nil for a batch's
	// span of several records). It is the record's own bytes: a
	// subscriber that keeps it must copy it.
	Key []byte
	// Attempt is the try number, from 1.
	Attempt int
	// Actor names the actor for actor events (its protoactor id; see
	// actors.ActorKind for the kind of actor it is).
	Actor string
	// Delay is the backoff before the next try, restart or reconnect.
	Delay time.Duration
	// Duration is how long the message has been in this process: from the
	// moment it was consumed (handed by the consumer to the runtime) to the
	// moment it finished (MessageProcessed) or this try of it failed
	// (MessageFailed). Set only while someone subscribes to that kind.
	Duration time.Duration
	// Stage names where a try failed (MessageFailed, MessageBlocked,
	// MessageDeadLettered): "controller", "responder" or "partitioner";
	// "operator" for the dead letter of a record an operator skipped.
	Stage string
	// Outcome says how a MessageProcessed message finished.
	Outcome Outcome
	// Destination is the topic written to: the response topic
	// (ResponseProduced, ProduceFailed of a response) or the dead letter
	// topic (MessageDeadLettered, ProduceFailed of a dead letter).
	Destination string
	Err         error
	// Operator is set on what an operator did (App.PausePartition,
	// ResumePartition, SkipRecord): PartitionPaused, PartitionResumed, and
	// the MessageDeadLettered of a skipped record.
	Operator bool
}

// Outcome is how a message finished (MessageProcessed).
type Outcome uint8

// The outcomes of a finished message.
const (
	// OutcomeOK: the controller ran and every response was acknowledged.
	OutcomeOK Outcome = iota
	// OutcomeFiltered: a before-filter dropped it.
	OutcomeFiltered
	// OutcomeDeadLettered: its retries ran out (or an operator skipped it)
	// and its dead letter was acknowledged.
	OutcomeDeadLettered
	// OutcomeSkipped: an operator skipped it (App.SkipRecord) on a route
	// without a dead letter topic: it finished unprocessed.
	OutcomeSkipped
)

var outcomeNames = [...]string{OutcomeOK: "ok", OutcomeFiltered: "filtered", OutcomeDeadLettered: "dead_lettered", OutcomeSkipped: "skipped"}

// String returns "ok", "filtered", "dead_lettered" or "skipped".
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "unknown"
}
