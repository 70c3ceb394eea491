package actors

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// These tests drive the operator actions (operator.go) through the claim
// loop, like handler_test.go.

// slowRetries makes r retry for an hour: only a skip moves its partition on.
func slowRetries(r *topology.Resolved, attempts int) *topology.Resolved {
	r.RetryPolicy = supervision.RetryPolicy{Attempts: attempts, Backoff: supervision.Backoff{Initial: time.Hour, Max: time.Hour, Multiplier: 1}}
	return r
}

// runtimeOf is a Runtime of c's deps, for its operator actions.
func runtimeOf(c *claimTest) *Runtime { return &Runtime{d: c.d} }

func waitHeld(t *testing.T, c *claimTest) *partition {
	t.Helper()
	waitFor(t, "partition in/0 held", func() bool { return c.d.claims.held("in", 0) != nil })
	return c.d.claims.held("in", 0)
}

// failedAt waits until a MessageFailed event names offset.
func (c *claimTest) failedAt(t *testing.T, offset int64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("failure of offset %d", offset), func() bool {
		return slices.ContainsFunc(c.eventsOf(events.MessageFailed), func(e events.Event) bool { return e.Offset == offset })
	})
}

// deadLetters returns the dead letters sent so far, as header maps.
func deadLetters(s *heldSender) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]string
	for _, h := range s.sends {
		if h.msg.Topic != "dlq" {
			continue
		}
		m := map[string]string{"value": string(h.msg.Value)}
		for _, hd := range h.msg.Headers {
			m[hd.Key] = string(hd.Value)
		}
		out = append(out, m)
	}
	return out
}

func TestOperator_pauseHoldsFetchingUntilResumed(t *testing.T) {
	s := &heldSender{auto: true}
	c := newClaimTest(t, s, claimRoute(nil, ""), testConsumerConfig())
	msgs, returned := c.consume(t, 0)
	rt := runtimeOf(c)
	p := waitHeld(t, c)
	if err := rt.PausePartition("in", 0); err != nil {
		t.Fatal(err)
	}
	if err := rt.PausePartition("in", 0); err != nil {
		t.Fatalf("second pause: %v, want nil (idempotent)", err)
	}
	if !p.state().OperatorPaused {
		t.Fatal("State does not say the partition is paused by an operator")
	}
	for i := range 3 {
		msgs <- recordOf(i)
	}
	time.Sleep(50 * time.Millisecond)
	if got := s.sent(); len(got) != 0 {
		t.Fatalf("sent %v while paused by an operator", got)
	}
	if got := c.pauser.recorded(); !slices.Equal(got, []string{"pause in/0"}) {
		t.Fatalf("client calls %v, want one pause", got)
	}
	if err := rt.ResumePartition("in", 0); err != nil {
		t.Fatal(err)
	}
	if err := rt.ResumePartition("in", 0); err != nil {
		t.Fatalf("second resume: %v, want nil (idempotent)", err)
	}
	c.waitMarked(t, 3)
	if got := s.sent(); !slices.Equal(got, []string{"out:0", "out:1", "out:2"}) {
		t.Fatalf("sent %v, want each message once, in order", got)
	}
	if got := c.pauser.recorded(); !slices.Equal(got, []string{"pause in/0", "resume in/0"}) {
		t.Fatalf("client calls %v, want a pause and a resume", got)
	}
	var ops []string
	for _, e := range append(c.eventsOf(events.PartitionPaused), c.eventsOf(events.PartitionResumed)...) {
		ops = append(ops, fmt.Sprintf("%s operator=%v", e.Kind, e.Operator))
	}
	if want := []string{"partition.paused operator=true", "partition.resumed operator=true"}; !slices.Equal(ops, want) {
		t.Errorf("events %v, want %v", ops, want)
	}
	close(msgs)
	waitReturned(t, returned)
	c.end(t)
}

func recordOf(i int) *client.Record {
	return &client.Record{Topic: "in", Partition: 0, Offset: int64(i), Value: fmt.Appendf(nil, `{"id":%d}`, i)}
}

// gatedRoute's controller says on started which id it starts, and holds id
// 0 until release is closed.
func gatedRoute(started chan<- int64, release <-chan struct{}) *topology.Resolved {
	r := claimRoute(nil, "")
	r.Controller = func() controllers.Controller {
		return controllers.Func(func(c *controllers.Context) error {
			id, _ := c.Params.Int("id")
			started <- id
			if id == 0 {
				<-release
			}
			c.RespondWith(id)
			return nil
		})
	}
	return r
}

// A pause lets the message under way finish and commit, and starts none of
// those already handed to the partition's actor until resumed.
func TestOperator_pauseStartsNoQueuedMessage(t *testing.T) {
	s := &heldSender{auto: true}
	started, release := make(chan int64, 10), make(chan struct{})
	c := newClaimTest(t, s, gatedRoute(started, release), testConsumerConfig())
	msgs, returned := c.consume(t, 5)
	if id := <-started; id != 0 {
		t.Fatalf("started %d first", id)
	}
	rt := runtimeOf(c)
	if err := rt.PausePartition("in", 0); err != nil {
		t.Fatal(err)
	}
	close(release)
	c.waitMarked(t, 1)
	time.Sleep(50 * time.Millisecond)
	if len(started) != 0 {
		t.Fatalf("started id %d while paused", <-started)
	}
	if err := rt.ResumePartition("in", 0); err != nil {
		t.Fatal(err)
	}
	c.waitMarked(t, 5)
	if got := s.sent(); !slices.Equal(got, []string{"out:0", "out:1", "out:2", "out:3", "out:4"}) {
		t.Fatalf("sent %v, want each message once, in order", got)
	}
	close(msgs)
	waitReturned(t, returned)
	c.end(t)
}

// Backpressure's resume does not end an operator's pause.
func TestOperator_pauseSurvivesBackpressure(t *testing.T) {
	s := &heldSender{}
	cfg := testConsumerConfig()
	cfg.MaxInFlight, cfg.BatchSize = 2, 2
	c := newClaimTest(t, s, claimRoute(nil, ""), cfg)
	msgs, returned := c.consume(t, 6)
	s.waitSends(t, 2)
	waitFor(t, "backpressure's pause", func() bool { return len(c.pauser.recorded()) == 1 })
	rt := runtimeOf(c)
	if err := rt.PausePartition("in", 0); err != nil {
		t.Fatal(err)
	}
	s.ack(0)
	s.ack(1)
	c.waitMarked(t, 2)
	time.Sleep(50 * time.Millisecond)
	if got := c.pauser.recorded(); !slices.Equal(got, []string{"pause in/0"}) {
		t.Fatalf("client calls %v: backpressure's resume undid the operator's pause", got)
	}
	if n := len(s.sent()); n != 2 {
		t.Fatalf("%d messages taken while paused by an operator, want 2", n)
	}
	if err := rt.ResumePartition("in", 0); err != nil {
		t.Fatal(err)
	}
	for i := 2; i < 6; i++ {
		waitFor(t, fmt.Sprintf("send %d", i), func() bool { return len(s.sent()) > i })
		s.ack(i)
	}
	c.waitMarked(t, 6)
	close(msgs)
	waitReturned(t, returned)
	c.end(t)
}

// A revoked partition loses its pause: what it holds drains.
func TestOperator_revokeEndsThePause(t *testing.T) {
	s := &heldSender{auto: true}
	started, release := make(chan int64, 10), make(chan struct{})
	c := newClaimTest(t, s, gatedRoute(started, release), testConsumerConfig())
	_, returned := c.consume(t, 3)
	<-started
	rt := runtimeOf(c)
	if err := rt.PausePartition("in", 0); err != nil {
		t.Fatal(err)
	}
	c.cancel()
	close(release)
	waitReturned(t, returned)
	if last := c.sess.last(); last != 3 {
		t.Fatalf("marked up to %d, want 3: a revoked partition drains what it holds", last)
	}
	if err := rt.ResumePartition("in", 0); !errors.Is(err, ErrNotHeld) {
		t.Fatalf("resume after the revoke: %v, want ErrNotHeld", err)
	}
	c.end(t)
}

func TestOperator_notHeld(t *testing.T) {
	c := newClaimTest(t, &heldSender{auto: true}, claimRoute(nil, ""), testConsumerConfig())
	rt := runtimeOf(c)
	for name, err := range map[string]error{
		"pause":  rt.PausePartition("in", 0),
		"resume": rt.ResumePartition("in", 0),
		"skip":   rt.SkipRecord("in", 0, 0, "why"),
	} {
		if !errors.Is(err, ErrNotHeld) {
			t.Errorf("%s: %v, want ErrNotHeld", name, err)
		}
	}
	if err := rt.SkipRecord("in", 0, 0, "  "); !errors.Is(err, ErrNoReason) {
		t.Errorf("skip without a reason: %v, want ErrNoReason", err)
	}
}

// A skip cuts a retry's backoff short: the record is dead-lettered at once
// with the operator's headers, and the partition goes on.
func TestOperator_skipRetryingRecordDeadLetters(t *testing.T) {
	s := &heldSender{auto: true}
	c := newClaimTest(t, s, slowRetries(claimRoute(func(id int64) bool { return id == 1 }, "dlq"), 10), testConsumerConfig())
	msgs, returned := c.consume(t, 3)
	c.failedAt(t, 1)
	rt := runtimeOf(c)
	if err := rt.SkipRecord("in", 0, 0, "wrong one"); !errors.Is(err, ErrNotFailing) || !strings.Contains(err.Error(), "partition 0 is failing on offset 1") {
		t.Fatalf("skip of offset 0: %v, want ErrNotFailing naming offset 1", err)
	}
	start := time.Now()
	if err := rt.SkipRecord("in", 0, 1, "bad customer id"); err != nil {
		t.Fatal(err)
	}
	c.waitMarked(t, 3)
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("skip took %v", el)
	}
	dls := deadLetters(s)
	if len(dls) != 1 {
		t.Fatalf("dead letters %v, want 1", dls)
	}
	want := map[string]string{"value": `{"id":1}`, pipeline.HeaderOriginOffset: "1", pipeline.HeaderStage: OperatorStage, pipeline.HeaderAttempts: "1",
		pipeline.HeaderError: "skipped by an operator: bad customer id (last error: " + errBoom.Error() + ")"}
	for k, v := range want {
		if dls[0][k] != v {
			t.Errorf("dead letter %s = %q, want %q", k, dls[0][k], v)
		}
	}
	if got := slices.DeleteFunc(s.sent(), func(x string) bool { return strings.HasPrefix(x, "dlq:") }); !slices.Equal(got, []string{"out:0", "out:2"}) {
		t.Errorf("responses %v, want out:0 and out:2", got)
	}
	if evs := c.eventsOf(events.MessageDeadLettered); len(evs) != 1 || !evs[0].Operator || evs[0].Stage != OperatorStage {
		t.Errorf("dead-letter events %+v, want one by an operator", evs)
	}
	if err := rt.SkipRecord("in", 0, 1, "again"); !errors.Is(err, ErrNotFailing) || !strings.Contains(err.Error(), "partition 0 is not failing") {
		t.Errorf("second skip: %v, want ErrNotFailing saying the partition is not failing", err)
	}
	close(msgs)
	waitReturned(t, returned)
	c.end(t)
}

// A skip cuts an outage's wait short.
func TestOperator_skipDuringAnOutage(t *testing.T) {
	s := &heldSender{auto: true}
	r := slowRetries(claimRoute(nil, "dlq"), 10)
	r.Controller = func() controllers.Controller {
		return controllers.Func(func(c *controllers.Context) error {
			id, _ := c.Params.Int("id")
			if id == 1 {
				return supervision.Outage(errors.New("database down"))
			}
			c.RespondWith(id)
			return nil
		})
	}
	c := newClaimTest(t, s, r, testConsumerConfig())
	msgs, returned := c.consume(t, 3)
	c.failedAt(t, 1)
	if err := runtimeOf(c).SkipRecord("in", 0, 1, "not worth waiting"); err != nil {
		t.Fatal(err)
	}
	c.waitMarked(t, 3)
	dls := deadLetters(s)
	if len(dls) != 1 || dls[0][pipeline.HeaderAttempts] != "0" ||
		!strings.Contains(dls[0][pipeline.HeaderError], "not worth waiting (last error: database down)") {
		t.Fatalf("dead letters %v, want offset 1's, with 0 attempts and the outage", dls)
	}
	close(msgs)
	waitReturned(t, returned)
	c.end(t)
}

// Without a dead letter topic, a blocked record skipped is finished
// unprocessed: its offset is committed.
func TestOperator_skipWithoutDeadLetterTopic(t *testing.T) {
	s := &heldSender{auto: true}
	r := claimRoute(func(id int64) bool { return id == 1 }, "")
	r.RetryPolicy.Attempts = 1
	r.RetryPolicy.Backoff = supervision.Backoff{Initial: time.Hour, Max: time.Hour, Multiplier: 1}
	c := newClaimTest(t, s, r, testConsumerConfig())
	msgs, returned := c.consume(t, 3)
	waitFor(t, "blocked", func() bool { return len(c.eventsOf(events.MessageBlocked)) > 0 })
	if err := runtimeOf(c).SkipRecord("in", 0, 1, "known bad"); err != nil {
		t.Fatal(err)
	}
	c.waitMarked(t, 3)
	if got := s.sent(); !slices.Equal(got, []string{"out:0", "out:2"}) {
		t.Fatalf("sent %v, want out:0 and out:2 and nothing for the skipped record", got)
	}
	var skipped []int64
	for _, e := range c.eventsOf(events.MessageProcessed) {
		if e.Outcome == events.OutcomeSkipped {
			skipped = append(skipped, e.Offset)
		}
	}
	if !slices.Equal(skipped, []int64{1}) {
		t.Errorf("skipped outcomes at %v, want [1]", skipped)
	}
	close(msgs)
	waitReturned(t, returned)
	if got := c.end(t); got != 3 {
		t.Errorf("committed %d, want 3", got)
	}
}

// A skip asked while a try of the record runs waits for the try: skipped
// if it fails, void if it succeeds.
func TestOperator_skipDuringATry(t *testing.T) {
	for _, tc := range []struct {
		name     string
		succeeds bool
	}{{"try fails", false}, {"try succeeds", true}} {
		t.Run(tc.name, func(t *testing.T) {
			s := &heldSender{auto: true}
			var mu sync.Mutex
			tries := 0
			trying, finish := make(chan struct{}), make(chan struct{})
			r := claimRoute(nil, "dlq")
			r.RetryPolicy = supervision.RetryPolicy{Attempts: 10, Backoff: supervision.Backoff{Initial: time.Millisecond, Max: time.Millisecond, Multiplier: 1}}
			r.Controller = func() controllers.Controller {
				return controllers.Func(func(c *controllers.Context) error {
					id, _ := c.Params.Int("id")
					if id == 1 {
						mu.Lock()
						tries++
						n := tries
						mu.Unlock()
						if n == 1 {
							return errBoom
						}
						if n == 2 {
							close(trying)
							<-finish
							if !tc.succeeds {
								return errBoom
							}
						}
					}
					c.RespondWith(id)
					return nil
				})
			}
			c := newClaimTest(t, s, r, testConsumerConfig())
			msgs, returned := c.consume(t, 3)
			<-trying
			errc := make(chan error, 1)
			go func() { errc <- runtimeOf(c).SkipRecord("in", 0, 1, "operator") }()
			select {
			case err := <-errc:
				t.Fatalf("skip returned %v while the record's try runs", err)
			case <-time.After(50 * time.Millisecond):
			}
			close(finish)
			err := <-errc
			c.waitMarked(t, 3)
			sent := s.sent()
			if tc.succeeds {
				if !errors.Is(err, ErrNotFailing) || !slices.Contains(sent, "out:1") || len(deadLetters(s)) != 0 {
					t.Fatalf("skip: %v, sent %v; want ErrNotFailing and the record answered", err, sent)
				}
			} else {
				mu.Lock()
				n := tries
				mu.Unlock()
				if err != nil || slices.Contains(sent, "out:1") || len(deadLetters(s)) != 1 || n != 2 {
					t.Fatalf("skip: %v, sent %v, %d tries; want the record skipped after its second try", err, sent, n)
				}
			}
			close(msgs)
			waitReturned(t, returned)
			c.end(t)
		})
	}
}

// A batch route's record can be skipped once its batch's tries isolated
// it; while the failing span holds more, the skip says so.
func TestOperator_skipInABatchRoute(t *testing.T) {
	s := &heldSender{auto: true}
	tries, next := make(chan []int64), make(chan struct{})
	r := batchClaimRoute(&batchRecorder{}, 4, false, func(ids []int64, _ int) bool {
		tries <- ids
		<-next
		return slices.Contains(ids, 2)
	}, "dlq")
	c := newClaimTest(t, s, r, testConsumerConfig())
	msgs, returned := c.consume(t, 4)
	rt := runtimeOf(c)
	try := func(want ...int64) {
		t.Helper()
		if ids := <-tries; !slices.Equal(ids, want) {
			t.Fatalf("tried %v, want %v", ids, want)
		}
	}
	try(0, 1, 2, 3)
	next <- struct{}{} // fails, retried whole
	try(0, 1, 2, 3)
	for _, off := range []int64{0, 2} {
		if err := rt.SkipRecord("in", 0, off, "which one?"); !errors.Is(err, ErrNotFailing) ||
			!strings.Contains(err.Error(), "partition 0 is failing on a batch of 4 records from offset 0") {
			t.Fatalf("skip of %d in a failing batch of 4: %v, want ErrNotFailing naming the batch", off, err)
		}
	}
	next <- struct{}{} // fails again: split
	try(0, 1)
	next <- struct{}{}
	try(2, 3)
	next <- struct{}{} // fails: split, {2} next
	try(2)
	errc := make(chan error, 1)
	go func() { errc <- rt.SkipRecord("in", 0, 2, "poison") }()
	time.Sleep(50 * time.Millisecond) // the skip waits for the try
	next <- struct{}{}                // fails: skipped instead of tried again
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	try(3)
	next <- struct{}{}
	c.waitMarked(t, 4)
	dls := deadLetters(s)
	if len(dls) != 1 || dls[0][pipeline.HeaderOriginOffset] != "2" || dls[0][pipeline.HeaderStage] != OperatorStage ||
		!strings.HasPrefix(dls[0][pipeline.HeaderError], "skipped by an operator: poison (last error: ") {
		t.Fatalf("dead letters %v, want offset 2's, skipped by an operator", dls)
	}
	close(msgs)
	waitReturned(t, returned)
	c.end(t)
}

// Each virtual partition's failing record can be skipped; the others wait.
func TestOperator_skipInVirtualPartitions(t *testing.T) {
	s := &heldSender{auto: true}
	keys := apart(4, "a", "b")
	r := slowRetries(virtualRoute(4, nil, "dlq", func(_ *controllers.Context, id int64, _ string) error {
		if id < 2 {
			return errBoom
		}
		return nil
	}), 10)
	c := newClaimTest(t, s, r, testConsumerConfig())
	msgs, returned := c.consumeKeyed(t, []string{keys["a"], keys["b"], keys["a"], keys["b"]})
	c.failedAt(t, 0)
	c.failedAt(t, 1)
	rt := runtimeOf(c)
	if err := rt.SkipRecord("in", 0, 2, "x"); !errors.Is(err, ErrNotFailing) || !strings.Contains(err.Error(), "partition 0 is failing on offsets 0, 1") {
		t.Fatalf("skip of 2: %v, want ErrNotFailing naming offsets 0 and 1", err)
	}
	if err := rt.SkipRecord("in", 0, 1, "b's"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b's next answered", func() bool { return slices.Contains(s.sent(), "out:"+keys["b"]+":3") })
	if last := c.sess.last(); last > 0 {
		t.Fatalf("marked up to %d while offset 0 fails", last)
	}
	if err := rt.SkipRecord("in", 0, 0, "a's"); err != nil {
		t.Fatal(err)
	}
	c.waitMarked(t, 4)
	if n := len(deadLetters(s)); n != 2 {
		t.Fatalf("%d dead letters, want 2", n)
	}
	close(msgs)
	waitReturned(t, returned)
	c.end(t)
}
