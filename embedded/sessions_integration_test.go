package embedded_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/karafka-actors/karafka-actors/embedded"
)

// member is a hand-driven consumer group member speaking the classic group
// protocol over its own connection.
type member struct {
	t     *testing.T
	cl    *kgo.Client
	group string
	id    string
	gen   int32
}

func newMember(t *testing.T, b *embedded.Broker, group string) *member {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()[0]))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &member{t: t, cl: cl, group: group}
}

func (m *member) request(ctx context.Context, req kmsg.Request) (kmsg.Response, error) {
	return m.cl.SeedBrokers()[0].Request(ctx, req)
}

// join joins (asking again with the member id the broker hands out) and
// returns the members of the new generation.
func (m *member) join(ctx context.Context) ([]string, error) {
	for {
		req := kmsg.NewPtrJoinGroupRequest()
		req.Group, req.MemberID, req.ProtocolType = m.group, m.id, "consumer"
		req.SessionTimeoutMillis, req.RebalanceTimeoutMillis = 6000, 20000
		p := kmsg.NewJoinGroupRequestProtocol()
		p.Name = "range"
		req.Protocols = append(req.Protocols, p)
		kresp, err := m.request(ctx, req)
		if err != nil {
			return nil, err
		}
		resp := kresp.(*kmsg.JoinGroupResponse)
		m.id = resp.MemberID
		if resp.ErrorCode == kerr.MemberIDRequired.Code {
			continue
		}
		if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
			return nil, err
		}
		m.gen = resp.Generation
		var ids []string
		for _, x := range resp.Members {
			ids = append(ids, x.MemberID)
		}
		return ids, nil
	}
}

// sync syncs as the leader, giving every member an (empty) assignment.
func (m *member) sync(ctx context.Context, members []string) error {
	req := kmsg.NewPtrSyncGroupRequest()
	req.Group, req.MemberID, req.Generation = m.group, m.id, m.gen
	for _, id := range members {
		a := kmsg.NewSyncGroupRequestGroupAssignment()
		a.MemberID = id
		req.GroupAssignment = append(req.GroupAssignment, a)
	}
	kresp, err := m.request(ctx, req)
	if err != nil {
		return err
	}
	return kerr.ErrorForCode(kresp.(*kmsg.SyncGroupResponse).ErrorCode)
}

func (m *member) heartbeat(ctx context.Context) error {
	req := kmsg.NewPtrHeartbeatRequest()
	req.Group, req.MemberID, req.Generation = m.group, m.id, m.gen
	kresp, err := m.request(ctx, req)
	if err != nil {
		return err
	}
	return kerr.ErrorForCode(kresp.(*kmsg.HeartbeatResponse).ErrorCode)
}

// describe returns the group's state and member ids.
func (m *member) describe(ctx context.Context) (string, []string) {
	m.t.Helper()
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Groups = []string{m.group}
	kresp, err := m.request(ctx, req)
	if err != nil {
		m.t.Fatal(err)
	}
	g := kresp.(*kmsg.DescribeGroupsResponse).Groups[0]
	var ids []string
	for _, x := range g.Members {
		ids = append(ids, x.MemberID)
	}
	slices.Sort(ids)
	return g.State, ids
}

// TestBroker_expiresMemberKilledWhileJoining: a member whose process dies
// while its JoinGroup waits is part of the next generation; Kafka expires it
// after its session timeout and rebalances, so the survivors take its
// partitions. kfake alone does not when it finds the connection closed as it
// answers the join (it then starts no session timer; it finds it so about
// half the time, its reply racing the close), and the group stays stable
// with the dead member in it for ever: without the broker's session watch
// this test failed 3 runs in 6.
func TestBroker_expiresMemberKilledWhileJoining(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: waits for a 6 s session timeout")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := start(t)
	a := newMember(t, b, "g")
	ids, err := a.join(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.sync(ctx, ids); err != nil {
		t.Fatal(err)
	}

	// The doomed member joins (its join waits for a) and dies waiting.
	dead := newMember(t, b, "g")
	joined := make(chan struct{})
	go func() {
		defer close(joined)
		_, _ = dead.join(ctx)
	}()
	for {
		if st, _ := a.describe(ctx); st == "PreparingRebalance" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	dead.cl.Close()
	<-joined
	time.Sleep(300 * time.Millisecond) // the broker sees the connection close

	// a rejoins: the generation completes with the dead member in it.
	if err := a.heartbeat(ctx); !errors.Is(err, kerr.RebalanceInProgress) {
		t.Fatalf("heartbeat during the rebalance: %v, want REBALANCE_IN_PROGRESS", err)
	}
	if ids, err = a.join(ctx); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 {
		t.Fatalf("generation %d has members %v, want a and the dead one", a.gen, ids)
	}
	if err := a.sync(ctx, ids); err != nil {
		t.Fatal(err)
	}
	stableGen := a.gen

	// a keeps heartbeating; the dead member must be expired after its 6 s
	// session, which a sees as a rebalance; a then rejoins alone.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		err := a.heartbeat(ctx)
		if err == nil {
			continue
		}
		if !errors.Is(err, kerr.RebalanceInProgress) {
			t.Fatalf("heartbeat: %v", err)
		}
		if ids, err = a.join(ctx); err != nil {
			t.Fatal(err)
		}
		if err := a.sync(ctx, ids); err != nil {
			t.Fatal(err)
		}
		if st, got := a.describe(ctx); st != "Stable" || !slices.Equal(got, []string{a.id}) {
			t.Fatalf("after the rebalance: group %s with %v, want Stable with only %s", st, got, a.id)
		}
		return
	}
	st, got := a.describe(ctx)
	t.Fatalf("generation %d still %s with members %v 20 s later: the dead member was never expired", stableGen, st, got)
}
