package actors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// These tests drive the real claim loop, partition and stages, the
// at-least-once finisher and the session's committer through the
// sarama.ConsumerGroupHandler methods, with a fake session and claim for
// the broker's side and a sender whose acknowledgements the test gives.

// fakeSession is a consumer-group session without a broker. It records the
// marks and what each commit saw.
type fakeSession struct {
	ctx       context.Context
	mu        sync.Mutex
	marks     []int64       // every MarkOffset of partition in/0, in order
	committed int64         // the mark the last Commit saw (-1: none)
	held      chan struct{} // when not nil, Commit waits until it is closed
}

var _ client.Session = (*fakeSession)(nil)

func (s *fakeSession) Member() client.Member {
	return client.Member{Group: "g", MemberID: "member-1", Generation: 1}
}
func (s *fakeSession) MarkOffset(topic string, partition int32, offset int64) {
	s.mu.Lock()
	s.marks = append(s.marks, offset)
	s.mu.Unlock()
}
func (s *fakeSession) Commit() {
	s.mu.Lock()
	held := s.held
	s.mu.Unlock()
	if held != nil {
		<-held
	}
	s.mu.Lock()
	if len(s.marks) > 0 {
		s.committed = s.marks[len(s.marks)-1]
	}
	s.mu.Unlock()
}
func (s *fakeSession) Context() context.Context { return s.ctx }

// holdCommits makes commits wait until the returned release is called.
func (s *fakeSession) holdCommits() (release func()) {
	held := make(chan struct{})
	s.mu.Lock()
	s.held = held
	s.mu.Unlock()
	return func() { close(held) }
}

// marked returns every mark so far.
func (s *fakeSession) marked() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.marks)
}

// last is the latest mark, or -1.
func (s *fakeSession) last() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.marks) == 0 {
		return -1
	}
	return s.marks[len(s.marks)-1]
}

// fakeClaim is partition in/0, fed by the test. The claim ends when msgs
// is closed or the session's ctx ends.
type fakeClaim struct {
	msgs chan *client.Record
	ctx  context.Context
}

var _ client.Claim = fakeClaim{}

func (fakeClaim) Topic() string        { return "in" }
func (fakeClaim) Partition() int32     { return 0 }
func (fakeClaim) InitialOffset() int64 { return 0 }
func (fakeClaim) HighWaterMark() int64 { return 0 }
func (c fakeClaim) Fetch(buf []client.Record, max int) ([]client.Record, bool) {
	select {
	case m, ok := <-c.msgs:
		if !ok {
			return buf, false
		}
		buf = append(buf, *m)
	case <-c.ctx.Done():
		return buf, false
	}
	for len(buf) < max {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				return buf, true
			}
			buf = append(buf, *m)
		default:
			return buf, true
		}
	}
	return buf, true
}

// fakePauser is a group member without a broker that records Pause and
// Resume calls as "pause in/0", "resume in/0".
type fakePauser struct {
	client.Group // nil: the claim tests call nothing else
	mu           sync.Mutex
	calls        []string
}

func (f *fakePauser) Pause(topic string, id int32)  { f.record("pause", topic, id) }
func (f *fakePauser) Resume(topic string, id int32) { f.record("resume", topic, id) }
func (f *fakePauser) record(what, topic string, id int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("%s %s/%d", what, topic, id))
}
func (f *fakePauser) recorded() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// heldSender keeps every record's result until the test gives it (ack,
// fail), or acknowledges at once when auto is set. It writes nothing
// anywhere: sent lists what was handed to it, in order.
type heldSender struct {
	auto  bool
	mu    sync.Mutex
	sends []heldSend
}

type heldSend struct {
	msg  *producer.Message
	done func(producer.Result)
}

var _ Sender = (*heldSender)(nil)

func (s *heldSender) SendAsync(m *producer.Message, done func(producer.Result)) {
	s.mu.Lock()
	s.sends = append(s.sends, heldSend{msg: m, done: done})
	s.mu.Unlock()
	if s.auto {
		done(producer.Result{Message: m})
	}
}

// sent lists the records handed over so far as "topic:value".
func (s *heldSender) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.sends))
	for i, h := range s.sends {
		out[i] = h.msg.Topic + ":" + string(h.msg.Value)
	}
	return out
}

// ack acknowledges send i; fail reports it refused with err.
func (s *heldSender) ack(i int)             { s.answer(i, nil) }
func (s *heldSender) fail(i int, err error) { s.answer(i, err) }
func (s *heldSender) answer(i int, err error) {
	s.mu.Lock()
	h := s.sends[i]
	s.mu.Unlock()
	h.done(producer.Result{Message: h.msg, Err: err})
}

// waitSends waits until n records were handed over and returns them.
func (s *heldSender) waitSends(t *testing.T, n int) []string {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d sends", n), func() bool { return len(s.sent()) >= n })
	return s.sent()
}

var errBoom = errors.New("test: controller failed")

// claimRoute answers {"id": N} with N on "out"; messages whose id fails
// makes the controller fail. Retries and restarts wait a millisecond.
func claimRoute(fails func(id int64) bool, deadLetter string) *topology.Resolved {
	fast := supervision.Backoff{Initial: time.Millisecond, Max: time.Millisecond, Multiplier: 1}
	return &topology.Resolved{
		Route: topology.Route{
			Topic:  "in",
			Group:  "g",
			Parser: params.JSON,
			Controller: func() controllers.Controller {
				return controllers.Func(func(c *controllers.Context) error {
					id, _ := c.Params.Int("id")
					if fails != nil && fails(id) {
						return errBoom
					}
					c.RespondWith(id)
					return nil
				})
			},
			Responder: func() responders.Responder {
				return responders.Func([]responders.Topic{responders.Required("out")}, func(out *responders.Output, args ...any) error {
					out.RespondTo("out", strconv.FormatInt(args[0].(int64), 10))
					return nil
				})
			},
		},
		DeadLetter:        deadLetter,
		RetryPolicy:       supervision.RetryPolicy{Attempts: 2, Backoff: fast},
		SupervisionConfig: supervision.Config{Strategy: supervision.OneForOne, MaxRestarts: 100, Within: time.Minute, Backoff: fast},
	}
}

func testConsumerConfig() ConsumerConfig {
	return ConsumerConfig{CommitInterval: time.Hour, MaxInFlight: 100, BatchSize: 10, DrainTimeout: time.Minute}
}

// claimTest is one membership of group "g" with route "in", in a session.
type claimTest struct {
	d      *deps
	h      *handler
	sess   *fakeSession
	cancel context.CancelFunc // ends the session (a revoke)
	pauser *fakePauser
	mu     sync.Mutex
	events []events.Event
}

func newClaimTest(t testing.TB, sender Sender, route *topology.Resolved, cfg ConsumerConfig) *claimTest {
	t.Helper()
	c := &claimTest{d: newTestDeps(t, sender, nil), pauser: &fakePauser{}}
	c.d.bus.Subscribe(func(e events.Event) {
		c.mu.Lock()
		c.events = append(c.events, e)
		c.mu.Unlock()
	})
	m := &membership{d: c.d, group: route.Group, cfg: cfg, member: c.pauser,
		listeners: map[string]*listener{}, topics: []string{route.Topic}}
	l := &listener{d: c.d, route: route, cfg: cfg, m: m, parts: map[*partition]struct{}{}}
	m.listeners[route.Topic] = l
	pid := c.d.sys.Root.Spawn(l.props())
	t.Cleanup(func() { _ = c.d.sys.Root.StopFuture(pid).Wait() })
	waitFor(t, "listener", func() bool { return l.pid.Load() != nil })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c.sess, c.cancel = &fakeSession{ctx: ctx, committed: -1}, cancel
	c.h = newHandler(m)
	if err := c.h.Setup(c.sess); err != nil {
		t.Fatal(err)
	}
	return c
}

// consume starts ConsumeClaim on partition in/0 holding n messages
// {"id": i} at offset i. returned is closed when ConsumeClaim returned.
func (c *claimTest) consume(t *testing.T, n int) (msgs chan *client.Record, returned chan struct{}) {
	msgs = make(chan *client.Record, max(n, 8))
	for i := range n {
		msgs <- &client.Record{Topic: "in", Partition: 0, Offset: int64(i), Value: fmt.Appendf(nil, `{"id":%d}`, i)}
	}
	returned = make(chan struct{})
	go func() {
		defer close(returned)
		if err := c.h.ConsumeClaim(c.sess, fakeClaim{msgs: msgs, ctx: c.sess.ctx}); err != nil {
			t.Errorf("ConsumeClaim: %v", err)
		}
	}()
	return msgs, returned
}

// end ends the session (Cleanup) and returns the offset committed last.
func (c *claimTest) end(t testing.TB) int64 {
	t.Helper()
	if err := c.h.Cleanup(c.sess); err != nil {
		t.Fatal(err)
	}
	c.sess.mu.Lock()
	defer c.sess.mu.Unlock()
	return c.sess.committed
}

func (c *claimTest) waitMarked(t testing.TB, next int64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("mark of %d (marks %v)", next, c.sess.marked()), func() bool { return c.sess.last() >= next })
}

// eventsOf returns the events of kind published so far.
func (c *claimTest) eventsOf(kind events.Kind) []events.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []events.Event
	for _, e := range c.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func waitReturned(t testing.TB, returned <-chan struct{}) {
	t.Helper()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("ConsumeClaim did not return in 10s")
	}
}

func increasing(marks []int64) bool {
	for i := 1; i < len(marks); i++ {
		if marks[i] <= marks[i-1] {
			return false
		}
	}
	return true
}

func TestHandler_marksInOrderWhenAcksComeOutOfOrder(t *testing.T) {
	s := &heldSender{}
	c := newClaimTest(t, s, claimRoute(nil, ""), testConsumerConfig())
	msgs, returned := c.consume(t, 5)
	if got, want := s.waitSends(t, 5), []string{"out:0", "out:1", "out:2", "out:3", "out:4"}; !slices.Equal(got, want) {
		t.Fatalf("sent %v, want %v", got, want)
	}
	for i := 4; i >= 1; i-- {
		s.ack(i)
	}
	if m := c.sess.marked(); len(m) != 0 {
		t.Fatalf("marked %v while the response of offset 0 is unacknowledged", m)
	}
	s.ack(0)
	c.waitMarked(t, 5)
	if m := c.sess.marked(); !increasing(m) {
		t.Fatalf("marks %v not increasing", m)
	}
	close(msgs)
	waitReturned(t, returned)
	if got := c.end(t); got != 5 {
		t.Errorf("committed %d at the end of the session, want 5", got)
	}
	if n := len(c.eventsOf(events.OffsetsCommitted)); n == 0 {
		t.Error("no OffsetsCommitted event")
	}
}

func TestHandler_retriesAFailingControllerThenDeadLetters(t *testing.T) {
	s := &heldSender{auto: true}
	c := newClaimTest(t, s, claimRoute(func(id int64) bool { return id == 1 }, "dlq"), testConsumerConfig())
	msgs, returned := c.consume(t, 3)
	c.waitMarked(t, 3)
	close(msgs)
	waitReturned(t, returned)

	got := s.sent()
	if i, j := slices.Index(got, "out:0"), slices.Index(got, "out:2"); i < 0 || j < i || len(got) != 3 {
		t.Fatalf("sent %v, want out:0 before out:2 and one dead letter", got)
	}
	s.mu.Lock()
	var dl *producer.Message
	for _, h := range s.sends {
		if h.msg.Topic == "dlq" {
			dl = h.msg
		}
	}
	s.mu.Unlock()
	if dl == nil || string(dl.Value) != `{"id":1}` {
		t.Fatalf("dead letter %+v, want the original record of offset 1", dl)
	}
	headers := map[string]string{}
	for _, h := range dl.Headers {
		headers[h.Key] = string(h.Value)
	}
	for k, want := range map[string]string{pipeline.HeaderOriginOffset: "1", pipeline.HeaderAttempts: "2", pipeline.HeaderStage: "controller", pipeline.HeaderOriginTopic: "in"} {
		if headers[k] != want {
			t.Errorf("dead letter header %s = %q, want %q", k, headers[k], want)
		}
	}
	var attempts []int
	for _, e := range c.eventsOf(events.MessageFailed) {
		if e.Offset != 1 {
			t.Errorf("MessageFailed for offset %d", e.Offset)
		}
		attempts = append(attempts, e.Attempt)
	}
	if !slices.Equal(attempts, []int{1, 2}) {
		t.Errorf("MessageFailed attempts %v, want [1 2]", attempts)
	}
	if dls := c.eventsOf(events.MessageDeadLettered); len(dls) != 1 || dls[0].Offset != 1 {
		t.Errorf("MessageDeadLettered events %+v, want one for offset 1", dls)
	}
	if n := len(c.eventsOf(events.MessageRetried)); n != 1 {
		t.Errorf("%d MessageRetried events, want 1", n)
	}
	if got := c.end(t); got != 3 {
		t.Errorf("committed %d, want 3", got)
	}
}

// A response refused for good is sent again, and so is every later response
// already handed over, acknowledged or not, in their order (doc.go).
func TestHandler_resendsAFailedResponseInOrder(t *testing.T) {
	cases := []struct {
		name    string
		answers func(s *heldSender)
	}{
		{"later responses still in flight", func(s *heldSender) {
			s.fail(1, errRefused)
			s.ack(3)
			s.ack(2)
			s.ack(0)
		}},
		{"later responses already acknowledged", func(s *heldSender) {
			s.ack(3)
			s.ack(2)
			s.ack(0)
			s.fail(1, errRefused)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &heldSender{}
			c := newClaimTest(t, s, claimRoute(nil, ""), testConsumerConfig())
			msgs, returned := c.consume(t, 4)
			s.waitSends(t, 4)
			tc.answers(s)
			got := s.waitSends(t, 7)
			if want := []string{"out:0", "out:1", "out:2", "out:3", "out:1", "out:2", "out:3"}; !slices.Equal(got, want) {
				t.Fatalf("sent %v, want %v", got, want)
			}
			if last := c.sess.last(); last != 1 {
				t.Fatalf("marked up to %d before the resends were acknowledged, want 1", last)
			}
			for _, i := range []int{6, 5, 4} {
				s.ack(i)
			}
			c.waitMarked(t, 4)
			if n := len(c.eventsOf(events.ProduceFailed)); n != 1 {
				t.Errorf("%d ProduceFailed events, want 1", n)
			}
			close(msgs)
			waitReturned(t, returned)
			if got := c.end(t); got != 4 {
				t.Errorf("committed %d, want 4", got)
			}
		})
	}
}

func TestHandler_pausesAtMaxInFlightAndResumesBelowHalf(t *testing.T) {
	s := &heldSender{}
	cfg := testConsumerConfig()
	cfg.MaxInFlight, cfg.BatchSize = 4, 4
	c := newClaimTest(t, s, claimRoute(nil, ""), cfg)
	msgs, returned := c.consume(t, 6)
	s.waitSends(t, 4)
	waitFor(t, "pause", func() bool { return len(c.pauser.recorded()) >= 1 })
	s.ack(0) // 3 in flight: still more than half of 4
	time.Sleep(20 * time.Millisecond)
	if got := c.pauser.recorded(); !slices.Equal(got, []string{"pause in/0"}) {
		t.Fatalf("calls %v with 3 of 4 messages in flight, want the partition still paused", got)
	}
	if n := len(s.sent()); n != 4 {
		t.Fatalf("%d messages taken while paused, want 4", n)
	}
	s.ack(1)
	waitFor(t, "resume", func() bool { return len(c.pauser.recorded()) >= 2 })
	s.waitSends(t, 6) // 2 and 3 still in flight, plus 4 and 5: paused again
	waitFor(t, "second pause", func() bool { return len(c.pauser.recorded()) >= 3 })
	for i := 2; i < 6; i++ {
		s.ack(i)
	}
	c.waitMarked(t, 6)
	waitFor(t, "second resume", func() bool { return len(c.pauser.recorded()) >= 4 })
	if got, want := c.pauser.recorded(), []string{"pause in/0", "resume in/0", "pause in/0", "resume in/0"}; !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
	close(msgs)
	waitReturned(t, returned)
	c.end(t)
}

// TestHandler_neverHoldsMoreThanMaxInFlight: a partition takes at most
// consumer.max_in_flight unfinished messages, however the batches fall: it
// took a whole batch before checking the bound, up to max_in_flight +
// batch_size - 1, and a crash replays what is in flight.
func TestHandler_neverHoldsMoreThanMaxInFlight(t *testing.T) {
	for _, tc := range []struct {
		name       string
		max, batch int
	}{
		{"batch larger than the bound", 4, 10},
		{"batches that do not divide the bound", 5, 3},
		{"batch of one", 3, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &heldSender{}
			cfg := testConsumerConfig()
			cfg.MaxInFlight, cfg.BatchSize = tc.max, tc.batch
			c := newClaimTest(t, s, claimRoute(nil, ""), cfg)
			msgs, returned := c.consume(t, 3*tc.max)
			s.waitSends(t, tc.max)
			waitFor(t, "pause", func() bool { return len(c.pauser.recorded()) == 1 })
			time.Sleep(20 * time.Millisecond) // anything taken past the bound is answered by now
			if n := len(s.sent()); n != tc.max {
				t.Fatalf("%d messages taken with none finished, want max_in_flight (%d)", n, tc.max)
			}
			close(msgs)
			for i := range 3 * tc.max {
				waitFor(t, fmt.Sprintf("send %d", i), func() bool { return len(s.sent()) > i })
				s.ack(i)
			}
			waitReturned(t, returned)
			c.end(t)
		})
	}
}

// TestHandler_boundsWhatWaitsForACommit: a partition whose commits do not
// come back stops taking messages once 2 x max_in_flight of them are not
// committed, finished or not, and goes on when a commit returns. It went on
// taking them while they were finished and marked, so a crash after a slow
// commit replayed everything finished since that commit began.
func TestHandler_boundsWhatWaitsForACommit(t *testing.T) {
	s := &heldSender{auto: true} // every message is finished at once
	cfg := testConsumerConfig()
	cfg.MaxInFlight, cfg.BatchSize = 4, 3
	c := newClaimTest(t, s, claimRoute(nil, ""), cfg)
	release := c.sess.holdCommits()
	msgs, returned := c.consume(t, 40)
	s.waitSends(t, 2*cfg.MaxInFlight)
	time.Sleep(20 * time.Millisecond) // anything taken past the bound is answered by now
	if n := len(s.sent()); n != 2*cfg.MaxInFlight {
		t.Fatalf("%d messages taken and finished while no commit returned, want 2 x max_in_flight (%d): a crash replays them all",
			n, 2*cfg.MaxInFlight)
	}
	release()
	close(msgs)
	waitReturned(t, returned)
	if got := c.end(t); got != 40 {
		t.Errorf("committed %d, want 40", got)
	}
}

func TestHandler_drainsOnRevoke(t *testing.T) {
	s := &heldSender{}
	c := newClaimTest(t, s, claimRoute(nil, ""), testConsumerConfig())
	_, returned := c.consume(t, 3)
	s.waitSends(t, 3)
	c.cancel() // the session ends: a rebalance revokes the partition
	select {
	case <-returned:
		t.Fatal("ConsumeClaim returned with 3 messages in flight")
	case <-time.After(20 * time.Millisecond):
	}
	for i := range 3 {
		s.ack(i)
	}
	waitReturned(t, returned)
	if last := c.sess.last(); last != 3 {
		t.Fatalf("marked up to %d when the drain ended, want 3", last)
	}
	if got := c.end(t); got != 3 {
		t.Errorf("committed %d, want 3", got)
	}
	if n := len(c.eventsOf(events.PartitionRevoked)); n != 1 {
		t.Errorf("%d PartitionRevoked events, want 1", n)
	}
}

func TestHandler_handBackLeavesUndoneMessagesUnmarked(t *testing.T) {
	s := &heldSender{}
	cfg := testConsumerConfig()
	cfg.DrainTimeout = 20 * time.Millisecond
	c := newClaimTest(t, s, claimRoute(nil, ""), cfg)
	c.d.claims.stopping.Store(true) // as at shutdown: undone messages are counted
	_, returned := c.consume(t, 3)
	s.waitSends(t, 3)
	s.ack(0)
	c.waitMarked(t, 1)
	c.cancel()
	waitReturned(t, returned) // after the drain timeout
	s.ack(2)
	s.ack(1) // the acknowledgements come after the hand-back
	if m := c.sess.marked(); !slices.Equal(m, []int64{1}) {
		t.Fatalf("marks %v, want [1]: messages finished after the hand-back must stay uncommitted", m)
	}
	if got := c.end(t); got != 1 {
		t.Errorf("committed %d, want 1", got)
	}
	var undone *UndoneError
	if err := c.d.claims.report(nil); !errors.As(err, &undone) ||
		!slices.Equal(undone.Partitions, []UndonePartition{{Topic: "in", Partition: 0, Messages: 2}}) {
		t.Errorf("report() = %v, want 2 undone messages of in/0", err)
	}
}
