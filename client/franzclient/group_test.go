package franzclient_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/client/franzclient"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
)

func TestFactory_Name(t *testing.T) {
	if got := franzclient.New().Name(); got != "franz" {
		t.Fatalf("Name() = %q, want franz", got)
	}
}

func TestFactory_NewGroupChecksConfig(t *testing.T) {
	ok := config([]string{"127.0.0.1:1"}, "g", "t")
	for _, tc := range []struct {
		key string
		mod func(*client.GroupConfig)
	}{
		{"group", func(c *client.GroupConfig) { c.Group = "" }},
		{"topics", func(c *client.GroupConfig) { c.Topics = nil }},
		{"consumer.heartbeat_interval", func(c *client.GroupConfig) { c.HeartbeatInterval = c.SessionTimeout }},
		{"consumer.fetch_bytes", func(c *client.GroupConfig) { c.FetchBytes = -1 }},
		{"brokers", func(c *client.GroupConfig) { c.Kafka.Brokers = nil }},
	} {
		cfg := ok
		tc.mod(&cfg)
		_, err := franzclient.New().NewGroup(cfg)
		if !errors.Is(err, kafka.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: NewGroup() error = %v, want ErrInvalidConfig naming %s", tc.key, err, tc.key)
		}
	}
	g, err := franzclient.New().NewGroup(ok)
	if err != nil {
		t.Fatalf("NewGroup(valid) = %v", err)
	}
	// It does not connect: closing at once is fine, and Consume is then refused.
	if err := g.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// Records of two partitions arrive in partition order with every field.
func TestGroup_recordsArriveInOrder(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "order")
	testkafka.CreateTopics(t, brokers, 2, topic)
	before := time.Now().Add(-time.Minute)
	produce(t, brokers, topic, 0, 0, 30)
	produce(t, brokers, topic, 1, 100, 30)

	g := newGroup(t, config(brokers, testkafka.Name(t, "g"), topic))
	h := newHandler("a", nil)
	ctx, cancel := context.WithCancel(t.Context())
	errs := consume(ctx, g, h)
	eventually(t, 20*time.Second, func() bool { return h.count() >= 60 }, "got %d records, want 60", h.count())
	cancel()
	stopped(t, errs)

	recs := h.records()
	if len(recs) != 60 {
		t.Fatalf("got %d records, want 60", len(recs))
	}
	next := map[int32]int64{}
	for _, r := range recs {
		if r.Topic != topic {
			t.Fatalf("record of topic %q, want %q", r.Topic, topic)
		}
		if r.Offset != next[r.Partition] {
			t.Fatalf("partition %d: offset %d, want %d (out of order or duplicated)", r.Partition, r.Offset, next[r.Partition])
		}
		next[r.Partition]++
		k := int(r.Offset) + 100*int(r.Partition)
		if string(r.Key) != fmt.Sprintf("k%d", k) || string(r.Value) != fmt.Sprintf("v%d", k) {
			t.Fatalf("partition %d offset %d: key %q value %q, want k%d v%d", r.Partition, r.Offset, r.Key, r.Value, k, k)
		}
		if len(r.Headers) != 1 || r.Headers[0].Key != "h" || string(r.Headers[0].Value) != fmt.Sprint(k) {
			t.Fatalf("partition %d offset %d: headers %v", r.Partition, r.Offset, r.Headers)
		}
		if r.Timestamp.Before(before) || r.Timestamp.After(time.Now().Add(time.Minute)) {
			t.Fatalf("partition %d offset %d: timestamp %v", r.Partition, r.Offset, r.Timestamp)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for p, off := range h.initial {
		if off != -1 {
			t.Errorf("partition %d: InitialOffset %d without a commit, want -1", p, off)
		}
	}
	for _, c := range h.claims {
		if hwm := c.HighWaterMark(); hwm != 30 {
			t.Errorf("partition %d: HighWaterMark %d, want 30", c.Partition(), hwm)
		}
	}
	if h.setups < 1 || h.setups != h.cleanups {
		t.Errorf("%d setups, %d cleanups", h.setups, h.cleanups)
	}
}

// What Cleanup committed is where the next member of the group resumes.
func TestGroup_resumesAtCommittedMarks(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "resume")
	testkafka.CreateTopics(t, brokers, 1, topic)
	produce(t, brokers, topic, 0, 0, 10)
	cfg := config(brokers, testkafka.Name(t, "g"), topic)

	g1 := newGroup(t, cfg)
	h1 := newHandler("a", nil)
	h1.markBelow = 6 // offsets 0..5 are done: 6 is committed
	ctx, cancel := context.WithCancel(t.Context())
	errs := consume(ctx, g1, h1)
	eventually(t, 20*time.Second, func() bool { return h1.count() >= 10 }, "first member got %d records, want 10", h1.count())
	cancel()
	stopped(t, errs)
	if err := g1.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	produce(t, brokers, topic, 0, 10, 2)
	g2 := newGroup(t, cfg)
	h2 := newHandler("b", nil)
	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	errs = consume(ctx, g2, h2)
	eventually(t, 20*time.Second, func() bool { return h2.count() >= 6 }, "second member got %d records, want 6", h2.count())
	consistently(t, 500*time.Millisecond, func() bool { return h2.count() == 6 }, "second member got %d records, want 6", h2.count())
	for i, r := range h2.records() {
		if r.Offset != int64(6+i) {
			t.Fatalf("second member's record %d has offset %d, want %d", i, r.Offset, 6+i)
		}
	}
	h2.mu.Lock()
	initial := h2.initial[0]
	h2.mu.Unlock()
	if initial != 6 {
		t.Errorf("InitialOffset = %d, want the committed 6", initial)
	}
	noErrors(t, errs)
}

// A second member joining ends the first one's session (its Cleanup
// commits) before it gets partitions; with marks committed, every record
// is consumed once across both.
func TestGroup_rebalanceHandsOverCommitted(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "rebalance")
	const parts = 4
	testkafka.CreateTopics(t, brokers, parts, topic)
	for p := range int32(parts) {
		produce(t, brokers, topic, p, 0, 10)
	}
	cfg := config(brokers, testkafka.Name(t, "g"), topic)
	j := &journal{}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	ga := newGroup(t, cfg)
	ha := newHandler("a", j)
	ha.drain = 500 * time.Millisecond // the rebalance must wait for it
	errsA := consume(ctx, ga, ha)
	eventually(t, 20*time.Second, func() bool { return ha.count() >= 40 }, "a got %d records, want 40", ha.count())

	gb := newGroup(t, cfg)
	hb := newHandler("b", j)
	errsB := consume(ctx, gb, hb)
	eventually(t, 30*time.Second, func() bool { return j.index("b:claim") >= 0 }, "b never got a partition: %v", j)
	if cleanup, claim := j.index("a:cleanup"), j.index("b:claim"); cleanup < 0 || cleanup > claim {
		t.Fatalf("b got a partition before a's session ended: %v", j)
	}
	for p := range int32(parts) {
		produce(t, brokers, topic, p, 10, 10)
	}
	eventually(t, 20*time.Second, func() bool { return ha.count()+hb.count() >= 80 }, "got %d+%d records, want 80", ha.count(), hb.count())
	consistently(t, time.Second, func() bool { return ha.count()+hb.count() == 80 }, "got %d+%d records, want 80", ha.count(), hb.count())
	seen := map[string]string{}
	for _, h := range []*handler{ha, hb} {
		for _, r := range h.records() {
			k := fmt.Sprintf("%d/%d", r.Partition, r.Offset)
			if by, dup := seen[k]; dup {
				t.Fatalf("record %s consumed by %s and %s", k, by, h.name)
			}
			seen[k] = h.name
		}
	}
	if hb.count() == 0 {
		t.Errorf("b consumed nothing after the rebalance")
	}
	noErrors(t, errsA)
	noErrors(t, errsB)
}

// A member shut down the way the runtime does it (CutJoin in its
// session, the session ended, Cut a few seconds on, Close) leaves the
// group: the other member gets its partitions at once, not after the
// session timeout (10s here).
func TestGroup_gracefulShutdownLeavesTheGroup(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "leave")
	testkafka.CreateTopics(t, brokers, 2, topic)
	cfg := config(brokers, testkafka.Name(t, "g"), topic)
	j := &journal{}
	ctxA, cancelA := context.WithCancel(t.Context())
	defer cancelA()
	ctxB, cancelB := context.WithCancel(t.Context())
	defer cancelB()
	ga := newGroup(t, cfg)
	errsA := consume(ctxA, ga, newHandler("a", j))
	eventually(t, 20*time.Second, func() bool { return j.index("a:claim") >= 0 }, "a never got a partition: %v", j)
	gb := newGroup(t, cfg)
	hb := newHandler("b", j)
	errsB := consume(ctxB, gb, hb)
	eventually(t, 30*time.Second, func() bool { return j.index("b:claim") >= 0 }, "b never got a partition: %v", j)
	before := hb.claimCount()

	ga.CutJoin(time.Now()) // in a session: nothing to cut
	cancelA()
	stopped(t, errsA)
	ga.Cut(time.Now().Add(5 * time.Second))
	start := time.Now()
	if err := ga.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	eventually(t, 8*time.Second, func() bool { return hb.claimCount() >= before+2 },
		"b did not get both partitions within 8s of a's Close (session timeout 10s): %v", j)
	t.Logf("b had both partitions %v after a's Close", time.Since(start).Round(time.Millisecond))
	noErrors(t, errsB)
}

// Pause stops delivering a partition; Resume delivers it again.
func TestGroup_pauseResume(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "pause")
	testkafka.CreateTopics(t, brokers, 1, topic)
	produce(t, brokers, topic, 0, 0, 5)
	g := newGroup(t, config(brokers, testkafka.Name(t, "g"), topic))
	h := newHandler("a", nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	errs := consume(ctx, g, h)
	eventually(t, 20*time.Second, func() bool { return h.count() >= 5 }, "got %d records, want 5", h.count())

	g.Pause(topic, 0)
	produce(t, brokers, topic, 0, 5, 5)
	consistently(t, 1500*time.Millisecond, func() bool { return h.count() == 5 }, "got %d records while paused, want 5", h.count())
	g.Resume(topic, 0)
	eventually(t, 10*time.Second, func() bool { return h.count() >= 10 }, "got %d records after Resume, want 10", h.count())
	for i, r := range h.records() {
		if r.Offset != int64(i) {
			t.Fatalf("record %d has offset %d", i, r.Offset)
		}
	}
	noErrors(t, errs)
}

// A claim holds about Buffer records: the rest waits in Kafka (its
// partition is paused) and comes, in order, as the claim is drained.
func TestGroup_boundedClaim(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "bounded")
	testkafka.CreateTopics(t, brokers, 1, topic)
	produce(t, brokers, topic, 0, 0, 500)
	cfg := config(brokers, testkafka.Name(t, "g"), topic)
	cfg.Buffer = 20
	cfg.FetchBytes = 1 << 10 // small fetches, so that the buffer matters
	g := newGroup(t, cfg)
	h := newHandler("a", nil)
	h.block = make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	errs := consume(ctx, g, h)
	eventually(t, 20*time.Second, func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.claims) == 1
	}, "no claim")
	close(h.block)
	eventually(t, 30*time.Second, func() bool { return h.count() >= 500 }, "got %d records, want 500", h.count())
	for i, r := range h.records() {
		if r.Offset != int64(i) {
			t.Fatalf("record %d has offset %d", i, r.Offset)
		}
	}
	noErrors(t, errs)
}

// A missing topic fails Consume with UNKNOWN_TOPIC_OR_PARTITION, and
// Missing names it.
func TestGroup_missingTopic(t *testing.T) {
	brokers := testkafka.Brokers(t)
	present, absent := testkafka.Name(t, "present"), testkafka.Name(t, "absent")
	testkafka.CreateTopics(t, brokers, 1, present)
	g := newGroup(t, config(brokers, testkafka.Name(t, "g"), present, absent))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	err := g.Consume(ctx, newHandler("a", nil))
	if !errors.Is(err, client.ErrUnknownTopicOrPartition) {
		t.Fatalf("Consume() = %v, want ErrUnknownTopicOrPartition", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Consume took %v to say so", d)
	}
	if got := g.Missing(); !slices.Equal(got, []string{absent}) {
		t.Errorf("Missing() = %v, want [%s]", got, absent)
	}

	// Once the topic exists, the member joins.
	testkafka.CreateTopics(t, brokers, 1, absent)
	produce(t, brokers, absent, 0, 0, 1)
	h := newHandler("a", nil)
	errs := consume(ctx, g, h)
	eventually(t, 10*time.Second, func() bool { return h.count() == 1 }, "got %d records of the created topic", h.count())
	if got := g.Missing(); got != nil {
		t.Errorf("Missing() = %v once consuming", got)
	}
	cancel()
	stopped(t, errs)
}

// Cancelling Consume while its join is held by the coordinator returns at
// once with the cause, and Close after CutJoin does not wait for the join.
func TestGroup_cancelDuringHeldJoin(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "held")
	testkafka.CreateTopics(t, brokers, 1, topic)
	produce(t, brokers, topic, 0, 0, 1)
	cfg := config(brokers, testkafka.Name(t, "g"), topic)
	cfg.RebalanceTimeout = 30 * time.Second

	// a never lets its claim go: the rebalance b's join starts waits for
	// a's Cleanup, so the coordinator holds b's join.
	ga := newGroup(t, cfg)
	ha := newHandler("a", nil)
	ha.block = make(chan struct{})
	actx, acancel := context.WithCancel(t.Context())
	errsA := consume(actx, ga, ha)
	eventually(t, 20*time.Second, func() bool {
		ha.mu.Lock()
		defer ha.mu.Unlock()
		return len(ha.claims) == 1
	}, "a got no claim")

	gb, err := franzclient.New().NewGroup(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	bctx, bcancel := context.WithCancelCause(t.Context())
	done := make(chan error, 1)
	go func() { done <- gb.Consume(bctx, newHandler("b", nil)) }()
	time.Sleep(time.Second) // let b's join reach the coordinator (not an assertion)
	cancelled := time.Now()
	bcancel(stop)
	select {
	case err := <-done:
		if !errors.Is(err, stop) {
			t.Errorf("Consume() = %v, want the cause %v", err, stop)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Consume did not return after its context was cancelled")
	}
	gb.CutJoin(time.Now())
	if err := gb.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if d := time.Since(cancelled); d > 3*time.Second {
		t.Errorf("cancel and Close took %v with a held join", d)
	}
	close(ha.block)
	acancel()
	stopped(t, errsA)
}

func TestGroup_closedRefusesConsume(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "closed")
	testkafka.CreateTopics(t, brokers, 1, topic)
	produce(t, brokers, topic, 0, 0, 1)
	g := newGroup(t, config(brokers, testkafka.Name(t, "g"), topic))
	h := newHandler("a", nil)
	ctx, cancel := context.WithCancel(t.Context())
	errs := consume(ctx, g, h)
	eventually(t, 20*time.Second, func() bool { return h.count() == 1 }, "got %d records", h.count())
	cancel()
	stopped(t, errs)
	if err := g.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := g.Consume(t.Context(), h); !errors.Is(err, client.ErrClosed) {
		t.Fatalf("Consume after Close = %v, want ErrClosed", err)
	}
	if err := g.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestGroup_unreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	g := newGroup(t, config([]string{addr}, "g", "t"))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	start := time.Now()
	err = g.Consume(ctx, newHandler("a", nil))
	if !errors.Is(err, client.ErrUnreachable) {
		t.Fatalf("Consume() = %v, want ErrUnreachable", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Consume took %v to give up", d)
	}
	// It tries again on the next Consume.
	if err := g.Consume(ctx, newHandler("a", nil)); !errors.Is(err, client.ErrUnreachable) {
		t.Fatalf("second Consume() = %v, want ErrUnreachable", err)
	}
}

// A join the broker refuses comes back from Consume with its code.
func TestGroup_refusedJoinCarriesCode(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "refused")
	testkafka.CreateTopics(t, brokers, 1, topic)
	cfg := config(brokers, testkafka.Name(t, "g"), topic)
	cfg.SessionTimeout = 3 * time.Second // below group.min.session.timeout.ms
	g := newGroup(t, cfg)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	err := g.Consume(ctx, newHandler("a", nil))
	if !errors.Is(err, client.ErrInvalidSessionTimeout) {
		t.Fatalf("Consume() = %v, want ErrInvalidSessionTimeout", err)
	}
}

// A topic deleted while it is consumed ends the session: Consume returns
// UNKNOWN_TOPIC_OR_PARTITION and Missing names the topic.
func TestGroup_topicDeleted(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "deleted")
	testkafka.CreateTopics(t, brokers, 1, topic)
	produce(t, brokers, topic, 0, 0, 1)
	g := newGroup(t, config(brokers, testkafka.Name(t, "g"), topic))
	h := newHandler("a", nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	errs := consume(ctx, g, h)
	eventually(t, 20*time.Second, func() bool { return h.count() == 1 }, "got %d records", h.count())

	deleteTopic(t, brokers, topic)
	select {
	case err := <-errs:
		if !errors.Is(err, client.ErrUnknownTopicOrPartition) {
			t.Fatalf("Consume() = %v, want ErrUnknownTopicOrPartition", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Consume went on after the topic was deleted")
	}
	if got := g.Missing(); !slices.Equal(got, []string{topic}) {
		t.Errorf("Missing() = %v, want [%s]", got, topic)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cleanups < 1 {
		t.Errorf("the session ended without Cleanup")
	}
}

func deleteTopic(t *testing.T, brokers []string, topic string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDeleteTopicsRequest()
	req.TopicNames = []string{topic}
	rt := kmsg.NewDeleteTopicsRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	req.TimeoutMillis = 30000
	resp, err := req.RequestWith(t.Context(), cl)
	if err != nil {
		t.Fatalf("delete topic %s: %v", topic, err)
	}
	for _, r := range resp.Topics {
		if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
			t.Fatalf("delete topic %s: %v", topic, err)
		}
	}
}

// A session ended by Consume's own context (the runtime does so after an
// aborted transaction) or by Setup's error is followed by one that starts
// again from the committed offsets, although the group did not rebalance.
func TestGroup_nextSessionRestartsFromCommitted(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "again")
	testkafka.CreateTopics(t, brokers, 1, topic)
	produce(t, brokers, topic, 0, 0, 10)
	g := newGroup(t, config(brokers, testkafka.Name(t, "g"), topic))

	h := newHandler("a", nil)
	h.markBelow = 4
	stop := errors.New("transaction aborted")
	ctx, cancel := context.WithCancelCause(t.Context())
	done := make(chan error, 1)
	go func() { done <- g.Consume(ctx, h) }()
	eventually(t, 20*time.Second, func() bool { return h.count() == 10 }, "got %d records, want 10", h.count())
	cancel(stop)
	if err := <-done; !errors.Is(err, stop) {
		t.Fatalf("Consume() = %v, want its context's cause", err)
	}

	// Setup fails: Consume returns its error, and the next one works.
	h2 := newHandler("b", nil)
	failed := errors.New("setup failed")
	h2.setupErr = failed
	ctx2, cancel2 := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel2()
	if err := g.Consume(ctx2, h2); !errors.Is(err, failed) {
		t.Fatalf("Consume() = %v, want Setup's error", err)
	}
	errs := consume(ctx2, g, h2)
	eventually(t, 20*time.Second, func() bool { return h2.count() >= 6 }, "got %d records after the restart, want 6", h2.count())
	for i, r := range h2.records() {
		if r.Offset != int64(4+i) {
			t.Fatalf("record %d after the restart has offset %d, want %d", i, r.Offset, 4+i)
		}
	}
	noErrors(t, errs)
}
