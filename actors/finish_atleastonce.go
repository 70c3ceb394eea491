package actors

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/producer"
)

// atLeastOnceSession is the at-least-once sessionFinisher. It commits the
// session's marked offsets: soon after
// offsets are marked (at most one commit in flight, at least commitGap
// apart, so a busy partition's marks coalesce), and at least every
// interval. The replay window after a crash is thus the in-flight work
// plus what was finished since the last commit that returned began, not a
// whole interval; the claim loop bounds both per partition (uncommitted).
type atLeastOnceSession struct {
	sess  client.Session
	bus   *events.Bus
	group string
	dirty atomic.Bool    // offsets marked since the last commit
	mu    sync.Mutex     // guards parts
	parts []*atLeastOnce // claimed in this session: their committed offsets follow commits
	next  []int64        // scratch of commit: the marks a commit sends
	nextN []int64        // scratch of commit: the finished counts of those marks
	kick  chan struct{}  // (cap 1) offsets were marked: commit soon
	stop  chan struct{}
	loop  sync.WaitGroup
}

// commitGap is the least time between the end of a commit and the start of
// the next one: under load, marks of a few milliseconds share one commit.
const commitGap = 5 * time.Millisecond

var _ sessionFinisher = (*atLeastOnceSession)(nil)

// newAtLeastOnceSession starts the commit loop of sess.
func newAtLeastOnceSession(sess client.Session, interval time.Duration, bus *events.Bus, group string) *atLeastOnceSession {
	c := &atLeastOnceSession{sess: sess, bus: bus, group: group, kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.loop.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		gap := time.NewTimer(0)
		defer gap.Stop()
		for {
			select {
			case <-c.kick:
			case <-t.C:
			case <-c.stop:
				return
			}
			c.commit()
			gap.Reset(commitGap)
			select {
			case <-gap.C:
			case <-c.stop:
				return
			}
		}
	})
	return c
}

// mark marks next as the offset to resume f's partition from (finished
// counts the messages finished up to it), and asks for a commit soon.
func (c *atLeastOnceSession) mark(f *atLeastOnce, next, finished int64) {
	p := f.p
	c.sess.MarkOffset(p.topic, p.id, next)
	p.marked.Store(next)
	p.unstick()
	f.markedN.Store(finished) // after the mark, before the kick: a commit that reads it sends the mark
	c.dirty.Store(true)
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// partition makes p's finisher, whose marks go to this session.
func (c *atLeastOnceSession) partition(p *partition) finisher {
	f := newAtLeastOnce(p, c.mark)
	c.mu.Lock()
	c.parts = append(c.parts, f)
	c.mu.Unlock()
	return f
}

// end stops the loop and commits what was marked last.
func (c *atLeastOnceSession) end() {
	close(c.stop)
	c.loop.Wait()
	c.commit()
}

// commit commits the marked offsets. It commits even when nothing was marked
// since the last tick: both clients keep offsets whose commit failed and
// send nothing when none are, so a failed commit is retried on the next one.
func (c *atLeastOnceSession) commit() {
	marked := c.dirty.Swap(false)
	// What was marked before the commit is committed by it (State's
	// committed offsets; the client reports a failed commit and commits it
	// again the next time).
	c.mu.Lock()
	parts := c.parts
	c.next, c.nextN = c.next[:0], c.nextN[:0]
	for _, f := range parts {
		// markedN is stored after its mark was made: the commit sends
		// that mark, or a later one.
		c.nextN = append(c.nextN, f.markedN.Load())
		c.next = append(c.next, f.p.marked.Load())
	}
	c.mu.Unlock()
	c.sess.Commit()
	for i, f := range parts {
		if n := c.next[i]; n >= 0 {
			f.p.committed.Store(n)
		}
		f.committedN.Store(c.nextN[i])
		select {
		case f.commits <- struct{}{}:
		default:
		}
	}
	if marked {
		c.bus.Publish(events.Event{Kind: events.OffsetsCommitted, Group: c.group})
	}
}

// atLeastOnce is the at-least-once finisher of one partition. A tracker
// entry per message (inside its work) holds one token for its processing
// and one per record it produced until the broker acknowledged it; when the
// oldest entries hold none, the offset after them is marked (tracker.go).
// Responses go through the outbox, which keeps them in order through
// resends (outbox.go); dead letters are sent each on its own (send).
type atLeastOnce struct {
	p       *partition
	tracker *tracker
	out     outbox
	// markedN counts the messages finished up to the last mark, committedN
	// those up to the mark the last commit sent (a failed commit counts:
	// the client sends its offsets again with the next one); commits is
	// signalled (cap 1) after each commit.
	markedN    atomic.Int64
	committedN atomic.Int64
	commits    chan struct{}
}

var _ finisher = (*atLeastOnce)(nil)

// newAtLeastOnce makes p's finisher; mark is called with it, the offset to
// resume from and the number of messages finished up to it, in order,
// whenever it advances.
func newAtLeastOnce(p *partition, mark func(f *atLeastOnce, next, finished int64)) *atLeastOnce {
	f := &atLeastOnce{p: p, commits: make(chan struct{}, 1)}
	var onDone func(*entry, time.Time)
	if d := p.d; d.bus.Active(events.MessageProcessed) {
		onDone = func(e *entry, now time.Time) {
			ev := events.Event{Kind: events.MessageProcessed, Time: now, Topic: p.topic, Group: p.group, Partition: p.id,
				Offset: e.offset, Outcome: e.outcome}
			if !e.start.IsZero() {
				ev.Duration = now.Sub(e.start)
			}
			d.bus.Publish(ev)
		}
	}
	f.tracker = newTracker(func(next, finished int64) { mark(f, next, finished) }, onDone)
	f.out.p = p
	f.out.produced = p.d.bus.Active(events.ResponseProduced)
	return f
}

func (f *atLeastOnce) consumed(w *work) { f.tracker.track(&w.entry, w.msg.Offset) }

func (f *atLeastOnce) respond(w *work, out []producer.Message) {
	e := &w.entry
	e.hold(len(out))
	f.out.send(out, w)
	e.release()
}

func (f *atLeastOnce) deadLetter(w *work, msg *producer.Message, acked func()) {
	e := &w.entry
	e.hold(1)
	f.send(w, msg, acked, false)
	e.release()
}

func (f *atLeastOnce) done(w *work) { w.entry.release() }

func (f *atLeastOnce) outstanding() int { return f.tracker.outstanding() }

func (f *atLeastOnce) waitBelow(ctx context.Context, limit int) error {
	return f.tracker.waitBelow(ctx, limit)
}

func (f *atLeastOnce) handBack() int { return f.tracker.freeze() }

var _ uncommitter = (*atLeastOnce)(nil)

func (f *atLeastOnce) uncommitted() int {
	retired, outstanding := f.tracker.counts()
	return int(retired-f.committedN.Load()) + outstanding
}

func (f *atLeastOnce) waitUncommittedBelow(ctx context.Context, limit int) error {
	return waitCountBelow(ctx, limit, f.uncommitted, f.commits)
}

// send produces msg, the dead letter of w (or, when marker, the record
// standing for it), and releases one token of w's entry once the broker
// acknowledged it (after calling acked, when not nil). Failed sends are
// retried with backoff until they succeed, the partition is handed back or
// the runtime gives up on draining; then the message's offset simply stays
// unmarked and the message is consumed again after a restart
// (at-least-once). A dead letter the cluster refuses for good
// (producer.Refused: too large for the broker or topic, invalid for a
// compacted topic) is replaced by its marker, which is retried the same
// way; a refused marker is given up on (logged, counted as dead-lettered):
// retrying it would stall the partition for good. Unlike responses (see
// outbox), dead letters are not kept in order with each other.
func (f *atLeastOnce) send(w *work, msg *producer.Message, acked func(), marker bool) {
	f.p.d.sender.SendAsync(msg, func(r producer.Result) { f.result(w, msg, acked, marker, r, 1) })
}

func (f *atLeastOnce) result(w *work, msg *producer.Message, acked func(), marker bool, r producer.Result, attempt int) {
	p, d, e := f.p, f.p.d, &w.entry
	if r.Err == nil {
		if acked != nil {
			acked()
		}
		e.release()
		return
	}
	if errors.Is(r.Err, producer.ErrClosed) || d.halt.Err() != nil || p.stopped.Load() {
		d.log.Error("dead letter not acknowledged; its input offset stays uncommitted and will be consumed again",
			"topic", msg.Topic, "input_topic", p.topic, "partition", p.id, "error", r.Err)
		return
	}
	if producer.Refused(r.Err) {
		if !marker {
			mk := p.marker(w, r.Err)
			d.log.Error("the dead letter topic refused the dead letter for good; a marker naming the input's topic, partition and offset goes instead",
				"topic", msg.Topic, "input_topic", p.topic, "partition", p.id, "offset", w.msg.Offset, "error", r.Err)
			// Not from the producer's result goroutine, which runs this.
			go f.send(w, mk, acked, true)
			return
		}
		d.log.Error("the dead letter topic refused the marker of a dead letter for good: the input is skipped; find it in its topic at this offset",
			"topic", msg.Topic, "input_topic", p.topic, "partition", p.id, "offset", w.msg.Offset, "error", r.Err)
		if acked != nil {
			acked()
		}
		e.release()
		return
	}
	delay := d.backoff.Delay(attempt)
	d.produceFailed(p, "dead letter", msg.Topic, attempt, delay, r.Err)
	time.AfterFunc(delay, func() {
		d.sender.SendAsync(msg, func(r producer.Result) { f.result(w, msg, acked, marker, r, attempt+1) })
	})
}

func (f *atLeastOnce) counts() (finished int64, outstanding int) { return f.tracker.counts() }
