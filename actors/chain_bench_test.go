package actors

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/events"
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

// BenchmarkChain measures one message through listener hand-off → partition
// actor (parse, controller decode) → responder actor (responder, validate,
// JSON encode) → producer hand-off → ack → in-order offset mark.
func BenchmarkChain(b *testing.B) {
	logger := slog.New(slog.DiscardHandler)
	sys := NewSystem(logger)
	d := &deps{sys: sys, sender: ackSender{}, bus: events.NewBus(logger), log: logger, hard: context.Background(), backoff: supervision.DefaultBackoff()}
	done := make(chan struct{})
	n := int64(b.N)
	p := newPartition(d, benchRoute(), 0, func(next int64) {
		if next == n {
			close(done)
		}
	})
	pid := sys.Root.Spawn(p.props())
	defer sys.Root.Stop(pid)
	const batchSize, maxInFlight = 500, 4000
	batch := make([]*work, 0, batchSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := &sarama.ConsumerMessage{Topic: "in", Offset: int64(i), Value: benchPayload}
		batch = append(batch, p.accept(m))
		if len(batch) == batchSize || i == b.N-1 {
			p.ctrl.in.push(sys, batch...)
			batch = batch[:0]
			if err := p.tracker.waitBelow(context.Background(), maxInFlight); err != nil {
				b.Fatal(err)
			}
		}
	}
	<-done
}

// BenchmarkPlainLoop is the same work in a plain loop, without actors: the
// baseline BenchmarkChain is compared with.
func BenchmarkPlainLoop(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m := &sarama.ConsumerMessage{Topic: "in", Offset: int64(i), Value: benchPayload}
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
