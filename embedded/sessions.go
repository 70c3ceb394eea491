package embedded

import (
	"context"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// sessionWatch times out consumer group members that the in-process broker
// would keep for too long, or for ever.
//
// kfake starts a member's session timer when it hands a reply to that
// member's connection. A member whose process died while its JoinGroup
// waited gets no timer when kfake finds the connection closed (about half
// the time: handing the reply over races the close): the rebalance
// completes with it, the leader assigns it partitions, its reply goes
// nowhere, and the group stays stable with those partitions held by a
// member that no longer exists, for ever (the surviving members heartbeat
// happily and never see a rebalance). And a dead member that was not
// waiting in a join is only dropped when the rebalance times out, a
// timeout kfake starts again on every JoinGroup, so under a storm of
// restarts a group waits far longer than Kafka would, or for ever when the
// clients' own join timeouts keep sending new JoinGroups.
//
// Kafka keeps a member alive while it waits in a join or a sync, and
// otherwise expires it one session timeout after its last heartbeat (a
// generation's start counting as one). The watch does the same from
// outside: it sees every JoinGroup, SyncGroup and Heartbeat (kfake control
// functions that observe and never answer), polls the groups' state, and
// asks a member whose session ran out to leave (a LeaveGroup naming its
// member id), which starts the rebalance Kafka would have started:
//
//   - Stable: nothing for a session timeout since the later of its last
//     request and the moment the group was seen stable.
//   - CompletingRebalance: the member's last request was its JoinGroup (it
//     never synced, where a live member syncs at once) and a session timeout
//     passed since the later of that and the moment the state was seen.
//   - PreparingRebalance: it is not waiting in a join (its last request was
//     not a JoinGroup, or a poll saw the group past that join) and a session
//     timeout passed likewise; or it is waiting, and sent nothing for its
//     rebalance timeout plus a session timeout (Kafka would have answered
//     its join by then; kfake may hold it for ever, see above).
//
// A live member heartbeats well within its session timeout, so the watch
// removes none that Kafka would keep.
type sessionWatch struct {
	mu     sync.Mutex
	groups map[string]*watchedGroup
}

// watchedGroup is what the watch knows of one group.
type watchedGroup struct {
	state   string                    // at the last poll
	since   time.Time                 // when the last poll's state was first seen
	session time.Duration             // the latest JoinGroup's session timeout
	members map[string]*watchedMember // by member id
}

// watchedMember is one member's last request and session timeout.
type watchedMember struct {
	seen    time.Time
	joining bool // its last request was a JoinGroup
	// answered: the group was seen past that join (completing or stable)
	// by a poll sent after it, so the member no longer waits in it.
	answered  bool
	session   time.Duration
	rebalance time.Duration
}

// awaitingJoin: the member's JoinGroup is still held by the broker.
func (m *watchedMember) awaitingJoin() bool { return m != nil && m.joining && !m.answered }

// Group states as DescribeGroups names them.
const (
	stateStable     = "Stable"
	stateCompleting = "CompletingRebalance"
	statePreparing  = "PreparingRebalance"
)

// groupState is a group as DescribeGroups tells it.
type groupState struct {
	state   string
	members []string
}

// expiry names a member whose session ran out.
type expiry struct {
	group, member string
}

// defaultSession stands for a member whose JoinGroup the watch did not see
// (a group restored from a data dir): Kafka's default session timeout.
const defaultSession = 45 * time.Second

func newSessionWatch() *sessionWatch {
	return &sessionWatch{groups: map[string]*watchedGroup{}}
}

// observe records a group request received at now.
func (w *sessionWatch) observe(req kmsg.Request, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch r := req.(type) {
	case *kmsg.JoinGroupRequest:
		g := w.group(r.Group)
		g.session = time.Duration(r.SessionTimeoutMillis) * time.Millisecond
		if r.MemberID != "" {
			m := g.member(r.MemberID)
			m.seen, m.joining, m.answered = now, true, false
			m.session, m.rebalance = g.session, time.Duration(r.RebalanceTimeoutMillis)*time.Millisecond
		}
	case *kmsg.SyncGroupRequest:
		m := w.group(r.Group).member(r.MemberID)
		m.seen, m.joining = now, false
	case *kmsg.HeartbeatRequest:
		m := w.group(r.Group).member(r.MemberID)
		m.seen, m.joining = now, false
	case *kmsg.LeaveGroupRequest:
		g := w.group(r.Group)
		delete(g.members, r.MemberID)
		for _, m := range r.Members {
			delete(g.members, m.MemberID)
		}
	}
}

// expired takes the groups' state, asked for at asked and answered at
// now, and returns the members whose session ran out; the watch forgets
// them. Groups the poll did not return, or returned with no members, are
// forgotten too.
func (w *sessionWatch) expired(states map[string]groupState, asked, now time.Time) []expiry {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []expiry
	for name, g := range w.groups {
		st, ok := states[name]
		if !ok || len(st.members) == 0 {
			delete(w.groups, name)
			continue
		}
		if st.state != g.state {
			g.state, g.since = st.state, now
		}
		if st.state == stateStable || st.state == stateCompleting {
			// Joins the broker handled before this poll were answered.
			for _, m := range g.members {
				if m.joining && m.seen.Before(asked) {
					m.answered = true
				}
			}
		}
		listed := make(map[string]bool, len(st.members))
		for _, id := range st.members {
			listed[id] = true
			if g.expires(g.members[id], now) {
				out = append(out, expiry{group: name, member: id})
				delete(g.members, id)
				listed[id] = false
			}
		}
		for id := range g.members {
			if !listed[id] {
				delete(g.members, id)
			}
		}
	}
	return out
}

// expires applies the rules of [sessionWatch] to member m (nil: never seen)
// of g at now.
func (g *watchedGroup) expires(m *watchedMember, now time.Time) bool {
	last, session, rebalance := g.since, g.session, time.Duration(0)
	if m != nil {
		if m.seen.After(last) {
			last = m.seen
		}
		if m.session > 0 {
			session = m.session
		}
		rebalance = m.rebalance
	}
	if session <= 0 {
		session = defaultSession
	}
	silent := now.Sub(last)
	switch g.state {
	case stateStable:
		return silent > session
	case stateCompleting:
		// A member that synced waits for the leader's assignment.
		return (m == nil || m.joining) && silent > session
	case statePreparing:
		// A member waiting in its join is kept, but not for longer than
		// Kafka would hold the join (the rebalance timeout) plus a session:
		// kfake holds a join longer, restarting its wait on every JoinGroup,
		// and our clients time out and ask again well before that.
		if m.awaitingJoin() {
			return rebalance > 0 && silent > rebalance+session
		}
		return silent > session
	}
	return false
}

// names returns the groups the watch knows.
func (w *sessionWatch) names() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	names := make([]string, 0, len(w.groups))
	for name := range w.groups {
		names = append(names, name)
	}
	return names
}

func (w *sessionWatch) group(name string) *watchedGroup {
	g := w.groups[name]
	if g == nil {
		g = &watchedGroup{members: map[string]*watchedMember{}}
		w.groups[name] = g
	}
	return g
}

func (g *watchedGroup) member(id string) *watchedMember {
	m := g.members[id]
	if m == nil {
		m = &watchedMember{}
		g.members[id] = m
	}
	return m
}

// groupAdmin asks the broker about groups and removes members.
type groupAdmin interface {
	describe(ctx context.Context, groups []string) (map[string]groupState, error)
	leave(ctx context.Context, group, member string) error
}

// run polls every interval until ctx ends and removes expired members.
// Errors are retried at the next poll: the broker may be closing.
func (w *sessionWatch) run(ctx context.Context, interval time.Duration, admin groupAdmin) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		names := w.names()
		if len(names) == 0 {
			continue
		}
		asked := time.Now()
		states, err := admin.describe(ctx, names)
		if err != nil {
			continue
		}
		for _, e := range w.expired(states, asked, time.Now()) {
			_ = admin.leave(ctx, e.group, e.member)
		}
	}
}
