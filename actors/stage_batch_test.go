package actors

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/topology"
)

// batchRecorder is a batch route's controller side: it records the ids of
// each batch Consume got and how many controllers the route made.
type batchRecorder struct {
	mu      sync.Mutex
	batches [][]int64
	made    int
	tries   int
}

func (r *batchRecorder) seen() [][]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.batches)
}

func (r *batchRecorder) controllers() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.made
}

// batchClaimRoute is claimRoute's batch twin: a batch of {"id": N} answers
// each N on "out" and, with perBatch, "batch-of-<size>" once per batch. A
// batch fails when fails says so of its ids and its try number (from 1).
func batchClaimRoute(rec *batchRecorder, size int, perBatch bool, fails func(ids []int64, try int) bool, deadLetter string) *topology.Resolved {
	r := claimRoute(nil, deadLetter)
	r.Controller = nil
	r.BatchSize = size
	r.BatchController = func() controllers.BatchController {
		rec.mu.Lock()
		rec.made++
		rec.mu.Unlock()
		return controllers.BatchFunc(func(c *controllers.BatchContext) error {
			ids := make([]int64, c.Len())
			for i, m := range c.Messages {
				id, ok := m.Int("id")
				if !ok {
					id = -1 // malformed: the runtime dead-letters it whatever Consume does
				}
				ids[i] = id
			}
			rec.mu.Lock()
			rec.batches = append(rec.batches, ids)
			rec.tries++
			try := rec.tries
			rec.mu.Unlock()
			if fails != nil && fails(ids, try) {
				return errBoom
			}
			for i, id := range ids {
				c.RespondTo(i, id)
			}
			if perBatch {
				c.RespondWith(fmt.Sprintf("batch-of-%d", c.Len()))
			}
			return nil
		})
	}
	r.Responder = func() responders.Responder {
		return responders.Func([]responders.Topic{responders.Required("out")}, func(out *responders.Output, args ...any) error {
			out.RespondTo("out", fmt.Sprint(args[0]))
			return nil
		})
	}
	return r
}

func containing(id int64) func([]int64, int) bool {
	return func(ids []int64, _ int) bool { return slices.Contains(ids, id) }
}

func TestBatchStage_answersBatchesInOrderWithTheBatchResponseOnTheFirstMessage(t *testing.T) {
	s := &heldSender{}
	rec := &batchRecorder{}
	c := newClaimTest(t, s, batchClaimRoute(rec, 3, true, nil, ""), testConsumerConfig())
	msgs, returned := c.consume(t, 5)
	got := s.waitSends(t, 7)
	want := []string{"out:0", "out:batch-of-3", "out:1", "out:2", "out:3", "out:batch-of-2", "out:4"}
	if !slices.Equal(got, want) {
		t.Fatalf("sent %v, want %v", got, want)
	}
	if b := rec.seen(); !slices.EqualFunc(b, [][]int64{{0, 1, 2}, {3, 4}}, slices.Equal) {
		t.Fatalf("batches %v, want [[0 1 2] [3 4]]", b)
	}
	for i := range got {
		if i != 1 {
			s.ack(i)
		}
	}
	time.Sleep(20 * time.Millisecond)
	if m := c.sess.marked(); len(m) != 0 {
		t.Fatalf("marked %v while the first batch's per-batch response is unacknowledged", m)
	}
	s.ack(1)
	c.waitMarked(t, 5)
	if m := c.sess.marked(); !increasing(m) {
		t.Fatalf("marks %v not increasing", m)
	}
	close(msgs)
	waitReturned(t, returned)
	if got := c.end(t); got != 5 {
		t.Errorf("committed %d, want 5", got)
	}
}

// A failed batch restarts the actor, which tries the same batch again with a
// new controller after the backoff.
func TestBatchStage_retriesAFailedBatchAfterARestart(t *testing.T) {
	s := &heldSender{auto: true}
	rec := &batchRecorder{}
	route := batchClaimRoute(rec, 10, false, func(_ []int64, try int) bool { return try == 1 }, "dlq")
	route.RetryPolicy.Attempts = 3
	c := newClaimTest(t, s, route, testConsumerConfig())
	msgs, returned := c.consume(t, 3)
	c.waitMarked(t, 3)
	close(msgs)
	waitReturned(t, returned)

	if b := rec.seen(); !slices.EqualFunc(b, [][]int64{{0, 1, 2}, {0, 1, 2}}, slices.Equal) {
		t.Fatalf("batches %v, want [0 1 2] twice", b)
	}
	if got, want := s.sent(), []string{"out:0", "out:1", "out:2"}; !slices.Equal(got, want) {
		t.Fatalf("sent %v, want %v", got, want)
	}
	if n := rec.controllers(); n != 2 {
		t.Errorf("%d batch controllers made, want 2: one per incarnation", n)
	}
	if n := len(c.eventsOf(events.ActorRestarted)); n != 1 {
		t.Errorf("%d ActorRestarted events, want 1", n)
	}
	failed := c.eventsOf(events.MessageFailed)
	var perr *ProcessingError
	if len(failed) != 1 || failed[0].Offset != 0 || failed[0].Attempt != 1 || !errors.As(failed[0].Err, &perr) || perr.Messages != 3 {
		t.Errorf("MessageFailed events %+v, want one for offset 0, attempt 1, 3 messages", failed)
	}
	if r := c.eventsOf(events.MessageRetried); len(r) != 1 || r[0].Offset != 0 || r[0].Attempt != 2 {
		t.Errorf("MessageRetried events %+v, want one for offset 0, attempt 2", r)
	}
	if got := c.end(t); got != 3 {
		t.Errorf("committed %d, want 3", got)
	}
}

// A poison message costs only itself: the batch is retried, split, and the
// poison message alone is dead-lettered, the rest answered in order.
func TestBatchStage_isolatesAndDeadLettersAPoisonMessage(t *testing.T) {
	s := &heldSender{auto: true}
	rec := &batchRecorder{}
	c := newClaimTest(t, s, batchClaimRoute(rec, 4, false, containing(2), "dlq"), testConsumerConfig())
	msgs, returned := c.consume(t, 4)
	c.waitMarked(t, 4)
	close(msgs)
	waitReturned(t, returned)

	want := [][]int64{{0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1}, {2, 3}, {2}, {2}, {3}}
	if b := rec.seen(); !slices.EqualFunc(b, want, slices.Equal) {
		t.Fatalf("batches %v, want %v", b, want)
	}
	if got, want := s.sent(), []string{"out:0", "out:1", `dlq:{"id":2}`, "out:3"}; !slices.Equal(got, want) {
		t.Fatalf("sent %v, want %v", got, want)
	}
	s.mu.Lock()
	dl := s.sends[2].msg
	s.mu.Unlock()
	headers := map[string]string{}
	for _, h := range dl.Headers {
		headers[h.Key] = string(h.Value)
	}
	for k, want := range map[string]string{pipeline.HeaderOriginOffset: "2", pipeline.HeaderAttempts: "2", pipeline.HeaderStage: "controller"} {
		if headers[k] != want {
			t.Errorf("dead letter header %s = %q, want %q", k, headers[k], want)
		}
	}
	type failure struct {
		offset   int64
		attempt  int
		messages int
	}
	var failures []failure
	for _, e := range c.eventsOf(events.MessageFailed) {
		var perr *ProcessingError
		if !errors.As(e.Err, &perr) {
			t.Fatalf("MessageFailed error %v is not a *ProcessingError", e.Err)
		}
		failures = append(failures, failure{e.Offset, e.Attempt, perr.Messages})
	}
	if want := []failure{{0, 1, 4}, {0, 2, 4}, {2, 1, 2}, {2, 1, 0}, {2, 2, 0}}; !slices.Equal(failures, want) {
		t.Errorf("failures (offset, attempt, messages) %v, want %v", failures, want)
	}
	if dls := c.eventsOf(events.MessageDeadLettered); len(dls) != 1 || dls[0].Offset != 2 {
		t.Errorf("MessageDeadLettered events %+v, want one for offset 2", dls)
	}
	if n := len(c.eventsOf(events.ActorRestarted)); n != 4 {
		t.Errorf("%d ActorRestarted events, want 4 (retry, split, split, retry)", n)
	}
	if got := c.end(t); got != 4 {
		t.Errorf("committed %d, want 4", got)
	}
}

// A payload the parser rejects is dead-lettered on its own; with no dead
// letter topic it blocks the partition at its offset, like a poison message.
func TestBatchStage_malformedPayload(t *testing.T) {
	cases := []struct {
		name       string
		deadLetter string
		wantSent   []string
		wantMark   int64
	}{
		{"dead-lettered", "dlq", []string{"out:0", `dlq:{"id":`, "out:2"}, 3},
		{"blocks without a dead letter topic", "", []string{"out:0"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &heldSender{auto: true}
			rec := &batchRecorder{}
			route := batchClaimRoute(rec, 10, false, nil, tc.deadLetter)
			cfg := testConsumerConfig()
			cfg.DrainTimeout = 20 * time.Millisecond // a blocked partition is handed back undone
			c := newClaimTest(t, s, route, cfg)
			msgs, returned := c.consume(t, 0)
			for i, v := range []string{`{"id":0}`, `{"id":`, `{"id":2}`} {
				msgs <- &client.Record{Topic: "in", Partition: 0, Offset: int64(i), Value: []byte(v)}
			}
			c.waitMarked(t, tc.wantMark)
			if tc.deadLetter == "" {
				waitFor(t, "two MessageBlocked events", func() bool { return len(c.eventsOf(events.MessageBlocked)) >= 2 })
				if b := c.eventsOf(events.MessageBlocked); b[0].Offset != 1 {
					t.Errorf("MessageBlocked for offset %d, want 1", b[0].Offset)
				}
			}
			if got := s.sent(); !slices.Equal(got, tc.wantSent) {
				t.Errorf("sent %v, want %v", got, tc.wantSent)
			}
			if last := c.sess.last(); last != tc.wantMark {
				t.Errorf("marked up to %d, want %d", last, tc.wantMark)
			}
			c.cancel()
			close(msgs)
			waitReturned(t, returned)
		})
	}
}
