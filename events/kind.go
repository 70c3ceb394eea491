package events

// Kind names what happened.
type Kind uint8

// The kinds of events the runtime publishes.
const (
	// MessageConsumed: a message was fetched and queued for its partition actor.
	MessageConsumed Kind = iota + 1
	// MessageFiltered: a before-filter dropped the message (its offset advances).
	MessageFiltered
	// MessageProcessed: the message is done: controller and responder ran and
	// every response was acknowledged by the broker.
	MessageProcessed
	// MessageFailed: one try of the message failed (Err says why).
	MessageFailed
	// MessageRetried: the message is being tried again (Attempt is the new try).
	MessageRetried
	// MessageDeadLettered: the message was acknowledged on the dead letter topic.
	MessageDeadLettered
	// MessageBlocked: retries ran out and no dead letter topic is configured:
	// the partition keeps retrying this message and does not move on.
	MessageBlocked
	// ActorRestarted: a supervisor restarted an actor (Actor, Err, Delay).
	ActorRestarted
	// ActorEscalated: an actor hit its restart limit and its supervisor escalated.
	ActorEscalated
	// PartitionAssigned: this process now owns the partition.
	PartitionAssigned
	// PartitionRevoked: the partition was drained and handed back.
	PartitionRevoked
	// OffsetsCommitted: marked offsets were committed for the group.
	OffsetsCommitted
	// ProduceFailed: the broker did not acknowledge a response; it will be sent again.
	ProduceFailed
	// BrokerUnreachable: connecting failed; the runtime retries after Delay.
	BrokerUnreachable
)

var kindNames = [...]string{
	MessageConsumed:     "message.consumed",
	MessageFiltered:     "message.filtered",
	MessageProcessed:    "message.processed",
	MessageFailed:       "message.failed",
	MessageRetried:      "message.retried",
	MessageDeadLettered: "message.dead_lettered",
	MessageBlocked:      "message.blocked",
	ActorRestarted:      "actor.restarted",
	ActorEscalated:      "actor.escalated",
	PartitionAssigned:   "partition.assigned",
	PartitionRevoked:    "partition.revoked",
	OffsetsCommitted:    "offsets.committed",
	ProduceFailed:       "produce.failed",
	BrokerUnreachable:   "broker.unreachable",
}

// String returns the dotted name, e.g. "message.dead_lettered".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "unknown"
}
