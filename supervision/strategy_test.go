package supervision_test

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/supervision"
)

var errBoom = errors.New("boom")

// event is a life-cycle step of a child ("started", "restarting").
type event struct{ child, what string }

// child reports its life cycle and panics with errBoom on "boom".
type child struct {
	name   string
	events chan<- event
}

func (c *child) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		c.events <- event{c.name, "started"}
	case *actor.Restarting:
		c.events <- event{c.name, "restarting"}
	case string:
		panic(errBoom)
	}
}

// parent spawns children c0..c(n-1) and reports their PIDs.
type parent struct {
	n      int
	events chan<- event
	pids   chan<- []*actor.PID
}

func (p *parent) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(*actor.Started); !ok {
		return
	}
	pids := make([]*actor.PID, p.n)
	for i := range pids {
		name := fmt.Sprintf("c%d", i)
		pids[i], _ = ctx.SpawnNamed(actor.PropsFromProducer(func() actor.Actor {
			return &child{name: name, events: p.events}
		}), name)
	}
	p.pids <- pids
}

// recorder is the grandparent's strategy: it records escalations and stops the parent.
type recorder struct{ reasons chan<- any }

func (r recorder) HandleFailure(_ *actor.ActorSystem, s actor.Supervisor, child *actor.PID, _ *actor.RestartStatistics, reason, _ any) {
	r.reasons <- reason
	s.StopChildren(child)
}

// tree is grandparent → parent (supervising with the strategy under test) → children.
type tree struct {
	sys      *actor.ActorSystem
	children []*actor.PID
	events   chan event
	reasons  chan any
}

func newTree(t *testing.T, n int, strategy actor.SupervisorStrategy) *tree {
	t.Helper()
	sys := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	tr := &tree{sys: sys, events: make(chan event, 100), reasons: make(chan any, 10)}
	pids := make(chan []*actor.PID, 1)
	parentProps := actor.PropsFromProducer(func() actor.Actor {
		return &parent{n: n, events: tr.events, pids: pids}
	}, actor.WithSupervisor(strategy))
	grand := actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(*actor.Started); ok {
			ctx.Spawn(parentProps)
		}
	}, actor.WithSupervisor(recorder{tr.reasons}))
	gp := sys.Root.Spawn(grand)
	t.Cleanup(func() { _ = sys.Root.StopFuture(gp).Wait() })
	select {
	case tr.children = <-pids:
	case <-time.After(time.Second):
		t.Fatal("children not spawned")
	}
	for range n {
		if e := tr.next(t); e.what != "started" {
			t.Fatalf("event %+v before all children started", e)
		}
	}
	return tr
}

// next returns the next child event.
func (tr *tree) next(t *testing.T) event {
	t.Helper()
	select {
	case e := <-tr.events:
		return e
	case <-time.After(time.Second):
		t.Fatal("no child event")
	}
	return event{}
}

// collect returns the next n child events, counted.
func (tr *tree) collect(t *testing.T, n int) map[event]int {
	t.Helper()
	got := map[event]int{}
	for range n {
		got[tr.next(t)]++
	}
	return got
}

// quiet fails if a child event arrives soon.
func (tr *tree) quiet(t *testing.T) {
	t.Helper()
	select {
	case e := <-tr.events:
		t.Fatalf("unexpected event %+v", e)
	case <-time.After(30 * time.Millisecond):
	}
}

// crash makes child i panic with errBoom.
func (tr *tree) crash(t *testing.T, i int) {
	t.Helper()
	tr.sys.Root.Send(tr.children[i], "boom")
}

// restarted waits for child i to restart.
func (tr *tree) restarted(t *testing.T, i int) {
	t.Helper()
	name := fmt.Sprintf("c%d", i)
	want := map[event]int{{name, "restarting"}: 1, {name, "started"}: 1}
	if got := tr.collect(t, 2); !maps.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

func tinyConfig(kind supervision.Kind, maxRestarts int) supervision.Config {
	return supervision.Config{
		Strategy: kind, MaxRestarts: maxRestarts, Within: time.Minute,
		Backoff: supervision.Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond, Multiplier: 2},
	}
}

func TestStrategy_restartsTheRightChildren(t *testing.T) {
	cases := []struct {
		kind             supervision.Kind
		siblingRestarted bool
	}{
		{supervision.OneForOne, false},
		{supervision.AllForOne, true},
		{supervision.ExponentialBackoff, false},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			tr := newTree(t, 2, tinyConfig(c.kind, 10).Build(supervision.Hooks{}))
			want := map[event]int{{"c0", "restarting"}: 1, {"c0", "started"}: 1}
			if c.siblingRestarted {
				want[event{"c1", "restarting"}] = 1
				want[event{"c1", "started"}] = 1
			}
			tr.crash(t, 0)
			if got := tr.collect(t, len(want)); !maps.Equal(got, want) {
				t.Fatalf("events %v, want %v", got, want)
			}
			tr.quiet(t)
			// The restarted child works again.
			tr.crash(t, 0)
			if got := tr.collect(t, len(want)); !maps.Equal(got, want) {
				t.Fatalf("second crash: events %v, want %v", got, want)
			}
		})
	}
}

func TestExponentialBackoff_delaysGrowAndCap(t *testing.T) {
	type restart struct {
		delay    time.Duration
		failures int
	}
	restarts := make(chan restart, 10)
	hooks := supervision.Hooks{OnRestart: func(_ *actor.PID, reason any, d time.Duration, n int) {
		if !errors.Is(reason.(error), errBoom) {
			t.Errorf("reason %v", reason)
		}
		restarts <- restart{d, n}
	}}
	tr := newTree(t, 1, tinyConfig(supervision.ExponentialBackoff, 10).Build(hooks))
	want := []restart{{time.Millisecond, 1}, {2 * time.Millisecond, 2}, {4 * time.Millisecond, 3}, {4 * time.Millisecond, 4}}
	for i, w := range want {
		start := time.Now()
		tr.crash(t, 0)
		tr.restarted(t, 0)
		if el := time.Since(start); el < w.delay {
			t.Errorf("restart %d after %v, before its delay %v", i+1, el, w.delay)
		}
		if got := <-restarts; got != w {
			t.Errorf("restart %d: got %+v, want %+v", i+1, got, w)
		}
	}
}

func TestStrategy_escalatesPastTheLimit(t *testing.T) {
	cases := []struct {
		kind        supervision.Kind
		maxRestarts int
	}{
		{supervision.OneForOne, 0},
		{supervision.OneForOne, 2},
		{supervision.AllForOne, 2},
		{supervision.ExponentialBackoff, 2},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/max_%d", c.kind, c.maxRestarts), func(t *testing.T) {
			escalated := make(chan int, 1)
			hooks := supervision.Hooks{OnEscalate: func(_ *actor.PID, _ any, n int) { escalated <- n }}
			tr := newTree(t, 1, tinyConfig(c.kind, c.maxRestarts).Build(hooks))
			for range c.maxRestarts {
				tr.crash(t, 0)
				tr.restarted(t, 0)
			}
			tr.crash(t, 0)
			var reason any
			select {
			case reason = <-tr.reasons:
			case <-time.After(time.Second):
				t.Fatal("no escalation reached the grandparent")
			}
			var rle *supervision.RestartLimitError
			err, _ := reason.(error)
			if !errors.As(err, &rle) || !errors.Is(err, supervision.ErrRestartLimit) || !errors.Is(err, errBoom) {
				t.Fatalf("grandparent got %#v", reason)
			}
			if rle.Failures != c.maxRestarts+1 || !rle.Child.Equal(tr.children[0]) {
				t.Fatalf("got %+v, want %d failures of %v", rle, c.maxRestarts+1, tr.children[0])
			}
			if n := <-escalated; n != c.maxRestarts+1 {
				t.Fatalf("OnEscalate failures %d", n)
			}
			if !strings.HasPrefix(err.Error(), "supervision: restart limit reached") {
				t.Fatalf("message %q", err)
			}
		})
	}
}

func TestParseKind(t *testing.T) {
	cases := []struct {
		in      string
		want    supervision.Kind
		wantErr bool
	}{
		{"one_for_one", supervision.OneForOne, false},
		{"all_for_one", supervision.AllForOne, false},
		{"exponential_backoff", supervision.ExponentialBackoff, false},
		{"rest_for_one", "", true},
		{"", "", true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := supervision.ParseKind(c.in)
			if got != c.want || (err != nil) != c.wantErr {
				t.Fatalf("ParseKind(%q) = %q, %v", c.in, got, err)
			}
			if err != nil && (!errors.Is(err, supervision.ErrInvalidConfig) || !strings.Contains(err.Error(), "one_for_one, all_for_one, exponential_backoff")) {
				t.Fatalf("error %v", err)
			}
		})
	}
}

func TestConfig_Validate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*supervision.Config)
		key    string // "" when valid
	}{
		{"default", func(*supervision.Config) {}, ""},
		{"unknown strategy", func(c *supervision.Config) { c.Strategy = "nope" }, "routes.users.supervision.strategy"},
		{"negative max_restarts", func(c *supervision.Config) { c.MaxRestarts = -1 }, "routes.users.supervision.max_restarts"},
		{"zero within", func(c *supervision.Config) { c.Within = 0 }, "routes.users.supervision.within"},
		{"bad backoff", func(c *supervision.Config) {
			c.Strategy = supervision.ExponentialBackoff
			c.Backoff.Initial = 0
		}, "routes.users.supervision.backoff.initial"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := supervision.DefaultConfig()
			c.mutate(&cfg)
			err := cfg.Validate("routes.users.supervision")
			if c.key == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, supervision.ErrInvalidConfig) || !strings.Contains(err.Error(), c.key) {
				t.Fatalf("got %v, want an error naming %s", err, c.key)
			}
		})
	}
}

func ExampleConfig_Build() {
	cfg := supervision.DefaultConfig()
	cfg.Strategy = supervision.ExponentialBackoff
	cfg.Backoff = supervision.Backoff{Initial: 10 * time.Millisecond, Max: time.Second, Multiplier: 2}
	if err := cfg.Validate("supervision"); err != nil {
		panic(err)
	}
	strategy := cfg.Build(supervision.Hooks{
		OnRestart: func(child *actor.PID, reason any, delay time.Duration, failures int) {
			fmt.Printf("restart %s in %v after %d failure(s): %v\n", child.Id, delay, failures, reason)
		},
	})
	// Children of an actor spawned with these props are supervised by strategy.
	props := actor.PropsFromFunc(func(actor.Context) {}, actor.WithSupervisor(strategy))
	_ = props

	// Drive the strategy by hand to show its decision.
	strategy.HandleFailure(nil, nopSupervisor{}, actor.NewPID("local", "worker"), actor.NewRestartStatistics(), errBoom, nil)
	// Output:
	// restart worker in 10ms after 1 failure(s): boom
}

// nopSupervisor stands in for an actor context in the example.
type nopSupervisor struct{}

func (nopSupervisor) Children() []*actor.PID        { return nil }
func (nopSupervisor) EscalateFailure(_, _ any)      {}
func (nopSupervisor) RestartChildren(...*actor.PID) {}
func (nopSupervisor) StopChildren(...*actor.PID)    {}
func (nopSupervisor) ResumeChildren(...*actor.PID)  {}

// A top-level actor under the Stopping guardian is stopped when it fails,
// never restarted (protoactor's default guardian would restart it).
func TestStopping_stopsTopLevelActorOnFailure(t *testing.T) {
	sys := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	events := make(chan event, 10)
	stopped := make(chan any, 1)
	guardian := supervision.Stopping(func(_ *actor.PID, reason any) { stopped <- reason })
	pid, err := sys.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor {
		return &child{name: "top", events: events}
	}, actor.WithGuardian(guardian)), "top")
	if err != nil {
		t.Fatal(err)
	}
	if e := <-events; e.what != "started" {
		t.Fatalf("first event %+v", e)
	}
	terminated := make(chan struct{})
	watching := make(chan struct{})
	sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case *actor.Started:
			ctx.Watch(pid)
			close(watching)
		case *actor.Terminated:
			close(terminated)
		}
	}))
	<-watching
	sys.Root.Send(pid, "boom")
	select {
	case reason := <-stopped:
		if err, _ := reason.(error); !errors.Is(err, errBoom) {
			t.Fatalf("onStop reason %#v", reason)
		}
	case <-time.After(time.Second):
		t.Fatal("the guardian was not told")
	}
	select {
	case <-terminated:
	case <-time.After(time.Second):
		t.Fatal("the failed actor was not stopped")
	}
	select {
	case e := <-events:
		t.Fatalf("event %+v: the failed actor was restarted", e)
	default:
	}
}

// all_for_one reports a restart for every child it restarts (the failed
// one with its reason, the siblings naming it), so that a restart counter
// counts actors restarted. Before, one restart was reported per failure.
func TestAllForOne_reportsEveryRestart(t *testing.T) {
	type restart struct {
		child   string
		sibling bool
	}
	restarts := make(chan restart, 10)
	hooks := supervision.Hooks{OnRestart: func(child *actor.PID, reason any, _ time.Duration, _ int) {
		var sf *supervision.SiblingFailure
		err, _ := reason.(error)
		sibling := errors.As(err, &sf)
		if !errors.Is(err, errBoom) {
			t.Errorf("reason %v does not carry the failure", reason)
		}
		restarts <- restart{child.Id[strings.LastIndexByte(child.Id, '/')+1:], sibling}
	}}
	tr := newTree(t, 3, tinyConfig(supervision.AllForOne, 10).Build(hooks))
	tr.crash(t, 0)
	got := map[restart]int{}
	for range 3 {
		select {
		case r := <-restarts:
			got[r]++
		case <-time.After(5 * time.Second):
			t.Fatalf("restarts reported: %v, want 3", got)
		}
	}
	want := map[restart]int{{"c0", false}: 1, {"c1", true}: 1, {"c2", true}: 1}
	if !maps.Equal(got, want) {
		t.Fatalf("restarts %v, want %v", got, want)
	}
}
