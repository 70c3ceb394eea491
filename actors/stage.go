package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// stage is the part of a stage actor that outlives its incarnations: the
// queue, the failed head's retry timer, and the inbox the previous stage
// feeds. Only the current incarnation touches queue, gen and waiting.
type stage struct {
	name    string // "controller" or "responder", for errors and events
	in      inbox
	queue   []*work
	head    int
	gen     uint64        // identifies the pending retry timer
	waiting bool          // the head failed and waits for its retry timer
	delay   time.Duration // of the pending retry timer
	// gated: the stage starts messages (a controller or partitioner, not
	// a responder), so it starts none while an operator pauses its
	// partition (operator.go).
	gated bool
	// failing is what an operator's skip needs (operator.go): whether
	// the head (a batch route's span) failed and was not finished since,
	// and the skip asked of it.
	failing failing
}

// retryTick ends the wait of a failed head.
type retryTick struct{ gen uint64 }

// receive is a stage actor's Receive. Started attaches the incarnation and
// lets start build its user objects; Started, wake-ups and the current retry
// tick then run the queue.
func (s *stage) receive(ctx actor.Context, p *partition, start func(actor.Context), handle func(*work) error) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		s.started(ctx)
		start(ctx)
	case wake:
	case retryTick:
		if !s.tick(m) {
			return
		}
		s.retried(p)
	default:
		return
	}
	s.run(ctx, p, handle)
}

// started attaches a new incarnation; it must run first in Started. A
// pending retry timer is armed again for this incarnation: after an
// escalation the stage may have a new actor with a new PID, and the old
// timer's tick would go to the old one.
func (s *stage) started(ctx actor.Context) {
	s.in.attach(ctx.Self())
	if s.waiting {
		s.schedule(ctx, s.delay)
	}
}

// run processes queued work in order with handle. A failure is decided by
// the route's retry policy: dead-lettered (and processing moves on),
// retried after a restart (the actor panics so its supervisor restarts it;
// the head waits for its timer), or retried in place when retries ran out
// and there is no dead letter topic.
func (s *stage) run(ctx actor.Context, p *partition, handle func(*work) error) {
	s.queue = s.in.take(s.queue)
	if s.failing.skip.Load() != nil {
		s.skipHead(p)
	}
	if s.waiting {
		return
	}
	for s.head < len(s.queue) {
		if p.stopped.Load() || p.d.halted.Load() {
			return // handed back, or supervision gave up: the next owner consumes what is left
		}
		if s.gated && !s.failing.on && p.op.paused.Load() {
			return // paused by an operator: start nothing more until resumed
		}
		w := s.queue[s.head]
		err := handle(w)
		if err == nil {
			if s.failing.on {
				s.failing.clear() // its retry succeeded: nothing to skip any more
			}
			s.pop()
			continue
		}
		if p.d.halt.Err() != nil {
			// Interrupted by the give-up or by shutdown giving up (the
			// controller's context was cancelled): not a failure of the
			// message, which stays undone and uncommitted.
			return
		}
		// A try that waited out an outage is no try of the message's own:
		// it does not spend the retry policy's attempts (nor show in the
		// dead letter's karafka.attempts); waits count apart, for the
		// backoff and the stuck check.
		attempt := w.attempts + 1
		if supervision.IsOutage(err) {
			w.waits++
			attempt = w.waits
		} else {
			w.attempts, w.waits = attempt, 0
		}
		perr := &ProcessingError{Topic: p.topic, Partition: p.id, Offset: w.msg.Offset, Stage: s.name, Attempt: attempt, Err: err}
		p.d.trace.failed(w, perr)
		decision, delay := p.retry.Decide(attempt, err, p.dlq != "")
		p.d.bus.Publish(events.Event{Kind: events.MessageFailed, Topic: p.topic, Group: p.group, Partition: p.id,
			Offset: w.msg.Offset, Key: w.msg.Key, Attempt: attempt, Actor: ctx.Self().Id, Delay: delay, Stage: s.name, Duration: w.age(), Err: perr})
		s.failing.set(w.msg.Offset, 1, err)
		if s.failing.skip.Load() != nil && s.skipHead(p) {
			continue // an operator asked to skip it during this try: skipped instead of tried again
		}
		switch decision {
		case supervision.DeadLetter:
			s.pop()
			s.failing.clear()
			p.deadLetter(w, perr)
			continue
		case supervision.RetryBlocked:
			p.d.log.Error("retries exhausted and no dead letter topic: partition blocked, retrying this message",
				"topic", p.topic, "partition", p.id, "offset", w.msg.Offset, "attempt", w.attempts, "retry_in", delay, "error", err)
			p.d.bus.Publish(events.Event{Kind: events.MessageBlocked, Topic: p.topic, Group: p.group, Partition: p.id,
				Offset: w.msg.Offset, Attempt: w.attempts, Delay: delay, Stage: s.name, Err: perr})
			p.blocked(w.msg.Offset, err)
			s.schedule(ctx, delay)
			return
		case supervision.Wait:
			p.d.log.Warn("a service the message needs is unavailable: partition waits, retrying this message (never dead-lettered for an outage)",
				"topic", p.topic, "partition", p.id, "offset", w.msg.Offset, "stage", s.name, "waits", w.waits, "retry_in", delay, "error", err)
			p.d.bus.Publish(events.Event{Kind: events.MessageBlocked, Topic: p.topic, Group: p.group, Partition: p.id,
				Offset: w.msg.Offset, Attempt: w.waits, Delay: delay, Stage: s.name, Err: perr})
			p.waiting(w.msg.Offset, w.waits, err)
			s.schedule(ctx, delay)
			return
		default: // supervision.Retry
			p.d.log.Warn("message failed, restarting actor and retrying",
				"topic", p.topic, "partition", p.id, "offset", w.msg.Offset, "stage", s.name, "attempt", w.attempts, "retry_in", delay, "error", err)
			s.schedule(ctx, delay)
			panic(perr)
		}
	}
	clear(s.queue)
	s.queue = s.queue[:0]
	s.head = 0
}

func (s *stage) pop() {
	s.queue[s.head] = nil
	s.head++
}

// schedule arms the retry timer of the head.
func (s *stage) schedule(ctx actor.Context, delay time.Duration) {
	s.gen++
	s.waiting, s.delay = true, delay
	gen, self, root := s.gen, ctx.Self(), ctx.ActorSystem().Root
	time.AfterFunc(delay, func() { root.Send(self, retryTick{gen: gen}) })
}

// tick ends the wait if t is the current timer; it reports whether to run.
func (s *stage) tick(t retryTick) bool {
	if t.gen != s.gen || !s.waiting {
		return false
	}
	s.waiting = false
	return true
}

// skipHead answers the skip an operator asked of the stage: when the head
// is failing and is the record named, it is skipped (p.skipRecord), its
// retry timer forgotten, and skipHead reports true; otherwise the skip is
// answered as void.
func (s *stage) skipHead(p *partition) bool {
	r := s.failing.take()
	if r == nil {
		return false
	}
	if p.stopped.Load() || p.d.halted.Load() {
		r.answer(skipGone)
		return false
	}
	if !s.failing.on || s.head >= len(s.queue) || s.queue[s.head].msg.Offset != r.offset {
		r.answer(skipVoid)
		return false
	}
	w := s.queue[s.head]
	last := s.failing.err
	s.waiting = false
	s.gen++ // the pending retry tick, if any, is stale now
	s.pop()
	s.failing.clear()
	p.skipRecord(w, w.attempts, r.reason, last)
	r.answer(skipDone)
	return true
}

// retried publishes MessageRetried for the head about to be tried again.
func (s *stage) retried(p *partition) {
	if s.head < len(s.queue) {
		w := s.queue[s.head]
		p.d.bus.Publish(events.Event{Kind: events.MessageRetried, Topic: p.topic, Group: p.group, Partition: p.id,
			Offset: w.msg.Offset, Attempt: w.attempts + 1})
	}
}
