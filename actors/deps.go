package actors

import (
	"context"
	"errors"
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
	bus      *events.Bus
	log      *slog.Logger
	hard     context.Context // cancelled when shutdown stops waiting for in-flight work
	// halt is cancelled with hard, and when the root supervisor gave up:
	// controllers, drains and resends stop. Offsets of work already done
	// are still committed (hard, not halt, cuts the group's connections).
	halt context.Context
	// halted is set when the root supervisor gave up: no stage takes more work.
	halted  atomic.Bool
	backoff supervision.Backoff
}

// send produces msg and releases one token of e once the broker
// acknowledged it (after calling acked, when not nil). Failed sends are
// retried with backoff until they succeed or the runtime gives up on
// draining; then the message's offset simply stays unmarked and the message
// is consumed again after a restart (at-least-once).
func (d *deps) send(msg *producer.Message, e *entry, acked func()) {
	// One closure per record on the happy path; retry state only on failure.
	d.sender.SendAsync(msg, func(r producer.Result) { d.result(msg, e, acked, r, 1) })
}

func (d *deps) result(msg *producer.Message, e *entry, acked func(), r producer.Result, attempt int) {
	if r.Err == nil {
		if acked != nil {
			acked()
		}
		e.release()
		return
	}
	if errors.Is(r.Err, producer.ErrClosed) || d.halt.Err() != nil {
		d.log.Error("response not acknowledged; its input offset stays uncommitted and will be consumed again",
			"topic", msg.Topic, "error", r.Err)
		return
	}
	delay := d.backoff.Delay(attempt)
	d.bus.Publish(events.Event{Kind: events.ProduceFailed, Topic: msg.Topic, Attempt: attempt, Delay: delay, Err: r.Err})
	d.log.Warn("produce failed, sending again", "topic", msg.Topic, "attempt", attempt, "retry_in", delay, "error", r.Err)
	time.AfterFunc(delay, func() {
		d.sender.SendAsync(msg, func(r producer.Result) { d.result(msg, e, acked, r, attempt+1) })
	})
}
