package franzclient

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/karafka-actors/karafka-actors/client"
)

// sessionState is where a session is in its life; guarded by group.mu.
type sessionState int8

const (
	// pending: kgo assigned the partitions; no Consume runs it yet. Its
	// claims already take records, so none is lost before Consume.
	pending sessionState = iota
	// running: a Consume called Setup and runs the claims.
	running
	// ended: the claims ended (and, if it ran, Cleanup returned).
	ended
)

// session is one kgo group session (one assignment of the eager group)
// and the client.Session that Consume hands to the handler.
type session struct {
	g      *group
	cl     *kgo.Client
	base   context.Context // the client's: Cut ends it
	member client.Member
	ctx    context.Context
	cancel context.CancelCauseFunc

	claims map[tp]*claim
	order  []*claim // claims in assignment order

	// Guarded by group.mu.
	state sessionState
	ready bool          // committed offsets known (or nothing assigned)
	done  chan struct{} // closed when a running session's Cleanup returned

	markMu sync.Mutex
	marks  map[tp]int64 // marked since the last successful commit

	commitMu sync.Mutex // one commit at a time, in order
}

var _ client.Session = (*session)(nil)

func newSession(g *group, cl *kgo.Client, base context.Context, assigned map[string][]int32) *session {
	memberID, gen := cl.GroupMetadata()
	s := &session{
		g:    g,
		cl:   cl,
		base: base,
		member: client.Member{
			Group:      g.cfg.Group,
			MemberID:   memberID,
			Generation: gen,
			InstanceID: g.cfg.InstanceID,
		},
		claims: map[tp]*claim{},
		done:   make(chan struct{}),
		marks:  map[tp]int64{},
	}
	s.ctx, s.cancel = context.WithCancelCause(context.Background())
	topics := make([]string, 0, len(assigned))
	for t := range assigned {
		topics = append(topics, t)
	}
	slices.Sort(topics)
	limit := bufferOf(g.cfg)
	for _, t := range topics {
		ps := slices.Clone(assigned[t])
		slices.Sort(ps)
		for _, p := range ps {
			c := newClaim(s, tp{t, p}, limit)
			s.claims[c.tp] = c
			s.order = append(s.order, c)
		}
	}
	s.ready = len(s.order) == 0 // kgo fetches no offsets for an empty assignment
	return s
}

// fetched notes the committed offsets kgo fetched for the assignment.
func (s *session) fetched(resp *kmsg.OffsetFetchResponse) {
	set := func(topic string, partition int32, offset int64, code int16) {
		if c := s.claims[tp{topic, partition}]; c != nil && code == 0 && offset >= 0 {
			c.initial.Store(offset)
		}
	}
	for _, g := range resp.Groups {
		for _, t := range g.Topics {
			for _, p := range t.Partitions {
				set(t.Topic, p.Partition, p.Offset, p.ErrorCode)
			}
		}
	}
	for _, t := range resp.Topics { // before OffsetFetch v8, if kgo left it so
		for _, p := range t.Partitions {
			set(t.Topic, p.Partition, p.Offset, p.ErrorCode)
		}
	}
}

func (s *session) Context() context.Context { return s.ctx }
func (s *session) Member() client.Member    { return s.member }

// MarkOffset notes next as where topic/partition resumes.
func (s *session) MarkOffset(topic string, partition int32, next int64) {
	s.markMu.Lock()
	s.marks[tp{topic, partition}] = next
	s.markMu.Unlock()
}

// Commit sends the marks since the last successful commit and waits. A
// mark whose commit failed stays to be sent by the next Commit (unless a
// newer mark replaced it).
func (s *session) Commit() {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.markMu.Lock()
	sent := make(map[tp]int64, len(s.marks))
	offsets := map[string]map[int32]kgo.EpochOffset{}
	for k, off := range s.marks {
		sent[k] = off
		if offsets[k.topic] == nil {
			offsets[k.topic] = map[int32]kgo.EpochOffset{}
		}
		offsets[k.topic][k.partition] = kgo.EpochOffset{Epoch: -1, Offset: off}
	}
	s.markMu.Unlock()
	if len(sent) == 0 {
		return
	}
	// kgo commits with the generation it is in now. This session's
	// commits happen before kgo may move on (Cleanup runs before the
	// revoke callback returns), but a commit after that, with another
	// generation, could move offsets of partitions another member owns
	// by now: it is not sent.
	if _, gen := s.cl.GroupMetadata(); gen != s.member.Generation {
		s.g.log.Warn("kafka client: offsets not committed: the group moved to another generation",
			"group", s.member.Group, "generation", s.member.Generation, "now", gen)
		return
	}
	var failed []string
	ok := map[tp]bool{}
	s.cl.CommitOffsetsSync(s.base, offsets, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			failed = append(failed, err.Error())
			return
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if perr := kerr.ErrorForCode(p.ErrorCode); perr != nil {
					failed = append(failed, fmt.Sprintf("%s/%d: %v", t.Topic, p.Partition, perr))
					continue
				}
				ok[tp{t.Topic, p.Partition}] = true
			}
		}
	})
	s.markMu.Lock()
	for k, off := range sent {
		if ok[k] && s.marks[k] == off {
			delete(s.marks, k)
		}
	}
	s.markMu.Unlock()
	if len(failed) > 0 {
		s.g.log.Warn("kafka client: committing offsets failed; the next commit sends them again",
			"group", s.member.Group, "generation", s.member.Generation, "error", strings.Join(failed, "; "))
	}
}

// assignment returns the session's partitions by topic.
func (s *session) assignment() map[string][]int32 {
	m := make(map[string][]int32)
	for _, c := range s.order {
		m[c.tp.topic] = append(m[c.tp.topic], c.tp.partition)
	}
	return m
}

// hasTopic reports whether the session was assigned a partition of topic.
func (s *session) hasTopic(topic string) bool {
	for _, c := range s.order {
		if c.tp.topic == topic {
			return true
		}
	}
	return false
}
