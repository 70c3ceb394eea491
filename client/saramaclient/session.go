package saramaclient

import (
	"context"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/client"
)

// handler adapts a client.Handler to sarama's, and tells the dialer when
// the member is joining (outside a session).
type handler struct {
	g *group
	h client.Handler
	s *session
}

func (h *handler) Setup(s sarama.ConsumerGroupSession) error {
	h.g.conns.joining.Store(false)
	h.g.mu.Lock()
	h.g.missing = nil
	h.g.mu.Unlock()
	h.s = &session{s: s, member: client.Member{Group: h.g.cfg.Group, MemberID: s.MemberID(), Generation: s.GenerationID(), InstanceID: h.g.cfg.InstanceID}}
	return h.h.Setup(h.s)
}

func (h *handler) Cleanup(sarama.ConsumerGroupSession) error {
	err := h.h.Cleanup(h.s)
	h.g.conns.joining.Store(true) // the next Consume joins again
	return err
}

func (h *handler) ConsumeClaim(_ sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	return h.h.ConsumeClaim(h.s, &claim{c: c, msgs: c.Messages(), done: h.s.s.Context().Done()})
}

// session is one sarama session.
type session struct {
	s      sarama.ConsumerGroupSession
	member client.Member
}

func (s *session) Context() context.Context { return s.s.Context() }
func (s *session) MarkOffset(topic string, partition int32, next int64) {
	s.s.MarkOffset(topic, partition, next, "")
}

// Commit commits the marked offsets. sarama keeps offsets whose commit
// failed dirty (reporting the failure on the group's error channel) and
// sends them again with the next commit.
func (s *session) Commit()               { s.s.Commit() }
func (s *session) Member() client.Member { return s.member }

// claim is one sarama claim.
type claim struct {
	c    sarama.ConsumerGroupClaim
	msgs <-chan *sarama.ConsumerMessage
	done <-chan struct{}
}

func (c *claim) Topic() string        { return c.c.Topic() }
func (c *claim) Partition() int32     { return c.c.Partition() }
func (c *claim) InitialOffset() int64 { return c.c.InitialOffset() }
func (c *claim) HighWaterMark() int64 { return c.c.HighWaterMarkOffset() }

// Fetch copies what the claim's channel holds into buf.
func (c *claim) Fetch(buf []client.Record, max int) ([]client.Record, bool) {
	select {
	case m, ok := <-c.msgs:
		if !ok {
			return buf, false
		}
		buf = appendRecord(buf, m)
	case <-c.done:
		return buf, false
	}
	for len(buf) < max {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				return buf, true
			}
			buf = appendRecord(buf, m)
		default:
			return buf, true
		}
	}
	return buf, true
}

func appendRecord(buf []client.Record, m *sarama.ConsumerMessage) []client.Record {
	r := client.Record{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Timestamp: m.Timestamp}
	if len(m.Headers) > 0 {
		r.Headers = make([]client.Header, 0, len(m.Headers))
		for _, h := range m.Headers {
			if h != nil {
				r.Headers = append(r.Headers, client.Header{Key: string(h.Key), Value: h.Value})
			}
		}
	}
	return append(buf, r)
}
