package actors

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// State is a snapshot of a running runtime: its consumer-group memberships
// and the partitions it holds. Reading it costs a few locks per partition
// and nothing on the hot path: the runtime keeps these numbers anyway.
type State struct {
	Groups     []GroupState
	Partitions []PartitionState // by topic, then partition
	// Stopping is set from the moment Stop began.
	Stopping bool
	// Halted is set when the root supervisor gave up (see Fatal).
	Halted bool
}

// GroupState is one consumer-group membership.
type GroupState struct {
	Group  string
	Topics []string // the routes' topics, in route order
	// Connected: the membership's Kafka client is up.
	Connected bool
	// Joined: a session is under way (between the handler's Setup and Cleanup).
	// False while connecting, joining, rebalancing and after leaving.
	Joined bool
	// MissingTopics are the routes' topics that do not exist: the last
	// attempt to join failed for them (UNKNOWN_TOPIC_OR_PARTITION), and the
	// group cannot join until they are created. Empty once a session began.
	MissingTopics []string
}

// PartitionState is one claimed partition.
type PartitionState struct {
	Topic     string
	Group     string
	Partition int32
	// Committed is the offset committed for the group (the next one to
	// read): from the group at assignment, then from each commit of this
	// process. -1: none yet.
	Committed int64
	// Marked is the offset to resume from that this process marked last
	// (committed at the next commit, within milliseconds). -1: none yet.
	Marked int64
	// HighWatermark is the partition's high watermark from the last fetch
	// response (the offset the next produced message gets); 0 before the
	// first fetch.
	HighWatermark int64
	// Lag is HighWatermark minus the offset the group resumes from
	// (Committed; before the first commit, the first offset consumed), at
	// least 0; 0 while neither is known.
	Lag int64
	// InFlight is the number of consumed messages from the oldest
	// unfinished one on: those whose offsets cannot be committed yet.
	InFlight int
	// Finished counts the messages finished since the partition was claimed.
	Finished int64
	// Paused: fetching is paused because InFlight reached
	// consumer.max_in_flight.
	Paused bool
	// OperatorPaused: an operator paused the partition (PausePartition):
	// nothing more is fetched or started until ResumePartition.
	OperatorPaused bool
	// FailingOffsets are the records the partition is failing on now, one
	// per stage (a try failed and it waits for the next, an outage, or
	// is blocked): what SkipRecord takes. A batch's span of several
	// records is not listed until its tries isolate one. Nil while none.
	FailingOffsets []int64
	// Stuck says why the partition cannot move on (a message blocked with
	// no dead letter topic, a record whose sends keep failing), since
	// StuckSince; empty while it moves on.
	Stuck      string
	StuckSince time.Time
}

// State returns a snapshot of the runtime; it may be called at any time,
// from any goroutine.
func (r *Runtime) State() State {
	st := State{Stopping: r.d.claims.stopping.Load(), Halted: r.d.halted.Load()}
	for _, m := range r.groups {
		m.mu.Lock()
		connected := !m.leaving && m.member.Connected()
		missing := slices.Clone(m.missing)
		m.mu.Unlock()
		st.Groups = append(st.Groups, GroupState{
			Group: m.group, Topics: slices.Clone(m.topics), Connected: connected,
			Joined: connected && m.joined.Load(), MissingTopics: missing,
		})
	}
	r.d.claims.mu.Lock()
	parts := make([]*partition, 0, len(r.d.claims.live))
	for p := range r.d.claims.live {
		parts = append(parts, p)
	}
	r.d.claims.mu.Unlock()
	for _, p := range parts {
		st.Partitions = append(st.Partitions, p.state())
	}
	slices.SortFunc(st.Partitions, func(a, b PartitionState) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition), cmp.Compare(a.Group, b.Group))
	})
	return st
}

func (p *partition) state() PartitionState {
	s := PartitionState{Topic: p.topic, Group: p.group, Partition: p.id,
		Committed: p.committed.Load(), Marked: p.marked.Load(), Paused: p.paused.Load(), OperatorPaused: p.op.paused.Load()}
	if p.claim != nil {
		s.HighWatermark = p.claim.HighWaterMark()
	}
	for _, st := range p.stages() {
		if a := st.failing.at.Load(); a != nil && a.n == 1 {
			s.FailingOffsets = append(s.FailingOffsets, a.offset)
		}
	}
	s.Finished, s.InFlight = p.fin.counts()
	if st := p.stuck.Load(); st != nil {
		s.Stuck, s.StuckSince = st.reason, st.since
	}
	from := s.Committed
	if from < 0 {
		from = p.first.Load()
	}
	if from >= 0 && s.HighWatermark > from {
		s.Lag = s.HighWatermark - from
	}
	return s
}

// ActorKind names the kind of actor an actor id (events.Event.Actor)
// belongs to: "root", "listener", "partition", "virtual" or "responder". It
// goes by the id's depth in the tree, since topic names are part of ids.
func ActorKind(id string) string {
	switch strings.Count(id, "/") {
	case 0:
		return "root"
	case 1:
		return "listener"
	case 2:
		return "partition"
	}
	if strings.HasPrefix(id[strings.LastIndexByte(id, '/')+1:], "virtual-") {
		return "virtual"
	}
	return "responder"
}
