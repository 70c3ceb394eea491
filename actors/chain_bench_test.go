package actors

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// ackSender acknowledges every record at once: the chain without a broker.
type ackSender struct{}

func (ackSender) SendAsync(m *producer.Message, done func(producer.Result)) {
	done(producer.Result{Message: m})
}

type benchIn struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Email   string   `json:"email"`
	Tags    []string `json:"tags"`
	Premium bool     `json:"premium"`
	Note    string   `json:"note"`
}

// ~200 B of JSON, as in the design's measurements.
var benchPayload = []byte(`{"id":123456,"name":"Ada Lovelace","email":"ada@example.com","tags":["math","engines","poetry"],"premium":true,"note":"first programmer; notes on the analytical engine, 1843"}`)

func benchRoute() *topology.Resolved {
	return &topology.Resolved{
		Route: topology.Route{
			Topic:  "in",
			Parser: params.JSON,
			Controller: func() controllers.Controller {
				return controllers.Func(func(c *controllers.Context) error {
					var v benchIn
					if err := c.Params.Decode(&v); err != nil {
						return err
					}
					c.RespondWith(&v)
					return nil
				})
			},
			Responder: func() responders.Responder {
				return responders.Func([]responders.Topic{responders.Required("out")}, func(out *responders.Output, args ...any) error {
					out.RespondTo("out", args[0])
					return nil
				})
			},
		},
		RetryPolicy:       supervision.DefaultRetryPolicy(),
		SupervisionConfig: supervision.DefaultConfig(),
	}
}

// chain is one partition actor (and its responder) on a dispatcher, with a
// sender that acknowledges at once.
type chain struct {
	sys    *actor.ActorSystem
	p      *partition
	pid    *actor.PID
	mark   atomic.Int64  // the latest offset mark
	marked chan struct{} // a wake-up after each mark
}

// waitMark returns once the partition has marked next.
func (c *chain) waitMark(next int64) {
	for c.mark.Load() < next {
		<-c.marked
	}
}

func newChain(b *testing.B, dispatch actor.Dispatcher) *chain {
	return newChainWith(b, dispatch, nil)
}

// newChainWith is newChain tracing through tp (nil: tracing off).
func newChainWith(b *testing.B, dispatch actor.Dispatcher, tp trace.TracerProvider) *chain {
	d := newTestDeps(b, ackSender{}, dispatch)
	d.trace = newTracing(tp)
	d.sender = d.trace.sender(d.sender)
	c := &chain{sys: d.sys, marked: make(chan struct{}, 1)}
	c.p = newPartition(d, benchRoute(), 0, marks(func(next int64) {
		c.mark.Store(next)
		select {
		case c.marked <- struct{}{}:
		default:
		}
	}))
	c.pid = d.sys.Root.Spawn(c.p.props())
	return c
}

func (c *chain) stop() {
	_ = c.sys.Root.StopFuture(c.pid).Wait()
}

// dispatchers are the two ways to run mailboxes, compared side by side.
func dispatchers() []struct {
	name string
	new  func() (actor.Dispatcher, func())
} {
	return []struct {
		name string
		new  func() (actor.Dispatcher, func())
	}{
		{"pool", func() (actor.Dispatcher, func()) {
			p := newPool(poolIdle, poolMaxIdle, poolThroughput)
			return p, p.close
		}},
		{"goroutine", func() (actor.Dispatcher, func()) { return actor.NewDefaultDispatcher(poolThroughput), func() {} }},
	}
}

// forEachDispatcher runs body as one sub-benchmark per dispatcher, on a
// fresh chain, timing body only.
func forEachDispatcher(b *testing.B, body func(b *testing.B, c *chain)) {
	for _, disp := range dispatchers() {
		b.Run("dispatcher="+disp.name, func(b *testing.B) {
			dispatch, closePool := disp.new()
			defer closePool()
			c := newChain(b, dispatch)
			defer c.stop()
			b.ReportAllocs()
			b.ResetTimer()
			body(b, c)
			b.StopTimer() // not the teardown
		})
	}
}

// BenchmarkChain measures one message through listener hand-off → partition
// actor (parse, controller decode) → responder actor (responder, validate,
// JSON encode) → producer hand-off → ack → in-order offset mark, in batches
// of 500 as under a backlog.
func BenchmarkChain(b *testing.B) {
	forEachDispatcher(b, func(b *testing.B, c *chain) {
		const batchSize, maxInFlight = 500, 4000
		batch := make([]*work, 0, batchSize)
		for i := 0; i < b.N; i++ {
			m := &client.Record{Topic: "in", Offset: int64(i), Value: benchPayload}
			batch = append(batch, c.p.accept(m))
			if len(batch) == batchSize || i == b.N-1 {
				c.p.ctrl.in.push(c.sys, batch...)
				batch = batch[:0]
				if err := c.p.fin.waitBelow(context.Background(), maxInFlight); err != nil {
					b.Fatal(err)
				}
			}
		}
		c.waitMark(int64(b.N))
	})
}

// BenchmarkChainOneByOne sends one message and waits until its offset is
// marked before sending the next: every message finds both actors idle, as
// at a moderate offered rate. ns/op is the hand-off latency of the chain.
func BenchmarkChainOneByOne(b *testing.B) {
	forEachDispatcher(b, func(b *testing.B, c *chain) {
		for i := 0; i < b.N; i++ {
			m := &client.Record{Topic: "in", Offset: int64(i), Value: benchPayload}
			c.p.ctrl.in.push(c.sys, c.p.accept(m))
			c.waitMark(int64(i) + 1)
		}
	})
}

// BenchmarkPlainLoop is the same work in a plain loop, without actors: the
// baseline BenchmarkChain is compared with.
func BenchmarkPlainLoop(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m := &client.Record{Topic: "in", Offset: int64(i), Value: benchPayload}
		if !json.Valid(m.Value) {
			b.Fatal("invalid")
		}
		var v benchIn
		if err := json.Unmarshal(m.Value, &v); err != nil {
			b.Fatal(err)
		}
		out, err := json.Marshal(&v)
		if err != nil {
			b.Fatal(err)
		}
		msg := &producer.Message{Topic: "out", Value: out}
		ackSender{}.SendAsync(msg, func(producer.Result) {})
	}
}

// BenchmarkChainTracing is BenchmarkChain (pool dispatcher) with tracing
// off, as by default, and on with an SDK provider that samples every
// message and exports nowhere: side by side, the cost of tracing, and that
// tracing off adds nothing to the chain (compare allocs/op with
// BenchmarkChain).
func BenchmarkChainTracing(b *testing.B) {
	for _, tc := range []struct {
		name string
		tp   trace.TracerProvider
	}{
		{"off", nil},
		{"sdk", sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))},
	} {
		b.Run("tracing="+tc.name, func(b *testing.B) {
			pool := newPool(poolIdle, poolMaxIdle, poolThroughput)
			defer pool.close()
			c := newChainWith(b, pool, tc.tp)
			defer c.stop()
			const batchSize, maxInFlight = 500, 4000
			batch := make([]*work, 0, batchSize)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m := &client.Record{Topic: "in", Offset: int64(i), Value: benchPayload}
				batch = append(batch, c.p.accept(m))
				if len(batch) == batchSize || i == b.N-1 {
					c.p.ctrl.in.push(c.sys, batch...)
					batch = batch[:0]
					if err := c.p.fin.waitBelow(context.Background(), maxInFlight); err != nil {
						b.Fatal(err)
					}
				}
			}
			c.waitMark(int64(b.N))
			b.StopTimer()
		})
	}
}
