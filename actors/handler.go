package actors

import (
	"context"
	"fmt"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/events"
)

// handler is the sarama.ConsumerGroupHandler of one membership. Its life
// cycle follows sarama's: Setup when a session starts, one ConsumeClaim
// goroutine per assigned partition (handed to the listener of its topic),
// Cleanup after all of them returned.
type handler struct {
	m   *membership
	fin sessionFinisher // of the current session
}

func newHandler(m *membership) *handler {
	return &handler{m: m}
}

var _ sarama.ConsumerGroupHandler = (*handler)(nil)

// Setup makes the session's finisher, which commits what its claims finish.
func (h *handler) Setup(sess sarama.ConsumerGroupSession) error {
	h.m.conns.joining.Store(false)
	fin, err := h.m.finishing(sess)
	if err != nil {
		h.fin = nil
		return err // sarama ends the session (Cleanup runs) and Consume returns err
	}
	h.fin = fin
	return nil
}

// Cleanup ends the session's finisher: what the drained claims marked is
// committed before the session ends.
func (h *handler) Cleanup(sess sarama.ConsumerGroupSession) error {
	if h.fin != nil {
		h.fin.end()
		h.fin = nil
	}
	h.m.conns.joining.Store(true) // the next Consume joins again
	return nil
}

// ConsumeClaim feeds one partition's messages to its partition actor in
// batches (whatever the claim already holds, never waiting to fill one),
// pauses the partition while too much work is in flight, and on the end of
// the claim drains what was accepted before stopping the actor.
func (h *handler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	topic := claim.Topic()
	l := h.m.listeners[topic]
	if l == nil {
		return fmt.Errorf("actors: group %s was assigned topic %q, which has no route", h.m.group, topic)
	}
	p := newPartition(l.d, l.route, claim.Partition(), h.fin)
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
	max, size := l.cfg.MaxInFlight, l.cfg.BatchSize
	batch := make([]*work, 0, size)
	msgs := claim.Messages()
	ctx := sess.Context()
loop:
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				break loop
			}
			batch = append(batch, p.accept(m))
		fill:
			for len(batch) < size {
				select {
				case m, ok := <-msgs:
					if !ok {
						break fill
					}
					batch = append(batch, p.accept(m))
				default:
					break fill
				}
			}
			if consumed {
				for _, w := range batch {
					l.d.bus.Publish(events.Event{Kind: events.MessageConsumed, Topic: topic, Group: l.route.Group, Partition: p.id, Offset: w.msg.Offset})
				}
			}
			p.ctrl.in.push(l.d.sys, batch...)
			clear(batch)
			batch = batch[:0]
			if p.fin.outstanding() >= max {
				h.m.pause(topic, p.id, true)
				err := p.fin.waitBelow(ctx, max/2+1)
				h.m.pause(topic, p.id, false)
				if err != nil {
					break loop
				}
			}
		case <-ctx.Done():
			break loop
		}
	}
	h.drain(l, p)
	p.stopped.Store(true)
	l.d.claims.remove(p)
	if _, err := l.request(stopPartition{p: p}); err != nil {
		l.tell(stopPartition{p: p}) // to the listener's current incarnation
	}
	l.d.log.Info("partition revoked", "topic", topic, "partition", p.id, "group", l.route.Group)
	l.d.bus.Publish(events.Event{Kind: events.PartitionRevoked, Topic: topic, Group: l.route.Group, Partition: p.id})
	return nil
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
