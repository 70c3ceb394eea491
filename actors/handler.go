package actors

import (
	"context"
	"fmt"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/events"
)

// handler is the client.Handler of one membership: Setup when a session
// starts, one ConsumeClaim goroutine per assigned partition (handed to the
// listener of its topic), Cleanup after all of them returned.
type handler struct {
	m   *membership
	fin sessionFinisher // of the current session
}

func newHandler(m *membership) *handler {
	return &handler{m: m}
}

var _ client.Handler = (*handler)(nil)

// Setup makes the session's finisher, which commits what its claims finish.
func (h *handler) Setup(sess client.Session) error {
	h.m.setMissing(nil)
	fin, err := h.m.finishing(sess)
	if err != nil {
		h.fin = nil
		return err // the client ends the session (Cleanup runs) and Consume returns err
	}
	h.fin = fin
	h.m.joined.Store(true)
	h.m.d.bus.Publish(events.Event{Kind: events.GroupJoined, Group: h.m.group})
	return nil
}

// Cleanup ends the session's finisher: what the drained claims marked is
// committed before the session ends.
func (h *handler) Cleanup(client.Session) error {
	h.m.joined.Store(false)
	if h.fin != nil {
		h.fin.end()
		h.fin = nil
	}
	return nil
}

// ConsumeClaim feeds one partition's messages to its partition actor in
// batches (whatever the claim already holds, never waiting to fill one),
// pauses the partition while too much work is in flight, waits for a
// commit while too much is finished but not committed, holds everything
// while an operator pauses the partition (operator.go), and on the end of
// the claim drains what was accepted before stopping the actor.
func (h *handler) ConsumeClaim(sess client.Session, claim client.Claim) error {
	topic := claim.Topic()
	l := h.m.listeners[topic]
	if l == nil {
		return fmt.Errorf("actors: group %s was assigned topic %q, which has no route", h.m.group, topic)
	}
	p := newPartition(l.d, l.route, claim.Partition(), h.fin)
	p.claim = claim
	p.op.m = h.m
	if off := claim.InitialOffset(); off >= 0 {
		p.committed.Store(off)
	}
	if _, err := l.request(spawnPartition{p: p}); err != nil {
		// The request may still be queued (a restarting listener): make
		// sure whatever it spawns is stopped right after.
		p.stopped.Store(true)
		l.tell(stopPartition{p: p})
		return err
	}
	l.d.claims.add(p)
	l.d.log.Info("partition assigned", "topic", topic, "partition", p.id, "group", l.route.Group, "offset", claim.InitialOffset())
	l.d.bus.Publish(events.Event{Kind: events.PartitionAssigned, Topic: topic, Group: l.route.Group, Partition: p.id, Offset: claim.InitialOffset()})

	consumed := l.d.bus.Active(events.MessageConsumed)
	// timed: the consume time of each message is kept for the events that
	// carry a Duration; one clock read per batch.
	timed := l.d.bus.Active(events.MessageProcessed) || l.d.bus.Active(events.MessageFailed)
	max, size := l.cfg.MaxInFlight, l.cfg.BatchSize
	// Backpressure: at most max messages unfinished and, when the finisher
	// commits on its own (at-least-once), at most 2*max not covered by a
	// commit (unfinished, or finished and not committed yet), so that a
	// crash replays at most 2*max however far the commits lag behind.
	unc, _ := p.fin.(uncommitter)
	batch := make([]*work, 0, size)
	recs := make([]client.Record, 0, size)
	ctx := sess.Context()
	for {
		// Paused by an operator: fetch and hand over nothing until resumed.
		if p.op.paused.Load() && !p.holdWhilePaused(ctx.Done()) {
			break
		}
		// Fewer than max are outstanding and fewer than 2*max uncommitted
		// (see below): take only what keeps them at most that.
		limit := min(size, max-p.fin.outstanding())
		if unc != nil {
			limit = min(limit, 2*max-unc.uncommitted())
		}
		if limit < 1 {
			limit = 1
		}
		var ok bool
		recs, ok = claim.Fetch(recs[:0], limit)
		if !ok {
			break
		}
		// Paused while fetching: what came is held here, not handed over
		// (and not consumed: dropped if the claim ends meanwhile).
		if p.op.paused.Load() && !p.holdWhilePaused(ctx.Done()) {
			break
		}
		for i := range recs {
			batch = append(batch, p.accept(&recs[i]))
		}
		clear(recs)
		if p.first.Load() < 0 {
			p.first.Store(batch[0].msg.Offset)
		}
		if consumed || timed {
			now := time.Now()
			for _, w := range batch {
				if timed {
					w.entry.start = now
				}
				if consumed {
					l.d.bus.Publish(events.Event{Kind: events.MessageConsumed, Time: now, Topic: topic, Group: l.route.Group, Partition: p.id, Offset: w.msg.Offset})
				}
			}
		}
		p.ctrl.in.push(l.d.sys, batch...)
		clear(batch)
		batch = batch[:0]
		if p.fin.outstanding() >= max {
			h.pause(p, true)
			err := p.fin.waitBelow(ctx, max/2+1)
			h.pause(p, false)
			if err != nil {
				break
			}
		}
		// Too much waits for a commit, which is under way: wait for it
		// without pausing (a resumed partition is fetched only after
		// the fetch in flight, up to fetch_max_wait later); the claim
		// holds what is fetched meanwhile.
		if unc != nil && unc.waitUncommittedBelow(ctx, 2*max) != nil {
			break
		}
	}
	p.release()
	h.drain(l, p)
	p.stopped.Store(true)
	close(p.op.gone)
	l.d.claims.remove(p)
	if _, err := l.request(stopPartition{p: p}); err != nil {
		l.tell(stopPartition{p: p}) // to the listener's current incarnation
	}
	l.d.log.Info("partition revoked", "topic", topic, "partition", p.id, "group", l.route.Group)
	l.d.bus.Publish(events.Event{Kind: events.PartitionRevoked, Topic: topic, Group: l.route.Group, Partition: p.id})
	return nil
}

// pause stops (or resumes) fetching p for backpressure, and says so. While
// an operator pauses p, its fetching stays paused (setPaused).
func (h *handler) pause(p *partition, on bool) {
	p.setPaused(false, on)
	kind := events.PartitionResumed
	if on {
		kind = events.PartitionPaused
	}
	h.m.d.bus.Publish(events.Event{Kind: kind, Topic: p.topic, Group: p.group, Partition: p.id})
}

// drain waits for accepted work of p until it is done, the drain timeout
// passes, or shutdown gives up waiting. Undone work stays uncommitted and is
// consumed again by the partition's next owner.
func (h *handler) drain(l *listener, p *partition) {
	ctx, cancel := context.WithTimeout(l.d.halt, l.cfg.DrainTimeout)
	defer cancel()
	if err := p.drain(ctx); err != nil {
		l.d.log.Warn("partition not drained; undone messages will be consumed again",
			"topic", p.topic, "partition", p.id, "outstanding", p.fin.outstanding(), "error", err)
	}
}
