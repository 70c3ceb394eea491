package karafka_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// These tests drive the operator actions (App.PausePartition,
// ResumePartition, SkipRecord) on a broker.

// idsFrom returns records {"id": i} for i in [from, to), on partition 0.
func idsFrom(from, to int) []testkafka.Record {
	recs := make([]testkafka.Record, 0, to-from)
	for i := from; i < to; i++ {
		recs = append(recs, testkafka.Record{Value: fmt.Sprintf(`{"id": %d}`, i), Partition: 0, Explicit: true})
	}
	return recs
}

// startLogged is start with the app's log kept: logText returns it.
func startLogged(t *testing.T, cfg karafka.Config, routes ...karafka.Route) (r *running, logText func() string) {
	t.Helper()
	logger, logText := capturedLogger(t)
	app, err := karafka.New(cfg, karafka.WithLogger(logger), karafka.WithRoutes(routes...))
	if err != nil {
		t.Fatal(err)
	}
	return runApp(t, app), logText
}

// partitionState is the State of partition 0 of topic.
func partitionState(t *testing.T, app *karafka.App, topic string) karafka.PartitionState {
	t.Helper()
	for _, p := range app.State().Partitions {
		if p.Topic == topic && p.Partition == 0 {
			return p
		}
	}
	t.Fatalf("partition %s/0 not held", topic)
	return karafka.PartitionState{}
}

// consumedCount is the number of MessageConsumed events so far.
func consumedCount(r *running) int { return len(r.rec.of(events.MessageConsumed)) }

// Pausing stops consumption; resuming goes on where it stopped, with
// nothing lost or answered twice.
func TestApp_operatorPauseAndResume(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out)
	testkafka.Produce(t, brokers, in, idsFrom(0, 5)...)
	cfg := testConfig(t, brokers)
	r, logText := startLogged(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return idController() }, Responder: echo(out)})
	testkafka.Consume(t, brokers, out, 5, 30*time.Second)

	for range 2 { // idempotent
		if err := r.app.PausePartition(in, 0); err != nil {
			t.Fatalf("PausePartition: %v", err)
		}
	}
	if !partitionState(t, r.app, in).OperatorPaused {
		t.Fatal("State does not say the partition is paused by an operator")
	}
	testkafka.Produce(t, brokers, in, idsFrom(5, 10)...)
	time.Sleep(time.Second)
	if n := consumedCount(r); n != 5 {
		t.Fatalf("%d messages consumed while paused, want the 5 before the pause", n)
	}
	if got := testkafka.Consume(t, brokers, out, -1, time.Second); len(got) != 5 {
		t.Fatalf("%d responses while paused, want 5", len(got))
	}
	for range 2 {
		if err := r.app.ResumePartition(in, 0); err != nil {
			t.Fatalf("ResumePartition: %v", err)
		}
	}
	got := testkafka.Consume(t, brokers, out, 10, 30*time.Second)
	if ids := field(t, got, "id"); strings.Join(ids, ",") != "0,1,2,3,4,5,6,7,8,9" {
		t.Fatalf("responses %v, want 0..9 once each, in order", ids)
	}
	if partitionState(t, r.app, in).OperatorPaused {
		t.Error("State still says the partition is paused by an operator")
	}
	var ops []string
	for _, e := range append(r.rec.of(events.PartitionPaused), r.rec.of(events.PartitionResumed)...) {
		if e.Operator {
			ops = append(ops, e.Kind.String())
		}
	}
	if want := []string{"partition.paused", "partition.resumed"}; !slices.Equal(ops, want) {
		t.Errorf("operator events %v, want %v", ops, want)
	}
	for _, line := range []string{"partition paused by an operator", "partition resumed by an operator"} {
		if !strings.Contains(logText(), "level=INFO msg=\""+line+"\" topic="+in+" partition=0") {
			t.Errorf("no INFO line %q naming the partition in the log", line)
		}
	}
	r.shutdown(t)
	if c := testkafka.Committed(t, brokers, cfg.Name+"_"+in, in)[0]; c != 10 {
		t.Errorf("committed %d, want 10", c)
	}
}

// Backpressure's resume does not end an operator's pause: the messages
// fetched before it wait, unstarted, until the operator resumes.
func TestApp_operatorPauseSurvivesBackpressure(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out)
	testkafka.Produce(t, brokers, in, idsFrom(0, 10)...)
	cfg := testConfig(t, brokers)
	cfg.Consumer.MaxInFlight, cfg.Consumer.BatchSize = 2, 2
	started, release := make(chan int64, 20), make(chan struct{})
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		started <- id
		if id == 0 {
			<-release
		}
		c.RespondWith(id)
		return nil
	})
	r := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out)})
	if id := <-started; id != 0 {
		t.Fatalf("started %d first", id)
	}
	waitFor(t, 30*time.Second, "backpressure's pause", func() bool { return len(r.rec.of(events.PartitionPaused)) == 1 })
	if err := r.app.PausePartition(in, 0); err != nil {
		t.Fatal(err)
	}
	close(release)
	waitFor(t, 30*time.Second, "backpressure's resume", func() bool {
		return slices.ContainsFunc(r.rec.of(events.PartitionResumed), func(e events.Event) bool { return !e.Operator })
	})
	time.Sleep(500 * time.Millisecond)
	if len(started) != 0 {
		t.Fatalf("started id %d after backpressure's resume, while paused by an operator", <-started)
	}
	if n := consumedCount(r); n > 2 {
		t.Fatalf("%d messages consumed, want at most the 2 before the pause", n)
	}
	if !partitionState(t, r.app, in).OperatorPaused {
		t.Fatal("State does not say the partition is paused by an operator")
	}
	if err := r.app.ResumePartition(in, 0); err != nil {
		t.Fatal(err)
	}
	got := testkafka.Consume(t, brokers, out, 10, 30*time.Second)
	if ids := field(t, got, "id"); strings.Join(ids, ",") != "0,1,2,3,4,5,6,7,8,9" {
		t.Fatalf("responses %v, want 0..9 once each, in order", ids)
	}
	r.shutdown(t)
}

// failingOn answers {"id": N} with N, and fails with err the messages whose id is bad.
func failingOn(bad int64, err error) func() karafka.Controller {
	return func() karafka.Controller {
		return karafka.ControllerFunc(func(c *karafka.Context) error {
			id, _ := c.Params.Int("id")
			if id == bad {
				return err
			}
			c.RespondWith(id)
			return nil
		})
	}
}

// slowRetry retries for an hour: only a skip moves a failing record on.
func slowRetry(attempts int) *karafka.RetryPolicy {
	return &karafka.RetryPolicy{Attempts: attempts, Backoff: karafka.Backoff{Initial: time.Hour, Max: time.Hour, Multiplier: 1}}
}

func waitFailed(t *testing.T, r *running, kind events.Kind, offset int64) {
	t.Helper()
	waitFor(t, 30*time.Second, fmt.Sprintf("%s at offset %d", kind, offset), func() bool {
		return slices.ContainsFunc(r.rec.of(kind), func(e events.Event) bool { return e.Offset == offset })
	})
}

// Skipping a record that waits for its retry dead-letters it at once with
// the operator's headers, and the next records are processed.
func TestApp_operatorSkipRetryingRecord(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in, out, dlq)
	testkafka.Produce(t, brokers, in, idsFrom(0, 6)...)
	cfg := testConfig(t, brokers)
	r := start(t, cfg, karafka.Route{Topic: in, Controller: failingOn(3, errors.New("cannot handle 3")), Responder: echo(out), Retry: slowRetry(10)})
	waitFailed(t, r, events.MessageFailed, 3)

	err := r.app.SkipRecord(in, 0, 2, "wrong one")
	if !errors.Is(err, karafka.ErrNotFailing) || !strings.Contains(err.Error(), "partition 0 is failing on offset 3") ||
		!strings.Contains(err.Error(), in+"/0@2") {
		t.Fatalf("skip of offset 2: %v, want ErrNotFailing naming %s/0@2 and offset 3", err, in)
	}
	// The state names the record it fails on (what the console offers).
	if ps := r.app.State().Partitions; len(ps) != 1 || !slices.Equal(ps[0].FailingOffsets, []int64{3}) {
		t.Errorf("state %+v, want failing on offset 3", ps)
	}
	began := time.Now()
	if err := r.app.SkipRecord(in, 0, 3, "bad data, see ticket 12"); err != nil {
		t.Fatalf("SkipRecord: %v", err)
	}
	got := testkafka.Consume(t, brokers, out, 5, 30*time.Second)
	if ids := field(t, got, "id"); strings.Join(ids, ",") != "0,1,2,4,5" {
		t.Fatalf("responses %v, want 0,1,2,4,5", ids)
	}
	if el := time.Since(began); el > 20*time.Second {
		t.Fatalf("the partition went on %v after the skip", el)
	}
	dead := testkafka.Consume(t, brokers, dlq, 1, 30*time.Second)
	if len(dead) != 1 || string(dead[0].Value) != `{"id": 3}` {
		t.Fatalf("dead letters %v, want offset 3's record", dead)
	}
	for k, want := range map[string]string{karafka.HeaderOriginTopic: in, karafka.HeaderOriginPartition: "0",
		karafka.HeaderOriginOffset: "3", karafka.HeaderStage: "operator", karafka.HeaderAttempts: "1"} {
		if v, _ := testkafka.Header(dead[0], k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
	if v, _ := testkafka.Header(dead[0], karafka.HeaderError); !strings.HasPrefix(v, "skipped by an operator: bad data, see ticket 12 (last error: ") ||
		!strings.Contains(v, "cannot handle 3") {
		t.Errorf("error header %q, want the reason and the last error", v)
	}
	waitFor(t, 10*time.Second, "dead-letter event", func() bool { return len(r.rec.of(events.MessageDeadLettered)) == 1 })
	if e := r.rec.of(events.MessageDeadLettered)[0]; !e.Operator || e.Stage != karafka.StageOperator {
		t.Errorf("dead-letter event %+v, want one by an operator", e)
	}
	if err := r.app.SkipRecord(in, 0, 3, "again"); !errors.Is(err, karafka.ErrNotFailing) || !strings.Contains(err.Error(), "partition 0 is not failing") {
		t.Errorf("second skip: %v, want ErrNotFailing saying partition 0 is not failing", err)
	}
	if ps := r.app.State().Partitions; len(ps) != 1 || ps[0].FailingOffsets != nil {
		t.Errorf("state after the skip %+v, want failing on nothing", ps)
	}
	r.shutdown(t)
	if c := testkafka.Committed(t, brokers, cfg.Name+"_"+in, in)[0]; c != 6 {
		t.Errorf("committed %d, want 6", c)
	}
}

// A skip cuts an outage's wait short.
func TestApp_operatorSkipDuringOutage(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in, out, dlq)
	testkafka.Produce(t, brokers, in, idsFrom(0, 3)...)
	r := start(t, testConfig(t, brokers), karafka.Route{Topic: in, Controller: failingOn(1, karafka.Outage(errors.New("database restarting"))),
		Responder: echo(out), Retry: slowRetry(3)})
	waitFailed(t, r, events.MessageBlocked, 1)
	if err := r.app.SkipRecord(in, 0, 1, "not worth the wait"); err != nil {
		t.Fatalf("SkipRecord: %v", err)
	}
	if ids := field(t, testkafka.Consume(t, brokers, out, 2, 30*time.Second), "id"); strings.Join(ids, ",") != "0,2" {
		t.Fatalf("responses %v, want 0,2", ids)
	}
	dead := testkafka.Consume(t, brokers, dlq, 1, 30*time.Second)
	if len(dead) != 1 || string(dead[0].Value) != `{"id": 1}` {
		t.Fatalf("dead letters %v, want offset 1's record", dead)
	}
	if v, _ := testkafka.Header(dead[0], karafka.HeaderError); !strings.Contains(v, "not worth the wait (last error: ") || !strings.Contains(v, "database restarting") {
		t.Errorf("error header %q, want the reason and the outage", v)
	}
	if v, _ := testkafka.Header(dead[0], karafka.HeaderAttempts); v != "0" {
		t.Errorf("attempts header %q, want 0: an outage's waits are no tries", v)
	}
	r.shutdown(t)
}

// Without a dead letter topic, a blocked record skipped is finished
// unprocessed, logged at WARN, and its offset committed.
func TestApp_operatorSkipWithoutDeadLetterTopic(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out)
	testkafka.Produce(t, brokers, in, idsFrom(0, 3)...)
	cfg := testConfig(t, brokers)
	r, logText := startLogged(t, cfg, karafka.Route{Topic: in, Controller: failingOn(1, errors.New("always fails")), Responder: echo(out),
		Retry: slowRetry(1), DisableDeadLetter: true})
	waitFailed(t, r, events.MessageBlocked, 1)
	if err := r.app.SkipRecord(in, 0, 1, "known bad"); err != nil {
		t.Fatalf("SkipRecord: %v", err)
	}
	if ids := field(t, testkafka.Consume(t, brokers, out, 2, 30*time.Second), "id"); strings.Join(ids, ",") != "0,2" {
		t.Fatalf("responses %v, want 0,2", ids)
	}
	waitFor(t, 10*time.Second, "the partition no longer stuck", func() bool { return partitionState(t, r.app, in).Stuck == "" })
	want := `level=WARN msg="record skipped by an operator with no dead letter topic: finished unprocessed, its offset will be committed" topic=` +
		in + ` partition=0 offset=1 reason="known bad"`
	if !strings.Contains(logText(), want) {
		t.Errorf("log lacks %s", want)
	}
	r.shutdown(t)
	if c := testkafka.Committed(t, brokers, cfg.Name+"_"+in, in)[0]; c != 3 {
		t.Errorf("committed %d, want 3: the skipped record's offset is committed", c)
	}
	if n := len(r.rec.of(events.MessageDeadLettered)); n != 0 {
		t.Errorf("%d dead letters without a dead letter topic", n)
	}
}

// The actions' errors: a partition not held, a skip without a reason or of
// a partition that is not failing, an App that is not running.
func TestApp_operatorErrors(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in := testkafka.Name(t, "in")
	testkafka.CreateTopics(t, brokers, 1, in)
	cfg := testConfig(t, brokers)
	route := karafka.Route{Topic: in, Controller: func() karafka.Controller { return idController() }}
	idle, err := karafka.New(cfg, karafka.WithLogger(testLogger(t)), karafka.WithRoutes(route))
	if err != nil {
		t.Fatal(err)
	}
	if err := idle.PausePartition(in, 0); !errors.Is(err, karafka.ErrNotHeld) || !strings.Contains(err.Error(), "not running") {
		t.Errorf("pause before Run: %v, want ErrNotHeld saying the app is not running", err)
	}
	r := start(t, cfg, route)
	waitFor(t, 30*time.Second, "partition assigned", func() bool { return len(r.app.State().Partitions) == 1 })
	for name, err := range map[string]error{
		"pause":  r.app.PausePartition(in, 7),
		"resume": r.app.ResumePartition(in, 7),
		"skip":   r.app.SkipRecord(in, 7, 0, "why"),
		"topic":  r.app.PausePartition("other", 0),
	} {
		if !errors.Is(err, karafka.ErrNotHeld) {
			t.Errorf("%s: %v, want ErrNotHeld", name, err)
		}
	}
	if err := r.app.PausePartition(in, 7); !strings.Contains(err.Error(), in+"/7") {
		t.Errorf("error %q does not name the partition", err)
	}
	if err := r.app.SkipRecord(in, 0, 0, " "); !errors.Is(err, karafka.ErrNoReason) {
		t.Errorf("skip without a reason: %v, want ErrNoReason", err)
	}
	if err := r.app.SkipRecord(in, 0, 0, "why"); !errors.Is(err, karafka.ErrNotFailing) || !strings.Contains(err.Error(), "partition 0 is not failing") {
		t.Errorf("skip on a partition that is not failing: %v, want ErrNotFailing saying so", err)
	}
	r.shutdown(t)
	if err := r.app.ResumePartition(in, 0); !errors.Is(err, karafka.ErrNotHeld) {
		t.Errorf("resume after Run returned: %v, want ErrNotHeld", err)
	}
}

// A batch route's record is skipped once its batch is isolated to it: here
// it waits on an outage alone, its second wait 20s long, cut short.
func TestApp_operatorSkipInBatchRoute(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out, batches := testkafka.Name(t, "in"), testkafka.Name(t, "out"), testkafka.Name(t, "batches")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in, out, batches, dlq)
	testkafka.Produce(t, brokers, in, idsFrom(0, 6)...)
	ctrl := karafka.BatchControllerFunc(func(c *karafka.BatchContext) error {
		for i, m := range c.Messages {
			id, _ := m.Int("id")
			if id == 2 {
				if c.Len() == 1 {
					return karafka.Outage(errors.New("its service is down"))
				}
				return errors.New("a batch holding 2 fails")
			}
			c.RespondTo(i, id)
		}
		c.RespondWith(batchSummary{size: c.Len()})
		return nil
	})
	// Tries and waits 20ms apart, but the second wait of an outage 20s.
	retry := &karafka.RetryPolicy{Attempts: 2, Backoff: karafka.Backoff{Initial: 20 * time.Millisecond, Max: time.Hour, Multiplier: 1000}}
	r := start(t, testConfig(t, brokers), karafka.Route{Topic: in, BatchController: func() karafka.BatchController { return ctrl },
		BatchSize: 4, Responder: batchEcho(out, batches), Retry: retry})
	waitFor(t, 30*time.Second, "the second wait of offset 2", func() bool {
		return slices.ContainsFunc(r.rec.of(events.MessageBlocked), func(e events.Event) bool { return e.Offset == 2 && e.Attempt == 2 })
	})
	began := time.Now()
	if err := r.app.SkipRecord(in, 0, 2, "its service is gone for good"); err != nil {
		t.Fatalf("SkipRecord: %v", err)
	}
	got := testkafka.Consume(t, brokers, out, 5, 30*time.Second)
	if el := time.Since(began); el > 10*time.Second {
		t.Fatalf("the batch went on %v after the skip: the skip waited for the outage's wait", el)
	}
	if ids := field(t, got, "id"); !sameSet(ids, "0", "1", "3", "4", "5") {
		t.Fatalf("responses %v, want 0,1,3,4,5", ids)
	}
	dead := testkafka.Consume(t, brokers, dlq, 1, 30*time.Second)
	if len(dead) != 1 || string(dead[0].Value) != `{"id": 2}` {
		t.Fatalf("dead letters %v, want offset 2's record", dead)
	}
	if v, _ := testkafka.Header(dead[0], karafka.HeaderStage); v != "operator" {
		t.Errorf("stage header %q, want operator", v)
	}
	r.shutdown(t)
}
