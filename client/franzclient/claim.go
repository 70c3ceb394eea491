package franzclient

import (
	"sync"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/karafka-actors/karafka-actors/client"
)

// tp names a partition.
type tp struct {
	topic     string
	partition int32
}

// claim is one partition of a session: the records the poll goroutine
// routed to it, in order, until ConsumeClaim takes them with Fetch.
//
// Its partition is paused in kgo while the runtime asks for it (Pause) or
// while the claim holds more than limit records (full), and fetched again
// once neither holds.
type claim struct {
	s     *session
	tp    tp
	limit int

	initial atomic.Int64 // committed offset at assignment, -1 unknown
	hwm     atomic.Int64

	ready chan struct{} // a record arrived (capacity 1)

	mu    sync.Mutex
	queue []*kgo.Record
	full  bool // paused: queue above limit
	held  bool // paused: the runtime's Pause
}

var _ client.Claim = (*claim)(nil)

func newClaim(s *session, t tp, limit int) *claim {
	c := &claim{s: s, tp: t, limit: limit, ready: make(chan struct{}, 1)}
	c.initial.Store(-1)
	return c
}

func (c *claim) Topic() string        { return c.tp.topic }
func (c *claim) Partition() int32     { return c.tp.partition }
func (c *claim) InitialOffset() int64 { return c.initial.Load() }
func (c *claim) HighWaterMark() int64 { return c.hwm.Load() }

// push appends records the poll goroutine fetched for the partition.
func (c *claim) push(recs []*kgo.Record, hwm int64) {
	if hwm > 0 {
		c.hwm.Store(hwm)
	}
	if len(recs) == 0 {
		return
	}
	c.mu.Lock()
	c.queue = append(c.queue, recs...)
	if len(c.queue) > c.limit && !c.full {
		c.setPaused(true, c.held)
	}
	c.mu.Unlock()
	select {
	case c.ready <- struct{}{}:
	default:
	}
}

// Fetch waits for a record or the end of the session, then appends the
// ready records, at most most.
func (c *claim) Fetch(buf []client.Record, most int) ([]client.Record, bool) {
	most = max(most, 1)
	done := c.s.ctx.Done()
	for {
		c.mu.Lock()
		if c.s.ctx.Err() != nil {
			// What the queue still holds is not committed: the
			// partition's next owner fetches it again.
			c.queue = nil
			c.mu.Unlock()
			return buf, false
		}
		if len(c.queue) > 0 {
			n := min(most, len(c.queue))
			for _, r := range c.queue[:n] {
				buf = append(buf, record(r))
			}
			clear(c.queue[:n]) // let the records go
			c.queue = c.queue[n:]
			if len(c.queue) == 0 {
				c.queue = c.queue[:0:0] // start the next append afresh, not after a drained prefix
			}
			if c.full && len(c.queue) <= c.limit/2 {
				c.setPaused(false, c.held)
			}
			c.mu.Unlock()
			return buf, true
		}
		c.mu.Unlock()
		select {
		case <-c.ready:
		case <-done:
		}
	}
}

// hold notes the runtime's Pause (on) or Resume.
func (c *claim) hold(on bool) {
	c.mu.Lock()
	c.setPaused(c.full, on)
	c.mu.Unlock()
}

// setPaused changes why the partition is paused and pauses or resumes it
// in kgo when that changes whether it is. c.mu is held, so that the kgo
// calls happen in the order of the decisions. Once the session ended the
// partition may belong to the next session: it is left alone.
func (c *claim) setPaused(full, held bool) {
	was := c.full || c.held
	c.full, c.held = full, held
	now := c.full || c.held
	if was == now || c.s.ctx.Err() != nil {
		return
	}
	ps := map[string][]int32{c.tp.topic: {c.tp.partition}}
	if now {
		c.s.cl.PauseFetchPartitions(ps)
	} else {
		c.s.cl.ResumeFetchPartitions(ps)
	}
}

// record converts r.
func record(r *kgo.Record) client.Record {
	var hs []client.Header
	if len(r.Headers) > 0 {
		hs = make([]client.Header, len(r.Headers))
		for i, h := range r.Headers {
			hs[i] = client.Header{Key: h.Key, Value: h.Value}
		}
	}
	return client.Record{
		Topic:     r.Topic,
		Partition: r.Partition,
		Offset:    r.Offset,
		Key:       r.Key,
		Value:     r.Value,
		Headers:   hs,
		Timestamp: r.Timestamp,
	}
}
