package actors

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/producer"
)

// committer commits one consumer-group session's marked offsets: soon after
// offsets are marked (at most one commit in flight, at least commitGap
// apart, so a busy partition's marks coalesce), and at least every
// interval. The replay window after a crash is thus about the in-flight
// work plus one commit round trip, not a whole interval.
type committer struct {
	sess  sarama.ConsumerGroupSession
	bus   *events.Bus
	group string
	dirty atomic.Bool   // offsets marked since the last commit
	kick  chan struct{} // (cap 1) offsets were marked: commit soon
	stop  chan struct{}
	loop  sync.WaitGroup
}

// commitGap is the least time between the end of a commit and the start of
// the next one: under load, marks of a few milliseconds share one commit.
const commitGap = 5 * time.Millisecond

// startCommitter starts the commit loop of sess.
func startCommitter(sess sarama.ConsumerGroupSession, interval time.Duration, bus *events.Bus, group string) *committer {
	c := &committer{sess: sess, bus: bus, group: group, kick: make(chan struct{}, 1), stop: make(chan struct{})}
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

// mark marks next as the offset to resume topic/id from, and asks for a
// commit soon.
func (c *committer) mark(topic string, id int32, next int64) {
	c.sess.MarkOffset(topic, id, next, "")
	c.dirty.Store(true)
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// close stops the loop and commits what was marked last.
func (c *committer) close() {
	close(c.stop)
	c.loop.Wait()
	c.commit()
}

// commit commits the marked offsets. It commits even when nothing was marked
// since the last tick: sarama keeps offsets whose commit failed dirty and
// sends nothing when none are, so a failed commit is retried on the next one.
func (c *committer) commit() {
	marked := c.dirty.Swap(false)
	c.sess.Commit()
	if marked {
		c.bus.Publish(events.Event{Kind: events.OffsetsCommitted, Group: c.group})
	}
}

// send produces msg, a dead letter of p, and releases one token of e once
// the broker acknowledged it (after calling acked, when not nil). Failed
// sends are retried with backoff until they succeed, the partition is handed
// back or the runtime gives up on draining; then the message's offset simply
// stays unmarked and the message is consumed again after a restart
// (at-least-once). Unlike responses (see outbox), dead letters are not kept
// in order with each other.
func (d *deps) send(p *partition, msg *producer.Message, e *entry, acked func()) {
	d.sender.SendAsync(msg, func(r producer.Result) { d.result(p, msg, e, acked, r, 1) })
}

func (d *deps) result(p *partition, msg *producer.Message, e *entry, acked func(), r producer.Result, attempt int) {
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
	delay := d.backoff.Delay(attempt)
	d.produceFailed(p, "dead letter", msg.Topic, attempt, delay, r.Err)
	time.AfterFunc(delay, func() {
		d.sender.SendAsync(msg, func(r producer.Result) { d.result(p, msg, e, acked, r, attempt+1) })
	})
}
