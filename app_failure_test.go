package karafka_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// echo is a responder writing {"id": args[0]} to topic.
func echo(topic string) func() karafka.Responder {
	return func() karafka.Responder {
		return karafka.NewResponder([]karafka.Topic{karafka.Required(topic)}, func(out *karafka.Output, args ...any) error {
			out.RespondTo(topic, map[string]any{"id": args[0]}, karafka.Key(fmt.Sprint(args[0])))
			return nil
		})
	}
}

func ids(n int) []testkafka.Record {
	recs := make([]testkafka.Record, n)
	for i := range recs {
		recs[i] = testkafka.Record{Value: fmt.Sprintf(`{"id": %d}`, i), Partition: 0, Explicit: true}
	}
	return recs
}

// A controller that panics on one message: the actor restarts, the message
// is retried, then dead-lettered with headers; the other messages of the
// partition are all processed, in order.
func TestApp_panicRetriedThenDeadLettered(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in, out, dlq)
	testkafka.Produce(t, brokers, in, ids(10)...)

	var mu sync.Mutex
	var seen []int64
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		mu.Lock()
		seen = append(seen, id)
		mu.Unlock()
		if id == 3 {
			panic("cannot handle 3")
		}
		c.RespondWith(id)
		return nil
	})
	r := start(t, testConfig(t, brokers), karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out)})

	got := testkafka.Consume(t, brokers, out, 9, 30*time.Second)
	var order []string
	for _, m := range got {
		order = append(order, fmt.Sprint(decode(t, m)["id"]))
	}
	if strings.Join(order, ",") != "0,1,2,4,5,6,7,8,9" {
		t.Fatalf("responses: got %v, want 0..9 without 3, in order", order)
	}
	dead := testkafka.Consume(t, brokers, dlq, 1, 30*time.Second)
	if len(dead) != 1 {
		t.Fatalf("dead letter topic: got %d messages, want 1", len(dead))
	}
	d := dead[0]
	if string(d.Value) != `{"id": 3}` {
		t.Errorf("dead letter payload %q, want the original", d.Value)
	}
	for k, want := range map[string]string{
		karafka.HeaderOriginTopic: in, karafka.HeaderOriginPartition: "0", karafka.HeaderOriginOffset: "3", karafka.HeaderAttempts: "3", karafka.HeaderStage: "controller",
	} {
		if v, ok := testkafka.Header(d, k); !ok || v != want {
			t.Errorf("header %s = %q (present %v), want %q", k, v, ok, want)
		}
	}
	if v, _ := testkafka.Header(d, karafka.HeaderError); !strings.Contains(v, "cannot handle 3") {
		t.Errorf("error header %q does not carry the panic", v)
	}
	waitFor(t, 10*time.Second, "dead-letter event", func() bool { return len(r.rec.of(events.MessageDeadLettered)) == 1 })
	if n := len(r.rec.of(events.ActorRestarted)); n != 2 {
		t.Errorf("actor restarts: got %d, want 2 (attempts 1 and 2 fail and restart, attempt 3 dead-letters)", n)
	}
	if n := len(r.rec.of(events.MessageRetried)); n != 2 {
		t.Errorf("retries: got %d, want 2", n)
	}
	mu.Lock()
	tries := 0
	for _, id := range seen {
		if id == 3 {
			tries++
		}
	}
	mu.Unlock()
	if tries != 3 {
		t.Errorf("message 3 tried %d times, want 3", tries)
	}
	r.shutdown(t)
}

// A failure that heals on retry: the response goes out once, nothing is dead-lettered.
func TestApp_transientFailureRetried(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out, in+"_dlq")
	testkafka.Produce(t, brokers, in, ids(3)...)
	var mu sync.Mutex
	failures := 0
	ctrl := func() karafka.Controller {
		return karafka.ControllerFunc(func(c *karafka.Context) error {
			id, _ := c.Params.Int("id")
			mu.Lock()
			defer mu.Unlock()
			if id == 1 && failures < 2 {
				failures++
				return errors.New("database unavailable")
			}
			c.RespondWith(id)
			return nil
		})
	}
	r := start(t, testConfig(t, brokers), karafka.Route{Topic: in, Controller: ctrl, Responder: echo(out)})
	got := testkafka.Consume(t, brokers, out, 3, 30*time.Second)
	if ids := field(t, got, "id"); strings.Join(ids, ",") != "0,1,2" {
		t.Fatalf("responses %v, want 0,1,2 in order", ids)
	}
	r.shutdown(t)
	if n := len(r.rec.of(events.MessageDeadLettered)); n != 0 {
		t.Fatalf("%d messages dead-lettered, want none", n)
	}
	if n := len(r.rec.of(events.MessageFailed)); n != 2 {
		t.Fatalf("%d failures, want 2", n)
	}
}

// Malformed JSON goes straight to the dead letter topic, the rest flows.
func TestApp_parseErrorDeadLettered(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in, out, dlq)
	testkafka.Produce(t, brokers, in,
		testkafka.Record{Value: `{"id": 1}`}, testkafka.Record{Key: "k-bad", Value: `{"id": `}, testkafka.Record{Value: `{"id": 2}`})
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		c.RespondWith(id)
		return nil
	})
	r := start(t, testConfig(t, brokers), karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out)})
	if ids := field(t, testkafka.Consume(t, brokers, out, 2, 30*time.Second), "id"); strings.Join(ids, ",") != "1,2" {
		t.Fatalf("responses %v, want 1,2", ids)
	}
	dead := testkafka.Consume(t, brokers, dlq, 1, 30*time.Second)
	if len(dead) != 1 || string(dead[0].Value) != `{"id": ` {
		t.Fatalf("dead letters: %v, want the malformed record", dead)
	}
	if v, _ := testkafka.Header(dead[0], karafka.HeaderAttempts); v != "1" {
		t.Errorf("attempts header %q, want 1: a parse error is not retried", v)
	}
	if v, _ := testkafka.Header(dead[0], karafka.HeaderError); !strings.Contains(v, "parse") {
		t.Errorf("error header %q does not say it is a parse error", v)
	}
	r.shutdown(t)
	// The failure names the record's key (the console's errors list).
	if f := r.rec.of(events.MessageFailed); len(f) != 1 || string(f[0].Key) != "k-bad" || f[0].Offset != 1 {
		t.Errorf("failures %+v, want one of offset 1 with key k-bad", f)
	}
}

// Each responder error: nothing is produced to the response topics, the
// message is dead-lettered with the error naming the topic.
func TestApp_responderErrorsProduceNothing(t *testing.T) {
	brokers := testkafka.Brokers(t)
	cases := []struct {
		name    string
		respond func(a, b string) (func() karafka.Responder, bool)
		want    error
	}{
		{"unregistered topic", func(a, b string) (func() karafka.Responder, bool) {
			return respond([]karafka.Topic{karafka.Required(a)}, func(o *karafka.Output) {
				o.RespondTo(a, "ok")
				o.RespondTo(b, "not declared")
			}), true
		}, responders.ErrUnregisteredTopic},
		{"single-use topic used twice", func(a, b string) (func() karafka.Responder, bool) {
			return respond([]karafka.Topic{karafka.Required(a)}, func(o *karafka.Output) {
				o.RespondTo(a, "one")
				o.RespondTo(a, "two")
			}), true
		}, responders.ErrMultipleUsage},
		{"required topic unused", func(a, b string) (func() karafka.Responder, bool) {
			return respond([]karafka.Topic{karafka.Optional(a), karafka.Required(b)}, func(o *karafka.Output) {
				o.RespondTo(a, "only the optional one")
			}), true
		}, responders.ErrRequiredTopicUnused},
		{"no responder", func(a, b string) (func() karafka.Responder, bool) { return nil, false }, responders.ErrNoResponder},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, a, b := testkafka.Name(t, "in"), testkafka.Name(t, "a"), testkafka.Name(t, "b")
			dlq := in + "_dlq"
			testkafka.CreateTopics(t, brokers, 1, in, a, b, dlq)
			testkafka.Produce(t, brokers, in, testkafka.Record{Value: `{"id": 1}`})
			resp, _ := tc.respond(a, b)
			ctrl := karafka.ControllerFunc(func(c *karafka.Context) error { c.RespondWith(1); return nil })
			r := start(t, testConfig(t, brokers), karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: resp})
			waitFor(t, 30*time.Second, "dead letter", func() bool { return len(r.rec.of(events.MessageDeadLettered)) == 1 })
			ev := r.rec.of(events.MessageDeadLettered)[0]
			if !errors.Is(ev.Err, tc.want) {
				t.Fatalf("dead-letter error %v, want errors.Is %v", ev.Err, tc.want)
			}
			if tc.want != responders.ErrNoResponder && !strings.Contains(ev.Err.Error(), `"`) {
				t.Errorf("error %q does not name the topic", ev.Err)
			}
			r.shutdown(t)
			for _, topic := range []string{a, b} {
				if got := testkafka.Consume(t, brokers, topic, -1, time.Second); len(got) != 0 {
					t.Errorf("%d records on %s, want none: nothing is sent unless the whole response is valid", len(got), topic)
				}
			}
			if got := testkafka.Consume(t, brokers, dlq, 1, 10*time.Second); len(got) != 1 {
				t.Errorf("%d dead letters, want 1", len(got))
			}
		})
	}
}

func respond(topics []karafka.Topic, fn func(*karafka.Output)) func() karafka.Responder {
	return func() karafka.Responder {
		return karafka.NewResponder(topics, func(out *karafka.Output, _ ...any) error { fn(out); return nil })
	}
}

// A before-filter drops a message: nothing produced, its offset still committed.
func TestApp_beforeFilterDrops(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out)
	testkafka.Produce(t, brokers, in, ids(4)...)
	cfg := testConfig(t, brokers)
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		c.RespondWith(id)
		return nil
	})
	odd := func(p *karafka.Params) bool { id, _ := p.Int("id"); return id%2 == 1 }
	r := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out),
		BeforeFilters: []karafka.BeforeFilter{odd}})
	if ids := field(t, testkafka.Consume(t, brokers, out, 2, 30*time.Second), "id"); strings.Join(ids, ",") != "1,3" {
		t.Fatalf("responses %v, want 1,3", ids)
	}
	waitFor(t, 10*time.Second, "all 4 processed", func() bool { return len(r.rec.of(events.MessageProcessed)) == 4 })
	r.shutdown(t)
	if n := len(r.rec.of(events.MessageFiltered)); n != 2 {
		t.Fatalf("%d filtered, want 2", n)
	}
	if got := testkafka.Committed(t, brokers, cfg.Name+"_"+in, in)[0]; got != 4 {
		t.Fatalf("committed offset %d, want 4: filtered messages advance the offset", got)
	}
}

// A partition actor past its restart limit escalates: its listener is
// restarted, re-spawns the partition actor, and the message still ends in
// the dead letter topic; the app keeps running.
func TestApp_restartLimitEscalatesToListener(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out, in+"_dlq")
	testkafka.Produce(t, brokers, in, ids(3)...)
	cfg := testConfig(t, brokers)
	strict := cfg.Supervision
	strict.MaxRestarts = 0 // the partition actor's first failure escalates
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		if id == 1 {
			return errors.New("always fails")
		}
		c.RespondWith(id)
		return nil
	})
	r := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out), Supervision: &strict})
	if ids := field(t, testkafka.Consume(t, brokers, out, 2, 30*time.Second), "id"); strings.Join(ids, ",") != "0,2" {
		t.Fatalf("responses %v, want 0,2", ids)
	}
	waitFor(t, 10*time.Second, "dead letter", func() bool { return len(r.rec.of(events.MessageDeadLettered)) == 1 })
	if n := len(r.rec.of(events.ActorEscalated)); n < 1 {
		t.Fatalf("%d escalations, want at least 1", n)
	}
	listenerRestarted := false
	for _, e := range r.rec.of(events.ActorRestarted) {
		if strings.Contains(e.Actor, "listener-") && !strings.Contains(e.Actor, "/") {
			listenerRestarted = true
		}
		if strings.Contains(e.Actor, "listener-") && strings.Count(e.Actor, "/") == 1 {
			listenerRestarted = true
		}
	}
	if !listenerRestarted {
		t.Fatalf("no listener restart among %v", r.rec.of(events.ActorRestarted))
	}
	r.shutdown(t)
}

// When the root supervisor's own limit is reached, Run returns an error
// that says so: a crash loop is not hidden.
func TestApp_rootRestartLimitFailsRun(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in := testkafka.Name(t, "in")
	testkafka.CreateTopics(t, brokers, 1, in, in+"_dlq")
	testkafka.Produce(t, brokers, in, ids(1)...)
	cfg := testConfig(t, brokers)
	cfg.Supervision.MaxRestarts = 0
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error { return errors.New("always fails") })
	app, err := karafka.New(cfg, karafka.WithLogger(testLogger(t)), karafka.WithRoutes(
		karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }}))
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- app.Run(context.Background()) }()
	select {
	case err := <-errc:
		if !errors.Is(err, supervision.ErrRestartLimit) {
			t.Fatalf("Run: %v, want a restart limit error", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not fail")
	}
}

// A controller past the route's timeout fails the message: retried, then
// dead-lettered; the partition moves on.
func TestApp_controllerTimeout(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out, in+"_dlq")
	testkafka.Produce(t, brokers, in, ids(3)...)
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		if id == 1 {
			<-c.Done() // a slow call that honours its context
			return c.Err()
		}
		c.RespondWith(id)
		return nil
	})
	r := start(t, testConfig(t, brokers), karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl },
		Responder: echo(out), Timeout: 50 * time.Millisecond})
	if ids := field(t, testkafka.Consume(t, brokers, out, 2, 30*time.Second), "id"); strings.Join(ids, ",") != "0,2" {
		t.Fatalf("responses %v, want 0,2", ids)
	}
	waitFor(t, 10*time.Second, "dead letter", func() bool { return len(r.rec.of(events.MessageDeadLettered)) == 1 })
	if err := r.rec.of(events.MessageDeadLettered)[0].Err; !errors.Is(err, karafka.ErrTimeout) {
		t.Fatalf("dead-letter cause %v, want karafka.ErrTimeout", err)
	}
	r.shutdown(t)
}

// With the dead letter topic disabled, a message whose retries ran out
// blocks its partition (MessageBlocked, logged) and keeps being retried with
// capped backoff; once it heals, the partition moves on in order.
func TestApp_deadLetterDisabledBlocksAndRetries(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out)
	testkafka.Produce(t, brokers, in, ids(3)...)
	var mu sync.Mutex
	tries := 0
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		if id == 1 {
			mu.Lock()
			defer mu.Unlock()
			if tries++; tries <= 5 {
				return errors.New("downstream unavailable")
			}
		}
		c.RespondWith(id)
		return nil
	})
	cfg := testConfig(t, brokers)
	cfg.Retry.Attempts = 2
	r := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out),
		DisableDeadLetter: true})
	if ids := field(t, testkafka.Consume(t, brokers, out, 3, 30*time.Second), "id"); strings.Join(ids, ",") != "0,1,2" {
		t.Fatalf("responses %v, want 0,1,2 in order", ids)
	}
	r.shutdown(t)
	if n := len(r.rec.of(events.MessageBlocked)); n != 4 {
		t.Fatalf("%d blocked events, want 4 (tries 2 to 5 failed after the retries ran out)", n)
	}
	if n := len(r.rec.of(events.MessageDeadLettered)); n != 0 {
		t.Fatalf("%d dead letters with the dead letter topic disabled", n)
	}
}

// Payloads are validated lazily (a successful Decode proves them well
// formed), yet a malformed one is dead-lettered even when a before-filter,
// failing to read it, would have dropped it.
func TestApp_malformedPayloadDeadLetteredEvenIfFiltered(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in, out, dlq)
	testkafka.Produce(t, brokers, in, testkafka.Record{Value: `{"email": "a@b.c", "id": 1}`}, testkafka.Record{Value: `{"email": `})
	hasEmail := func(p *karafka.Params) bool { _, ok := p.String("email"); return ok }
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		c.RespondWith(id)
		return nil
	})
	r := start(t, testConfig(t, brokers), karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl },
		Responder: echo(out), BeforeFilters: []karafka.BeforeFilter{hasEmail}})
	if ids := field(t, testkafka.Consume(t, brokers, out, 1, 30*time.Second), "id"); strings.Join(ids, ",") != "1" {
		t.Fatalf("responses %v, want 1", ids)
	}
	if dead := testkafka.Consume(t, brokers, dlq, 1, 30*time.Second); len(dead) != 1 || string(dead[0].Value) != `{"email": ` {
		t.Fatalf("dead letters %v, want the malformed record", dead)
	}
	r.shutdown(t)
	if n := len(r.rec.of(events.MessageFiltered)); n != 0 {
		t.Fatalf("%d messages filtered, want 0: a malformed payload is not a filter decision", n)
	}
}

// Each stage counts its own tries: a message whose controller needed all
// but one attempt still gets the full retries in the responder stage.
func TestApp_responderStageHasItsOwnAttempts(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out, in+"_dlq")
	testkafka.Produce(t, brokers, in, ids(1)...)
	var mu sync.Mutex
	performs, responds := 0, 0
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if performs++; performs < 3 {
			return errors.New("controller: transient")
		}
		c.RespondWith(0)
		return nil
	})
	resp := func() karafka.Responder {
		return karafka.NewResponder([]karafka.Topic{karafka.Required(out)}, func(o *karafka.Output, args ...any) error {
			mu.Lock()
			defer mu.Unlock()
			if responds++; responds < 3 {
				return errors.New("responder: transient")
			}
			o.RespondTo(out, map[string]any{"id": args[0]})
			return nil
		})
	}
	r := start(t, testConfig(t, brokers), karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: resp})
	if ids := field(t, testkafka.Consume(t, brokers, out, 1, 30*time.Second), "id"); strings.Join(ids, ",") != "0" {
		t.Fatalf("responses %v, want the one response after 3 tries in each stage", ids)
	}
	r.shutdown(t)
	if n := len(r.rec.of(events.MessageDeadLettered)); n != 0 {
		t.Fatalf("%d dead letters, want none", n)
	}
}

// When the root supervisor gives up, everything stops at once: Run returns
// the error without waiting for a drain that can never finish, no
// controller runs after the give-up (no guardian restarts the tree), what
// was done is committed and the failed message is not, so the group's next
// consumer starts at it.
func TestApp_rootGiveUpStopsAtOnce(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in := testkafka.Name(t, "in")
	testkafka.CreateTopics(t, brokers, 1, in, in+"_dlq")
	testkafka.Produce(t, brokers, in, ids(3)...)
	cfg := testConfig(t, brokers)
	cfg.Supervision.MaxRestarts = 0 // the first escalation reaches the root, which gives up
	cfg.Retry.Attempts = 1000       // the failed message is retried, never dead-lettered
	// A drain bounded only by these would keep Run far beyond the test's wait.
	cfg.ShutdownTimeout = 10 * time.Minute
	cfg.Consumer.DrainTimeout = 10 * time.Minute
	var mu sync.Mutex
	performs := map[int64]int{}
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		mu.Lock()
		performs[id]++
		mu.Unlock()
		if id == 1 {
			return errors.New("always fails")
		}
		return nil
	})
	app, err := karafka.New(cfg, karafka.WithLogger(testLogger(t)), karafka.WithRoutes(
		karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }}))
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- app.Run(context.Background()) }()
	select {
	case err := <-errc:
		if !errors.Is(err, supervision.ErrRestartLimit) {
			t.Fatalf("Run: %v, want a restart limit error", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not return within 60s of a give-up (shutdown timeout 10m): it waits for a drain that cannot finish")
	}
	mu.Lock()
	got := fmt.Sprint(performs)
	mu.Unlock()
	if want := fmt.Sprint(map[int64]int{0: 1, 1: 1}); got != want {
		t.Fatalf("Perform calls per id %s, want %s: nothing may run after the give-up", got, want)
	}
	group := cfg.Name + "_" + in
	if c := testkafka.Committed(t, brokers, group, in)[0]; c != 1 {
		t.Fatalf("committed offset %d, want 1: the done message 0 committed, the failed message 1 not", c)
	}

	// The group's next consumer starts at the failed message.
	seen := make(chan int64, 3)
	next := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		seen <- id
		return nil
	})
	r := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return next }})
	select {
	case id := <-seen:
		if id != 1 {
			t.Fatalf("next consumer starts at id %d, want the failed message 1", id)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the next consumer of the group got nothing")
	}
	r.shutdown(t)
}

// strictParser is JSON whose Check also rejects payloads that mention
// "reject": a check a successful Decode does not prove.
type strictParser struct{ karafka.Parser }

func (strictParser) Name() string { return "strict" }
func (s strictParser) Check(raw []byte) error {
	if strings.Contains(string(raw), `"reject"`) {
		return fmt.Errorf("%w: rejected by the check", params.ErrParse)
	}
	return s.Parser.Check(raw)
}

// A payload its parser's Check rejects is malformed input: dead-lettered
// and never answered, and the controller never sees it, whether or not it
// would have decoded the payload.
func TestApp_parserCheckRejectsBeforeController(t *testing.T) {
	brokers := testkafka.Brokers(t)
	cases := []struct {
		name string
		read func(*karafka.Params) (any, error)
	}{
		{"controller decodes", func(p *karafka.Params) (any, error) {
			var v struct{ ID int }
			err := p.Decode(&v)
			return v.ID, err
		}},
		{"controller reads a value", func(p *karafka.Params) (any, error) {
			id, _ := p.Int("id")
			return id, nil
		}},
		{"controller reads the raw payload", func(p *karafka.Params) (any, error) { return string(p.Raw()), nil }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
			dlq := in + "_dlq"
			testkafka.CreateTopics(t, brokers, 1, in, out, dlq)
			rejected := `{"id": 2, "reject": true}`
			testkafka.Produce(t, brokers, in, testkafka.Record{Value: `{"id": 1}`}, testkafka.Record{Value: rejected}, testkafka.Record{Value: `{"id": 3}`})
			var mu sync.Mutex
			var performed []string
			ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
				mu.Lock()
				performed = append(performed, string(c.Params.Raw()))
				mu.Unlock()
				v, err := tc.read(c.Params)
				if err != nil {
					return err
				}
				c.RespondWith(v)
				return nil
			})
			r := start(t, testConfig(t, brokers), karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl },
				Responder: echo(out), Parser: strictParser{karafka.JSONParser}})
			dead := testkafka.Consume(t, brokers, dlq, 1, 30*time.Second)
			if len(dead) != 1 || string(dead[0].Value) != rejected {
				t.Fatalf("dead letters %v, want the rejected record", dead)
			}
			if v, _ := testkafka.Header(dead[0], karafka.HeaderAttempts); v != "1" {
				t.Errorf("attempts header %q, want 1: a rejected payload is not retried", v)
			}
			if v, _ := testkafka.Header(dead[0], karafka.HeaderError); !strings.Contains(v, "rejected by the check") {
				t.Errorf("error header %q does not carry the check's error", v)
			}
			waitFor(t, 10*time.Second, "all 3 finished", func() bool {
				return len(r.rec.of(events.MessageProcessed)) == 3
			})
			if got := testkafka.Consume(t, brokers, out, -1, time.Second); len(got) != 2 {
				t.Errorf("%d responses, want 2: the rejected payload is never answered", len(got))
			}
			r.shutdown(t)
			mu.Lock()
			defer mu.Unlock()
			for _, p := range performed {
				if p == rejected {
					t.Fatalf("the controller ran on the rejected payload (performed %q)", performed)
				}
			}
		})
	}
}

// A response topic that does not exist: the log names the topic and the
// cause, the partition keeps its messages (nothing is committed), and
// Shutdown reports them as undone instead of returning nil.
func TestApp_missingResponseTopicNamedAndShutdownFails(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "missing")
	testkafka.CreateTopics(t, brokers, 1, in) // out is never created (no broker here auto-creates)
	testkafka.Produce(t, brokers, in, ids(3)...)
	cfg := testConfig(t, brokers)
	cfg.ShutdownTimeout = time.Second
	cfg.ProduceBackoff = karafka.Backoff{Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond, Multiplier: 2}
	logger, logText := capturedLogger(t)
	app, err := karafka.New(cfg, karafka.WithLogger(logger),
		karafka.WithRoutes(karafka.Route{Topic: in, Controller: func() karafka.Controller { return idController() }, Responder: echo(out)}))
	if err != nil {
		t.Fatal(err)
	}
	r := runApp(t, app)
	want := fmt.Sprintf(`response topic %q does not exist (UNKNOWN_TOPIC_OR_PARTITION)`, out)
	quoted := strconv.Quote(want) // as the text handler writes it inside a value
	quoted = quoted[1 : len(quoted)-1]
	waitFor(t, 30*time.Second, "a log line naming the missing topic", func() bool { return strings.Contains(logText(), quoted) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = r.app.Shutdown(ctx)
	if !errors.Is(err, karafka.ErrUndone) {
		t.Fatalf("Shutdown: %v, want an error wrapping ErrUndone", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "3 messages") || !strings.Contains(msg, in+"/0") {
		t.Errorf("Shutdown error %q does not say 3 messages of %s/0 stay uncommitted", msg, in)
	}
	if rerr := <-r.errc; !errors.Is(rerr, karafka.ErrUndone) {
		t.Errorf("Run: %v, want an error wrapping ErrUndone", rerr)
	}
	if got := testkafka.Committed(t, brokers, cfg.Name+"_"+in, in)[0]; got > 0 {
		t.Errorf("committed offset %d, want nothing committed: no response was acknowledged", got)
	}
}

// A controller of another route, interrupted by the give-up (its context is
// cancelled), has not failed: its message must stay uncommitted and must not
// be dead-lettered.
func TestApp_giveUpDoesNotDeadLetterInterruptedWork(t *testing.T) {
	brokers := testkafka.Brokers(t)
	inA, inB := testkafka.Name(t, "a"), testkafka.Name(t, "b")
	testkafka.CreateTopics(t, brokers, 1, inA, inA+"_dlq", inB, inB+"_dlq")
	cfg := testConfig(t, brokers)
	cfg.Supervision.MaxRestarts = 0 // A's first escalation makes the root give up
	cfg.Retry.Attempts = 1          // B's failures are dead-lettered at once
	cfg.ShutdownTimeout = 10 * time.Minute
	cfg.Consumer.DrainTimeout = 10 * time.Minute
	started := make(chan struct{}, 1)
	ctrlB := karafka.ControllerFunc(func(c *karafka.Context) error {
		started <- struct{}{}
		<-c.Done() // a well-behaved controller: it stops when told to
		return c.Err()
	})
	ctrlA := karafka.ControllerFunc(func(c *karafka.Context) error { return errors.New("always fails") })
	retryA := karafka.RetryPolicy{Attempts: 1000, Backoff: karafka.Backoff{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, Multiplier: 2}}
	app, err := karafka.New(cfg, karafka.WithLogger(testLogger(t)), karafka.WithRoutes(
		karafka.Route{Topic: inA, Controller: func() karafka.Controller { return ctrlA }, Retry: &retryA},
		karafka.Route{Topic: inB, Controller: func() karafka.Controller { return ctrlB }}))
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- app.Run(context.Background()) }()
	testkafka.Produce(t, brokers, inB, ids(1)...)
	select {
	case <-started:
	case <-time.After(60 * time.Second):
		t.Fatal("B's controller never ran")
	}
	testkafka.Produce(t, brokers, inA, ids(1)...)
	select {
	case err := <-errc:
		if !errors.Is(err, supervision.ErrRestartLimit) {
			t.Fatalf("Run: %v, want a restart limit error", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not return after the give-up")
	}
	if dead := testkafka.Consume(t, brokers, inB+"_dlq", 1, 3*time.Second); len(dead) != 0 {
		t.Errorf("B's interrupted message was dead-lettered (error header %q)", errHeader(dead[0].Headers))
	}
	if c, ok := testkafka.Committed(t, brokers, cfg.Name+"_"+inB, inB)[0]; ok && c > 0 {
		t.Errorf("B committed offset %d, want nothing: its only message was interrupted, not done", c)
	}
}

func errHeader(hs []*sarama.RecordHeader) string {
	for _, h := range hs {
		if string(h.Key) == "karafka.error" {
			return string(h.Value)
		}
	}
	return ""
}
