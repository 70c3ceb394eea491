package events

import "time"

// Event is one thing that happened. Fields that do not apply are zero.
type Event struct {
	Kind      Kind
	Time      time.Time
	Topic     string
	Group     string
	Partition int32
	Offset    int64
	// Attempt is the try number, from 1.
	Attempt int
	// Actor names the actor for actor events.
	Actor string
	// Delay is the backoff before the next try, restart or reconnect.
	Delay time.Duration
	// Duration is how long processing took, for MessageProcessed.
	Duration time.Duration
	Err      error
}
