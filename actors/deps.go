package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// Sender is what the runtime needs of a producer: *producer.Producer
// implements it. done must be called exactly once per message.
type Sender interface {
	SendAsync(msg *producer.Message, done func(producer.Result))
}

var _ Sender = (*producer.Producer)(nil)

// deps are shared by every actor of one runtime.
type deps struct {
	sys *actor.ActorSystem
	// dispatch runs every actor's mailbox: the runtime's pool.
	dispatch actor.Dispatcher
	sender   Sender
	// maxMessageBytes is the producer's limit (producer.max_message_bytes):
	// dead letters are cut to fit it, larger responses fail their message.
	maxMessageBytes int
	// maxRecordBytes is consumer.max_record_bytes: larger consumed records
	// are not processed (size.go).
	maxRecordBytes int
	bus            *events.Bus
	log            *slog.Logger
	hard           context.Context // cancelled when shutdown stops waiting for in-flight work
	// halt is cancelled with hard, and when the root supervisor gave up:
	// controllers, drains and resends stop. Offsets of work already done
	// are still committed (hard, not halt, cuts the group's connections).
	halt context.Context
	// halted is set when the root supervisor gave up: no stage takes more work.
	halted  atomic.Bool
	backoff supervision.Backoff
	claims  claims   // claimed partitions, and what shutdown left undone
	trace   *tracing // nil: tracing off (tracing.go)
}

// produceFailed reports a record of p (a "response" or a "dead letter")
// whose send failed and is sent again after delay. A topic that does not
// exist is said in so many words: it does not heal by itself, and the
// partition waits until it does.
func (d *deps) produceFailed(p *partition, role, topic string, attempt int, delay time.Duration, err error) {
	d.bus.Publish(events.Event{Kind: events.ProduceFailed, Topic: p.topic, Group: p.group, Partition: p.id,
		Destination: topic, Attempt: attempt, Delay: delay, Err: err})
	p.sendFailing(role, topic, attempt, err)
	if errors.Is(err, producer.ErrUnknownTopic) {
		d.log.Error(fmt.Sprintf("%s topic %q does not exist (UNKNOWN_TOPIC_OR_PARTITION): create it or correct the route; "+
			"its input partition waits and sends again", role, topic),
			"topic", topic, "input_topic", p.topic, "partition", p.id, "attempt", attempt, "retry_in", delay, "error", err)
		return
	}
	d.log.Warn("produce failed, sending again", "record", role, "topic", topic, "input_topic", p.topic, "partition", p.id,
		"attempt", attempt, "retry_in", delay, "error", err)
}
