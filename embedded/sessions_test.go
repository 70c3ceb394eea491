package embedded

import (
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func join(group, member string, session time.Duration) *kmsg.JoinGroupRequest {
	r := kmsg.NewPtrJoinGroupRequest()
	r.Group, r.MemberID, r.SessionTimeoutMillis = group, member, int32(session/time.Millisecond)
	r.RebalanceTimeoutMillis = 20000
	return r
}

func heartbeat(group, member string) *kmsg.HeartbeatRequest {
	r := kmsg.NewPtrHeartbeatRequest()
	r.Group, r.MemberID = group, member
	return r
}

func leave(group, member string) *kmsg.LeaveGroupRequest {
	r := kmsg.NewPtrLeaveGroupRequest()
	r.Group = group
	m := kmsg.NewLeaveGroupRequestMember()
	m.MemberID = member
	r.Members = append(r.Members, m)
	return r
}

func TestSessionWatch_expired(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	stable := func(ids ...string) map[string]groupState {
		return map[string]groupState{"g": {state: stateStable, members: ids}}
	}
	preparing := func(ids ...string) map[string]groupState {
		return map[string]groupState{"g": {state: statePreparing, members: ids}}
	}
	completing := func(ids ...string) map[string]groupState {
		return map[string]groupState{"g": {state: stateCompleting, members: ids}}
	}
	type poll struct {
		at     time.Duration
		states map[string]groupState
		want   []string // expired member ids
	}
	tests := []struct {
		name   string
		events func(w *sessionWatch)
		polls  []poll
	}{
		{
			name: "member silent since the group became stable expires after its session",
			events: func(w *sessionWatch) {
				w.observe(join("g", "a", 6*time.Second), at(0))
				w.observe(join("g", "dead", 6*time.Second), at(0))
				w.observe(heartbeat("g", "a"), at(5*time.Second))
				w.observe(heartbeat("g", "a"), at(10*time.Second))
			},
			polls: []poll{
				{at: time.Second, states: stable("a", "dead")},
				{at: 7 * time.Second, states: stable("a", "dead")},
				{at: 7*time.Second + 1, states: stable("a", "dead"), want: []string{"dead"}},
				{at: 14 * time.Second, states: stable("a")},
			},
		},
		{
			name: "heartbeating member never expires",
			events: func(w *sessionWatch) {
				w.observe(join("g", "a", 6*time.Second), at(0))
				w.observe(heartbeat("g", "a"), at(5*time.Second))
				w.observe(heartbeat("g", "a"), at(10*time.Second))
			},
			polls: []poll{
				{at: 0, states: stable("a")},
				{at: 11 * time.Second, states: stable("a")},
				{at: 15 * time.Second, states: stable("a")},
			},
		},
		{
			name: "preparing: a member waiting in its join is kept, a silent one that is not expires",
			events: func(w *sessionWatch) {
				w.observe(join("g", "waiting", 6*time.Second), at(0))
				w.observe(join("g", "gone", 6*time.Second), at(0))
				w.observe(heartbeat("g", "gone"), at(time.Second))
			},
			polls: []poll{
				{at: time.Second, states: preparing("waiting", "gone")},
				{at: 7 * time.Second, states: preparing("waiting", "gone")},
				{at: 7*time.Second + 1, states: preparing("waiting", "gone"), want: []string{"gone"}},
				{at: 26 * time.Second, states: preparing("waiting")},
			},
		},
		{
			name: "preparing: a join held past the rebalance timeout plus a session expires",
			events: func(w *sessionWatch) {
				w.observe(join("g", "waiting", 6*time.Second), at(0))
			},
			polls: []poll{
				{at: 0, states: preparing("waiting")},
				{at: 26 * time.Second, states: preparing("waiting")},
				{at: 26*time.Second + 1, states: preparing("waiting"), want: []string{"waiting"}},
			},
		},
		{
			name: "preparing: a member whose join a poll saw answered is no longer waiting",
			events: func(w *sessionWatch) {
				w.observe(join("g", "answered", 6*time.Second), at(0))
			},
			polls: []poll{
				{at: time.Second, states: completing("answered")},
				{at: 2 * time.Second, states: preparing("answered")},
				{at: 8 * time.Second, states: preparing("answered")},
				{at: 8*time.Second + 1, states: preparing("answered"), want: []string{"answered"}},
			},
		},
		{
			name: "completing: a member that synced is kept, one that never synced after its join expires",
			events: func(w *sessionWatch) {
				w.observe(join("g", "synced", 6*time.Second), at(0))
				w.observe(join("g", "dead", 6*time.Second), at(0))
				sync := kmsg.NewPtrSyncGroupRequest()
				sync.Group, sync.MemberID = "g", "synced"
				w.observe(sync, at(20*time.Second))
			},
			polls: []poll{
				{at: 20 * time.Second, states: completing("synced", "dead")},
				{at: 26 * time.Second, states: completing("synced", "dead")},
				{at: 26*time.Second + 1, states: completing("synced", "dead"), want: []string{"dead"}},
				{at: 60 * time.Second, states: completing("synced")},
			},
		},
		{
			name: "a state change restarts the clock",
			events: func(w *sessionWatch) {
				w.observe(join("g", "a", 6*time.Second), at(0))
			},
			polls: []poll{
				{at: 0, states: preparing("a")},
				{at: 20 * time.Second, states: preparing("a")},
				{at: 21 * time.Second, states: stable("a")},
				{at: 27 * time.Second, states: stable("a")},
				{at: 27*time.Second + 1, states: stable("a"), want: []string{"a"}},
			},
		},
		{
			name: "member the watch never saw gets the group's session, else Kafka's default",
			events: func(w *sessionWatch) {
				w.observe(heartbeat("g", "a"), at(0))
			},
			polls: []poll{
				{at: 0, states: stable("a", "restored")},
				{at: defaultSession, states: stable("a", "restored")},
				{at: defaultSession + 1, states: stable("a", "restored"), want: []string{"a", "restored"}},
			},
		},
		{
			name: "member that left is not asked to leave again",
			events: func(w *sessionWatch) {
				w.observe(join("g", "a", 6*time.Second), at(0))
				w.observe(leave("g", "a"), at(time.Second))
			},
			polls: []poll{
				{at: time.Second, states: stable("b")},
				{at: 8 * time.Second, states: stable("b"), want: []string{"b"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newSessionWatch()
			tt.events(w)
			for i, p := range tt.polls {
				var got []string
				for _, e := range w.expired(p.states, at(p.at), at(p.at)) {
					if e.group != "g" {
						t.Errorf("poll %d: expiry in group %q, want g", i, e.group)
					}
					got = append(got, e.member)
				}
				slices.Sort(got)
				if !slices.Equal(got, p.want) {
					t.Errorf("poll %d at %v: expired %v, want %v", i, p.at, got, p.want)
				}
			}
		})
	}
}

func TestSessionWatch_forgetsGroupsGoneFromTheBroker(t *testing.T) {
	w := newSessionWatch()
	now := time.Now()
	w.observe(join("gone", "a", 6*time.Second), now)
	w.observe(join("empty", "b", 6*time.Second), now)
	w.observe(join("kept", "c", 6*time.Second), now)
	w.expired(map[string]groupState{"empty": {state: "Empty"}, "kept": {state: stateStable, members: []string{"c"}}}, now, now)
	if got := w.names(); !slices.Equal(got, []string{"kept"}) {
		t.Errorf("groups known after the poll: %v, want [kept]", got)
	}
}
