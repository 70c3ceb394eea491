package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/params"
)

// The controller stage of a batch route (topology.Resolved.Batch). It keeps
// its queue in the partition's ctrl stage like a per-message route, but
// takes up to the route's BatchSize messages from the head of the queue at
// once (what is queued: it never waits to fill a batch) and tries them with
// pipeline.Batch under a pipeline.Isolation. The batch and its isolation
// are kept in the partition (batchState), so they outlive the actor's
// incarnations: a failed try restarts the actor, and the restarted one goes
// on with the span the isolation names, after its retry timer.
//
// A successful span is finished here, with no responder stage (Try already
// ran the responder and validated every record): in offset order, each
// message's records go to the finisher's respond, the per-batch records
// with the span's first answered message; a message with nothing to send is
// finished with done, a filtered one too, a malformed one is dead-lettered.
// Since offsets advance in order, no offset of the span is marked before the
// per-batch records are acknowledged.
//
// A failed span is reported with MessageFailed (and ProcessingError) naming
// the span's first offset; ProcessingError.Messages says how many messages
// the span held.

// batchState is the part of a batch route's controller stage that outlives
// its incarnations: the batch under way, queue[head:head+n] of the ctrl
// stage, and how its tries go. Only the current incarnation touches it.
type batchState struct {
	n    int // messages of the batch under way; 0: none
	iso  pipeline.Isolation
	prms []*params.Params // of the batch's messages, kept across tries
	next int              // the attempt of the span's next try, from 1
}

// batchActor is one incarnation of a batch route's controller stage.
type batchActor struct {
	p     *partition
	batch *pipeline.Batch
}

func (a *batchActor) Receive(ctx actor.Context) {
	s := &a.p.ctrl
	switch m := ctx.Message().(type) {
	case *actor.Started:
		s.started(ctx)
		a.batch = pipeline.NewBatch(a.p.route, a.p.d.log).Limit(a.p.d.maxMessageBytes)
	case wake:
	case retryTick:
		if !s.tick(m) {
			return
		}
		a.retried()
	default:
		return
	}
	a.run(ctx)
}

// run tries queued messages a batch at a time, each batch until every
// message of it is answered or dead-lettered. A failed try is decided by
// the batch's isolation: retried or split after a restart (the actor panics
// so its supervisor restarts it; the span waits for its timer), its message
// dead-lettered (and the next span tried at once), or its message retried
// in place when retries ran out and there is no dead letter topic.
func (a *batchActor) run(ctx actor.Context) {
	p, s, b := a.p, &a.p.ctrl, a.p.batch
	s.queue = s.in.take(s.queue)
	if s.failing.skip.Load() != nil {
		a.skipSpan()
	}
	if s.waiting {
		return
	}
	for {
		if p.stopped.Load() || p.d.halted.Load() {
			return // handed back, or supervision gave up: the next owner consumes what is left
		}
		if b.n == 0 {
			if s.head == len(s.queue) {
				break
			}
			if p.op.paused.Load() {
				return // paused by an operator: begin no batch until resumed
			}
			a.begin()
		}
		lo, hi := b.iso.Span()
		ws := s.queue[s.head+lo : s.head+hi]
		outcomes, err := a.batch.Try(p.d.halt, b.prms[lo:hi])
		if err == nil && p.dlq == "" {
			err = malformed(outcomes) // no dead letter topic: the span fails, down to the malformed message
		}
		if err != nil {
			if p.d.halt.Err() != nil {
				return // interrupted by the give-up or shutdown: not a failure of the batch
			}
			if !a.failed(ctx, ws, err) {
				return
			}
			continue
		}
		a.finish(ws, outcomes)
		b.iso.Succeeded()
		b.next = 1
		if s.failing.on {
			s.failing.clear() // the failing span's retry succeeded
		}
		if b.iso.Done() {
			a.end()
		}
	}
	clear(s.queue)
	s.queue = s.queue[:0]
	s.head = 0
}

// begin starts a batch of the messages at the head of the queue.
func (a *batchActor) begin() {
	p, s, b := a.p, &a.p.ctrl, a.p.batch
	n := len(s.queue) - s.head
	if size := p.route.BatchSize; size > 0 && n > size {
		n = size
	}
	b.n, b.next = n, 1
	b.iso = pipeline.NewIsolation(n, p.retry, p.dlq != "")
	b.prms = b.prms[:0]
	for _, w := range s.queue[s.head : s.head+n] {
		w.params = p.params(w)
		p.d.trace.start(p, w)
		b.prms = append(b.prms, w.params)
	}
}

// end pops the batch, every message of which is answered or dead-lettered.
func (a *batchActor) end() {
	s, b := &a.p.ctrl, a.p.batch
	for i := s.head; i < s.head+b.n; i++ {
		s.queue[i].params = nil
		s.queue[i] = nil
	}
	s.head += b.n
	clear(b.prms)
	b.prms, b.n = b.prms[:0], 0
}

// finish finishes ws, a span whose try succeeded, in offset order.
func (a *batchActor) finish(ws []*work, outcomes []pipeline.BatchOutcome) {
	p := a.p
	for k, o := range outcomes {
		w := ws[k]
		switch {
		case o.Malformed != nil:
			perr := &ProcessingError{Topic: p.topic, Partition: p.id, Offset: w.msg.Offset, Stage: "controller", Attempt: 1, Err: o.Malformed}
			p.d.bus.Publish(events.Event{Kind: events.MessageFailed, Topic: p.topic, Group: p.group, Partition: p.id,
				Offset: w.msg.Offset, Key: w.msg.Key, Attempt: 1, Stage: perr.Stage, Duration: w.age(), Err: perr})
			p.deadLetter(w, perr)
		case o.Filtered:
			p.d.bus.Publish(events.Event{Kind: events.MessageFiltered, Topic: p.topic, Group: p.group, Partition: p.id, Offset: w.msg.Offset})
			p.d.trace.finished(w)
			w.entry.outcome = events.OutcomeFiltered
			p.fin.done(w)
		case len(o.Produce) == 0:
			p.d.trace.finished(w)
			p.fin.done(w)
		default:
			p.d.trace.responded(w, o.Produce)
			p.fin.respond(w, o.Produce)
		}
	}
}

// failed acts on the failed try of ws, the current span; it reports whether
// to go on with the next span at once.
func (a *batchActor) failed(ctx actor.Context, ws []*work, err error) bool {
	p, s, b := a.p, &a.p.ctrl, a.p.batch
	step := b.iso.Failed(err)
	first := ws[0].msg.Offset
	perr := &ProcessingError{Topic: p.topic, Partition: p.id, Offset: first, Stage: pipeline.Stage(err), Attempt: step.Attempt, Err: err}
	var key []byte
	if len(ws) > 1 {
		perr.Messages = len(ws)
	} else {
		key = ws[0].msg.Key
	}
	p.d.bus.Publish(events.Event{Kind: events.MessageFailed, Topic: p.topic, Group: p.group, Partition: p.id,
		Offset: first, Key: key, Attempt: step.Attempt, Actor: ctx.Self().Id, Delay: step.Delay, Stage: perr.Stage, Duration: ws[0].age(), Err: perr})
	if step.Action != pipeline.DeadLetterMessage {
		// The span tried next (after a split, the first part) is what the
		// partition fails on, which an operator may skip once it is one
		// record.
		lo, hi := b.iso.Span()
		s.failing.set(s.queue[s.head+lo].msg.Offset, hi-lo, err)
		if s.failing.skip.Load() != nil && a.skipSpan() {
			return true // an operator asked to skip it during this try: skipped instead of tried again
		}
	}
	switch step.Action {
	case pipeline.DeadLetterMessage:
		// The failed try may have left the controller or the responder
		// broken: the next try gets new ones, as after a restart.
		a.batch = pipeline.NewBatch(p.route, p.d.log).Limit(p.d.maxMessageBytes)
		if s.failing.on {
			s.failing.clear()
		}
		p.deadLetter(s.queue[s.head+step.Index], perr)
		b.next = 1
		if b.iso.Done() {
			a.end()
		}
		return true
	case pipeline.BlockMessage:
		p.d.log.Error("retries exhausted and no dead letter topic: partition blocked, retrying this message",
			"topic", p.topic, "partition", p.id, "offset", first, "attempt", step.Attempt, "retry_in", step.Delay, "error", err)
		p.d.bus.Publish(events.Event{Kind: events.MessageBlocked, Topic: p.topic, Group: p.group, Partition: p.id,
			Offset: first, Attempt: step.Attempt, Delay: step.Delay, Stage: perr.Stage, Err: perr})
		a.batch = pipeline.NewBatch(p.route, p.d.log).Limit(p.d.maxMessageBytes)
		b.next = step.Attempt + 1
		s.schedule(ctx, step.Delay)
		return false
	case pipeline.WaitSpan:
		p.d.log.Warn("a service the batch needs is unavailable: partition waits, retrying the batch (never dead-lettered for an outage)",
			"topic", p.topic, "partition", p.id, "offset", first, "messages", len(ws), "attempt", step.Attempt, "retry_in", step.Delay, "error", err)
		p.d.bus.Publish(events.Event{Kind: events.MessageBlocked, Topic: p.topic, Group: p.group, Partition: p.id,
			Offset: first, Attempt: step.Attempt, Delay: step.Delay, Stage: perr.Stage, Err: perr})
		p.waiting(first, step.Attempt, err)
		a.batch = pipeline.NewBatch(p.route, p.d.log).Limit(p.d.maxMessageBytes)
		b.next = step.Attempt + 1
		s.schedule(ctx, step.Delay)
		return false
	case pipeline.SplitSpan:
		nlo, nhi := b.iso.Span()
		p.d.log.Warn("batch failed, its tries ran out: restarting actor and trying it in parts",
			"topic", p.topic, "partition", p.id, "offset", first, "messages", len(ws), "attempt", step.Attempt,
			"next_offset", s.queue[s.head+nlo].msg.Offset, "next_messages", nhi-nlo, "retry_in", step.Delay, "error", err)
		b.next = 1
	default: // pipeline.RetrySpan
		p.d.log.Warn("batch failed, restarting actor and retrying",
			"topic", p.topic, "partition", p.id, "offset", first, "messages", len(ws), "attempt", step.Attempt, "retry_in", step.Delay, "error", err)
		b.next = step.Attempt + 1
	}
	s.schedule(ctx, step.Delay)
	panic(perr)
}

// skipSpan answers the skip an operator asked of the batch route's
// controller stage. A batch's record can be skipped once the batch is
// isolated to it: when the span that failed (or, after a split, the part
// tried next) is that one record, it is skipped (p.skipRecord), its retry
// timer forgotten, the next span or batch goes on, and skipSpan reports
// true. A span of several records is never skipped, nor a record of it:
// which of them fails is not known yet, and its tries go on to find out.
// Otherwise the skip is answered as void.
func (a *batchActor) skipSpan() bool {
	p, s, b := a.p, &a.p.ctrl, a.p.batch
	r := s.failing.take()
	if r == nil {
		return false
	}
	if p.stopped.Load() || p.d.halted.Load() {
		r.answer(skipGone)
		return false
	}
	lo, hi := b.iso.Span()
	if !s.failing.on || b.n == 0 || hi-lo != 1 || s.queue[s.head+lo].msg.Offset != r.offset {
		r.answer(skipVoid)
		return false
	}
	w := s.queue[s.head+lo]
	last, attempts := s.failing.err, b.iso.Attempts()
	s.waiting = false
	s.gen++ // the pending retry tick, if any, is stale now
	b.iso.Skipped()
	// The failed try may have left the controller or the responder
	// broken: the next try gets new ones, as after a restart.
	a.batch = pipeline.NewBatch(p.route, p.d.log).Limit(p.d.maxMessageBytes)
	b.next = 1
	s.failing.clear()
	p.skipRecord(w, attempts, r.reason, last)
	if b.iso.Done() {
		a.end()
	}
	r.answer(skipDone)
	return true
}

// retried publishes MessageRetried for the span about to be tried again,
// naming its first offset.
func (a *batchActor) retried() {
	p, s, b := a.p, &a.p.ctrl, a.p.batch
	if b.n == 0 {
		return
	}
	lo, _ := b.iso.Span()
	w := s.queue[s.head+lo]
	p.d.bus.Publish(events.Event{Kind: events.MessageRetried, Topic: p.topic, Group: p.group, Partition: p.id,
		Offset: w.msg.Offset, Attempt: b.next})
}

// malformed returns the error of the first malformed message of a
// successful try, or nil.
func malformed(outcomes []pipeline.BatchOutcome) error {
	for _, o := range outcomes {
		if o.Malformed != nil {
			return o.Malformed
		}
	}
	return nil
}
