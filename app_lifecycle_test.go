package karafka_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// Order holds per partition under load on several partitions.
func TestApp_orderPerPartitionUnderLoad(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	const partitions, perPartition = 4, 1500
	testkafka.CreateTopics(t, brokers, partitions, in, out)
	var recs []testkafka.Record
	for i := 0; i < perPartition; i++ {
		for p := int32(0); p < partitions; p++ {
			recs = append(recs, testkafka.Record{Value: fmt.Sprintf(`{"p": %d, "seq": %d}`, p, i), Partition: p, Explicit: true})
		}
	}
	testkafka.Produce(t, brokers, in, recs...)

	var mu sync.Mutex
	last := map[int64]int64{}
	var disorder atomic.Int32
	ctrl := func() karafka.Controller {
		return karafka.ControllerFunc(func(c *karafka.Context) error {
			p, _ := c.Params.Int("p")
			seq, _ := c.Params.Int("seq")
			mu.Lock()
			if prev, ok := last[p]; (ok && seq != prev+1) || (!ok && seq != 0) {
				disorder.Add(1)
			}
			last[p] = seq
			mu.Unlock()
			c.RespondWith(p, seq)
			return nil
		})
	}
	resp := respondArgs(out)
	cfg := testConfig(t, brokers)
	cfg.Consumer.MaxInFlight = 200 // exercise pause/resume
	r := start(t, cfg, karafka.Route{Topic: in, Controller: ctrl, Responder: resp})
	got := testkafka.Consume(t, brokers, out, partitions*perPartition, 60*time.Second)
	if len(got) != partitions*perPartition {
		t.Fatalf("got %d responses, want %d", len(got), partitions*perPartition)
	}
	if n := disorder.Load(); n != 0 {
		t.Fatalf("controller saw %d out-of-order messages", n)
	}
	// Responses keep input order on each output partition.
	next := map[int32]int64{}
	for _, m := range got {
		v := decode(t, m)
		p, seq := int32(v["p"].(float64)), int64(v["seq"].(float64))
		if m.Partition != p || seq != next[p] {
			t.Fatalf("output partition %d: got p=%d seq=%d, want seq %d", m.Partition, p, seq, next[p])
		}
		next[p]++
	}
	r.shutdown(t)
}

func respondArgs(topic string) func() karafka.Responder {
	return func() karafka.Responder {
		return karafka.NewResponder([]karafka.Topic{karafka.Required(topic)}, func(out *karafka.Output, args ...any) error {
			out.RespondTo(topic, map[string]any{"p": args[0], "seq": args[1]}, karafka.Partition(int32(args[0].(int64))))
			return nil
		})
	}
}

// Shutdown with messages in flight: everything consumed is answered and
// committed; a restart processes none of it again.
func TestApp_shutdownDrainsInFlight(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	const n = 1000
	testkafka.CreateTopics(t, brokers, 2, in, out)
	recs := make([]testkafka.Record, n)
	for i := range recs {
		recs[i] = testkafka.Record{Value: fmt.Sprintf(`{"id": %d}`, i)}
	}
	testkafka.Produce(t, brokers, in, recs...)
	var performed atomic.Int32
	ctrl := func() karafka.Controller {
		return karafka.ControllerFunc(func(c *karafka.Context) error {
			time.Sleep(5 * time.Millisecond) // keep work in flight
			id, _ := c.Params.Int("id")
			performed.Add(1)
			c.RespondWith(id)
			return nil
		})
	}
	cfg := testConfig(t, brokers)
	cfg.Consumer.MaxInFlight, cfg.Consumer.BatchSize = 20, 10 // a small window in flight
	route := karafka.Route{Topic: in, Controller: ctrl, Responder: echo(out)}
	r := start(t, cfg, route)
	waitFor(t, 30*time.Second, "some messages processed", func() bool { return performed.Load() >= 50 })
	r.shutdown(t)
	first := int(performed.Load())
	if first >= n {
		t.Skipf("all %d messages were processed before shutdown; nothing was in flight", n)
	}
	if got := testkafka.Consume(t, brokers, out, first, 30*time.Second); len(got) != first {
		t.Fatalf("after shutdown: %d responses for %d performed messages", len(got), first)
	}
	performed.Store(0)
	r2 := start(t, cfg, route)
	waitFor(t, 60*time.Second, "the rest processed", func() bool { return int(performed.Load()) >= n-first })
	r2.shutdown(t)
	got := testkafka.Consume(t, brokers, out, n, 30*time.Second)
	counts := map[string]int{}
	for _, v := range field(t, got, "id") {
		counts[v]++
	}
	for i := 0; i < n; i++ {
		if c := counts[strconv.Itoa(i)]; c != 1 {
			t.Errorf("id %d answered %d times, want exactly once (first run %d, second %d)", i, c, first, performed.Load())
		}
	}
}

// Restart after a crash (SIGKILL, no shutdown): only unacknowledged work is
// processed again. The child process blocks on one message; everything
// before it is acknowledged and committed; after the kill a new app
// processes that message and the ones behind it, and nothing else.
func TestApp_crashReprocessesOnlyUnacknowledged(t *testing.T) {
	if os.Getenv("KARAFKA_CRASH_CHILD") != "" {
		crashChild()
		return
	}
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	const n, blockAt = 40, 25
	testkafka.CreateTopics(t, brokers, 1, in, out)
	testkafka.Produce(t, brokers, in, ids(n)...)
	cfg := testConfig(t, brokers)
	cfg.Consumer.SessionTimeout = 6 * time.Second
	cfg.Consumer.HeartbeatInterval = time.Second

	cmd := exec.Command(os.Args[0], "-test.run", "^TestApp_crashReprocessesOnlyUnacknowledged$")
	cmd.Env = append(os.Environ(), "KARAFKA_CRASH_CHILD=1", "CHILD_BROKERS="+strings.Join(brokers, ","),
		"CHILD_APP="+cfg.Name, "CHILD_IN="+in, "CHILD_OUT="+out, fmt.Sprintf("CHILD_BLOCK=%d", blockAt))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	group := cfg.Name + "_" + in
	waitFor(t, 60*time.Second, "child to commit up to the blocked message", func() bool {
		return testkafka.Committed(t, brokers, group, in)[0] == blockAt
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	r := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return idController() }, Responder: echo(out)})
	got := testkafka.Consume(t, brokers, out, n, 60*time.Second)
	r.shutdown(t)
	counts := map[string]int{}
	for _, v := range field(t, got, "id") {
		counts[v]++
	}
	for i := 0; i < n; i++ {
		if c := counts[strconv.Itoa(i)]; c != 1 {
			t.Errorf("id %d answered %d times, want exactly once", i, c)
		}
	}
	if p := len(r.rec.of(events.MessageProcessed)); p != n-blockAt {
		t.Errorf("restarted app processed %d messages, want %d (only the unacknowledged ones)", p, n-blockAt)
	}
}

func idController() karafka.Controller {
	return karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		c.RespondWith(id)
		return nil
	})
}

// crashChild runs in the child process: it answers messages until the
// blocked one, where it waits to be killed.
func crashChild() {
	cfg := karafka.DefaultConfig()
	cfg.Name = os.Getenv("CHILD_APP")
	cfg.Kafka.Brokers = strings.Split(os.Getenv("CHILD_BROKERS"), ",")
	cfg.Consumer.CommitInterval = 50 * time.Millisecond
	cfg.Consumer.SessionTimeout = 6 * time.Second
	cfg.Consumer.HeartbeatInterval = time.Second
	block, _ := strconv.ParseInt(os.Getenv("CHILD_BLOCK"), 10, 64)
	out := os.Getenv("CHILD_OUT")
	app, err := karafka.New(cfg, karafka.WithRoutes(karafka.Route{Topic: os.Getenv("CHILD_IN"),
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(c *karafka.Context) error {
				id, _ := c.Params.Int("id")
				if id == block {
					select {} // wait for SIGKILL
				}
				c.RespondWith(id)
				return nil
			})
		}, Responder: echo(out)}))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = app.Run(context.Background())
	os.Exit(1)
}

// Broker down at start, then up: the app backs off, then recovers by itself.
func TestApp_brokerDownAtStartThenUp(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	in, out := "in", "out"
	cfg := testConfig(t, []string{addr})
	cfg.Kafka.DialTimeout = time.Second
	app, err := karafka.New(cfg, karafka.WithLogger(testLogger(t)), karafka.WithRoutes(
		karafka.Route{Topic: in, Controller: func() karafka.Controller { return idController() }, Responder: echo(out)}))
	if err != nil {
		t.Fatal(err)
	}
	rec := record(app.Events())
	errc := make(chan error, 1)
	go func() { errc <- app.Run(context.Background()) }()
	waitFor(t, 30*time.Second, "two unreachable-broker retries", func() bool { return len(rec.of(events.BrokerUnreachable)) >= 2 })
	ev := rec.of(events.BrokerUnreachable)
	if ev[1].Delay <= 0 {
		t.Fatalf("no backoff between attempts: %+v", ev[1])
	}

	b, err := embedded.Start(embedded.Addr(addr), embedded.Topics(1, in, out, in+"_dlq"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	testkafka.Produce(t, b.Addrs(), in, ids(3)...)
	select {
	case <-app.Ready():
	case err := <-errc:
		t.Fatalf("Run returned: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("app did not recover within 60s of the broker coming up")
	}
	if ids := field(t, testkafka.Consume(t, b.Addrs(), out, 3, 60*time.Second), "id"); strings.Join(ids, ",") != "0,1,2" {
		t.Fatalf("responses %v, want 0,1,2", ids)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := app.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// Routes sharing one consumer group share one membership; both are served.
func TestApp_sharedConsumerGroup(t *testing.T) {
	brokers := testkafka.Brokers(t)
	a, b, out := testkafka.Name(t, "a"), testkafka.Name(t, "b"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 2, a, b, out)
	testkafka.Produce(t, brokers, a, testkafka.Record{Value: `{"id": 1}`}, testkafka.Record{Value: `{"id": 2}`})
	testkafka.Produce(t, brokers, b, testkafka.Record{Value: `{"id": 3}`})
	cfg := testConfig(t, brokers)
	cfg.ConsumerGroup = testkafka.Name(t, "shared")
	r := start(t, cfg,
		karafka.Route{Topic: a, Controller: func() karafka.Controller { return idController() }, Responder: echo(out)},
		karafka.Route{Topic: b, Controller: func() karafka.Controller { return idController() }, Responder: echo(out)})
	if ids := field(t, testkafka.Consume(t, brokers, out, 3, 30*time.Second), "id"); !sameSet(ids, "1", "2", "3") {
		t.Fatalf("responses %v, want 1, 2, 3", ids)
	}
	r.shutdown(t)
	for _, topic := range []string{a, b} {
		if c := testkafka.Committed(t, brokers, cfg.ConsumerGroup, topic); len(c) == 0 {
			t.Errorf("no offsets committed for %s in the shared group", topic)
		}
	}
}

// A message still blocked when the shutdown timeout passes is not committed:
// Run and Shutdown return an error counting it and what followed it, and the
// next run processes them again.
func TestApp_shutdownTimeoutLeavesWorkUncommitted(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out)
	testkafka.Produce(t, brokers, in, ids(3)...)
	cfg := testConfig(t, brokers)
	cfg.ShutdownTimeout = 500 * time.Millisecond
	var blocked atomic.Bool
	stuck := func() karafka.Controller {
		return karafka.ControllerFunc(func(c *karafka.Context) error {
			id, _ := c.Params.Int("id")
			if id == 1 {
				blocked.Store(true)
				<-c.Done() // released only when shutdown gives up
				return c.Err()
			}
			c.RespondWith(id)
			return nil
		})
	}
	r := start(t, cfg, karafka.Route{Topic: in, Controller: stuck, Responder: echo(out)})
	waitFor(t, 30*time.Second, "the controller to block", blocked.Load)
	begun := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := r.app.Shutdown(ctx)
	if d := time.Since(begun); d > 20*time.Second {
		t.Fatalf("shutdown took %v with a 500ms timeout", d)
	}
	var undone *karafka.UndoneError
	if !errors.As(err, &undone) || !errors.Is(err, karafka.ErrUndone) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown: %v, want an *karafka.UndoneError wrapping ErrUndone and the deadline", err)
	}
	want := []karafka.UndonePartition{{Topic: in, Partition: 0, Messages: 2}}
	if !slices.Equal(undone.Partitions, want) {
		t.Errorf("undone %+v, want %+v (messages 1 and 2)", undone.Partitions, want)
	}
	if rerr := <-r.errc; !errors.Is(rerr, karafka.ErrUndone) {
		t.Errorf("Run: %v, want the same error as Shutdown", rerr)
	}
	if got := testkafka.Committed(t, brokers, cfg.Name+"_"+in, in)[0]; got != 1 {
		t.Fatalf("committed offset %d, want 1 (message 1 was never done)", got)
	}
	r2 := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return idController() }, Responder: echo(out)})
	if ids := field(t, testkafka.Consume(t, brokers, out, 3, 30*time.Second), "id"); strings.Join(ids, ",") != "0,1,2" {
		t.Fatalf("responses %v, want 0,1,2 each once", ids)
	}
	r2.shutdown(t)
}
