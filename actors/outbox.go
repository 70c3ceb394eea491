package actors

import (
	"errors"
	"sync"
	"time"

	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/producer"
)

// outbox sends a partition's responses and keeps them in order through
// resends (the guarantee is stated in doc.go).
//
// Responses enter in the order the responder produced them and keep their
// place in a window until they and every response before them were
// acknowledged. When a send fails for good (after the producer's own
// retries), that response and every later one of the window, acknowledged or
// not, are sent again after the backoff, in order: a later response may
// already be written, and its copy must come again after the earlier one.
// Until that resend is handed to the producer, new responses queue in the
// window instead of going out. Nothing waits in an actor's mailbox: the
// responder only appends, and the resend runs on the backoff timer.
//
// The outbox is shared by the responder actor, the producer's result
// goroutine and resend timers, so it is guarded by a mutex. A response's
// tracker token is released when the copy sent last is acknowledged, and
// held again when an acknowledged response has to go again; its entry cannot
// have been retired meanwhile, since the failed response before it holds a
// token of the same or an earlier entry.
type outbox struct {
	p *partition
	// produced: someone subscribes to ResponseProduced.
	produced bool
	mu       sync.Mutex
	// items[head:] is the window; items[head] has sequence number base.
	items []outgoing
	head  int
	base  uint64
	// held: a resend is pending or under way, so new responses queue.
	held bool
	// resending: a goroutine hands queued responses to the producer;
	// waiting: a resend timer is armed. At most one of them at a time, so
	// resends go out in order.
	resending, waiting bool
	// again: a send failed while resending; the resend ends by arming a
	// timer of delay againIn.
	again   bool
	againIn time.Duration
}

// outgoing is one response in the window.
type outgoing struct {
	msg      *producer.Message
	w        *work  // whose entry holds a token for this response
	gen      uint32 // which send a result is for: results of earlier sends are stale
	state    sendState
	attempts int // failed sends, for the backoff
}

type sendState uint8

const (
	inFlight sendState = iota // sent; its result is awaited
	acked                     // its last send was acknowledged
	queued                    // waits for a resend
)

// send produces msgs, the responses of w, whose entry holds a token for
// each, in order. It never blocks on a pending resend: the responses then
// queue behind it.
func (b *outbox) send(msgs []producer.Message, w *work) {
	b.mu.Lock()
	first := b.base + uint64(len(b.items)-b.head)
	state := inFlight
	if b.held {
		state = queued
	}
	for i := range msgs {
		b.items = append(b.items, outgoing{msg: &msgs[i], w: w, state: state})
	}
	b.mu.Unlock()
	if state == queued {
		return
	}
	// Outside the lock: SendAsync may block while the producer is full, and
	// a result may come back on this very goroutine.
	for i := range msgs {
		b.sendOne(&msgs[i], first+uint64(i), 0)
	}
}

func (b *outbox) sendOne(msg *producer.Message, seq uint64, gen uint32) {
	b.p.d.sender.SendAsync(msg, func(r producer.Result) { b.result(seq, gen, r) })
}

// at returns the item with sequence number seq, or nil once it left the window.
func (b *outbox) at(seq uint64) *outgoing {
	if seq < b.base {
		return nil
	}
	return &b.items[b.head+int(seq-b.base)]
}

// result handles the outcome of send gen of response seq. It runs on the
// producer's result goroutine: it must not send, so resends go to a timer.
func (b *outbox) result(seq uint64, gen uint32, r producer.Result) {
	b.mu.Lock()
	it := b.at(seq)
	if it == nil || it.gen != gen || it.state != inFlight {
		b.mu.Unlock()
		return // a send that a resend replaced
	}
	if r.Err == nil {
		it.state = acked
		e := &it.w.entry
		b.retire()
		b.mu.Unlock()
		if b.produced {
			p := b.p
			p.d.bus.Publish(events.Event{Kind: events.ResponseProduced, Topic: p.topic, Group: p.group, Partition: p.id,
				Offset: e.offset, Destination: r.Message.Topic})
		}
		e.release()
		return
	}
	d := b.p.d
	if errors.Is(r.Err, producer.ErrClosed) || d.halt.Err() != nil || b.p.stopped.Load() {
		b.mu.Unlock()
		d.log.Error("response not acknowledged; its input offset stays uncommitted and will be consumed again",
			"topic", r.Message.Topic, "input_topic", b.p.topic, "partition", b.p.id, "error", r.Err)
		return
	}
	if producer.Refused(r.Err) {
		b.refused(it, r.Err) // unlocks b.mu
		return
	}
	it.attempts++
	attempt := it.attempts
	for i := b.head + int(seq-b.base); i < len(b.items); i++ {
		o := &b.items[i]
		switch o.state {
		case acked:
			o.w.entry.hold(1) // its copy must be written again, after this one
		case queued:
			continue
		}
		o.state = queued
		o.gen++
	}
	b.held = true
	delay := d.backoff.Delay(attempt)
	arm := false
	switch {
	case b.resending: // the resending goroutine arms the timer when done
		b.again, b.againIn = true, max(b.againIn, delay)
	case !b.waiting:
		b.waiting, arm = true, true
	}
	b.mu.Unlock()
	d.produceFailed(b.p, "response", r.Message.Topic, attempt, delay, r.Err)
	if arm {
		time.AfterFunc(delay, b.resend)
	}
}

// refused handles it, a response the cluster refused for good (too large
// for the broker or topic, invalid for a compacted topic): sending it again
// cannot succeed, so it leaves the window as if written, and the message it
// answers is dead-lettered with the refusal as its responder error, once
// however many of its responses are refused. Its other responses are not
// held back: those before it may be written already (at-least-once), and
// the dead letter carries what the message was. b.mu is held; refused
// unlocks it.
func (b *outbox) refused(it *outgoing, err error) {
	w, topic := it.w, it.msg.Topic // it is cleared when it retires
	it.state = acked
	first := !w.refused
	w.refused = true
	if first {
		w.entry.hold(1) // w's finishing token, which deadLetter spends
	}
	b.retire()
	b.mu.Unlock()
	p := b.p
	p.d.log.Error("a response was refused for good; its input message is dead-lettered instead",
		"topic", topic, "input_topic", p.topic, "partition", p.id, "offset", w.msg.Offset, "error", err)
	if first {
		// Not from the producer's result goroutine, which runs this: the
		// dead letter is sent from another.
		go func() {
			perr := &ProcessingError{Topic: p.topic, Partition: p.id, Offset: w.msg.Offset, Stage: "responder", Attempt: 1, Err: err}
			p.d.bus.Publish(events.Event{Kind: events.MessageFailed, Topic: p.topic, Group: p.group, Partition: p.id,
				Offset: w.msg.Offset, Key: w.msg.Key, Attempt: 1, Stage: perr.Stage, Duration: w.age(), Err: perr})
			if p.dlq == "" {
				p.d.log.Error("no dead letter topic: the refused response is given up on, and its input is skipped; find it in its topic at this offset",
					"input_topic", p.topic, "partition", p.id, "offset", w.msg.Offset)
				w.entry.release()
				return
			}
			p.deadLetter(w, perr) // finishes w: takes over the token held above
		}()
	}
	w.entry.release() // the refused response's token
}

// retire drops acknowledged responses from the front of the window.
func (b *outbox) retire() {
	for b.head < len(b.items) && b.items[b.head].state == acked {
		b.items[b.head] = outgoing{}
		b.head++
		b.base++
	}
	b.items, b.head = compactFront(b.items, b.head)
}

// resend hands the queued responses to the producer, in order, then those
// that queued meanwhile, until none is left and new responses may go out
// directly again. It stops when the partition was handed back or shutdown
// gave up: the undone messages stay uncommitted.
func (b *outbox) resend() {
	var batch []resendItem
	b.mu.Lock()
	b.waiting = false
	for {
		if b.p.stopped.Load() || b.p.d.halt.Err() != nil {
			b.mu.Unlock()
			return
		}
		batch = batch[:0]
		for i := b.head; i < len(b.items); i++ {
			if o := &b.items[i]; o.state == queued {
				o.state = inFlight
				o.gen++
				batch = append(batch, resendItem{o.msg, b.base + uint64(i-b.head), o.gen})
			}
		}
		if len(batch) == 0 {
			b.held = false
			b.mu.Unlock()
			return
		}
		b.resending = true
		b.mu.Unlock()
		for _, s := range batch {
			if b.current(s.seq, s.gen) { // not failed again meanwhile
				b.sendOne(s.msg, s.seq, s.gen)
			}
		}
		b.mu.Lock()
		b.resending = false
		if b.again {
			delay := b.againIn
			b.again, b.againIn, b.waiting = false, 0, true
			b.mu.Unlock()
			time.AfterFunc(delay, b.resend)
			return
		}
	}
}

type resendItem struct {
	msg *producer.Message
	seq uint64
	gen uint32
}

// current reports whether send gen of response seq is still the one to make.
func (b *outbox) current(seq uint64, gen uint32) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	it := b.at(seq)
	return it != nil && it.gen == gen && it.state == inFlight
}
