package events

// Kind names what happened.
type Kind uint8

// The kinds of events the runtime publishes.
const (
	// MessageConsumed: a message was fetched and queued for its partition actor.
	MessageConsumed Kind = iota + 1
	// MessageFiltered: a before-filter dropped the message (its offset advances).
	MessageFiltered
	// MessageProcessed: the message is finished and its offset may be
	// committed once every earlier one is: Outcome says how (the controller
	// and responder ran and every response was acknowledged, a before-filter
	// dropped it, or its dead letter was acknowledged); Duration is its time
	// from consumed to finished.
	MessageProcessed
	// MessageFailed: one try of the message failed (Err says why, Stage
	// where; Duration is its time since it was consumed).
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
	// ProduceFailed: the broker did not acknowledge a response or a dead
	// letter (to Destination; Topic and Partition are its input's); it will
	// be sent again.
	ProduceFailed
	// BrokerUnreachable: connecting failed; the runtime retries after Delay.
	BrokerUnreachable
	// ResponseProduced: the broker acknowledged a response to Destination
	// of the message at Topic, Partition, Offset.
	ResponseProduced
	// PartitionPaused: too many messages of the partition are in flight
	// (consumer.max_in_flight); fetching it stops until half of them
	// finished. With Operator set: an operator paused the partition
	// (App.PausePartition); it stays paused until an operator resumes it.
	PartitionPaused
	// PartitionResumed: fetching the paused partition goes on; with
	// Operator set, an operator resumed it. The end of backpressure's pause
	// (Operator not set) does not end an operator's.
	PartitionResumed
	// GroupJoined: the membership of Group joined its consumer group and a
	// session began (at start and after every rebalance).
	GroupJoined
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
	ResponseProduced:    "response.produced",
	PartitionPaused:     "partition.paused",
	PartitionResumed:    "partition.resumed",
	GroupJoined:         "group.joined",
}

// String returns the dotted name, e.g. "message.dead_lettered".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "unknown"
}
