package karafka_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// BenchmarkApp_backlogNextToIdlePartition: a 20,000-message backlog of
// ~1 KB records on partition 1 of a topic whose partition 0 stays empty,
// max_in_flight 100, for several consumer.fetch_max_wait values side by
// side. The backlogged partition is paused at max_in_flight and resumed at
// half; its next fetch waits for the one in flight for the idle partition,
// which the broker holds fetch_max_wait. Reports msg/s (processing
// acknowledged, from start to the last message).
//
//	go test -run '^$' -bench BenchmarkApp_backlogNextToIdlePartition -benchtime 1x -count 3 .
func BenchmarkApp_backlogNextToIdlePartition(b *testing.B) {
	const n = 20000
	pad := strings.Repeat("x", 900)
	for _, wait := range []time.Duration{500 * time.Millisecond, 100 * time.Millisecond, 50 * time.Millisecond} {
		b.Run("fetch_max_wait="+wait.String(), func(b *testing.B) {
			brokers := testkafka.Brokers(b)
			var rate float64
			for range b.N {
				in, out := testkafka.Name(b, "in"), testkafka.Name(b, "out")
				testkafka.CreateTopics(b, brokers, 2, in, out)
				recs := make([]testkafka.Record, n)
				for i := range recs {
					recs[i] = testkafka.Record{Value: fmt.Sprintf(`{"id": %d, "pad": %q}`, i, pad), Partition: 1, Explicit: true}
				}
				testkafka.Produce(b, brokers, in, recs...)
				cfg := testConfig(b, brokers)
				cfg.Consumer.MaxInFlight = 100
				cfg.Consumer.FetchMaxWait = wait
				route := karafka.Route{Topic: in,
					Controller: func() karafka.Controller {
						return karafka.ControllerFunc(func(c *karafka.Context) error { c.RespondWith(1); return nil })
					},
					Responder: func() karafka.Responder {
						return karafka.NewResponder([]karafka.Topic{karafka.Required(out)}, func(o *karafka.Output, _ ...any) error {
							o.RespondTo(out, map[string]int{"x": 1})
							return nil
						})
					},
				}
				app, err := karafka.New(cfg, karafka.WithLogger(testLogger(b)), karafka.WithRoutes(route))
				if err != nil {
					b.Fatal(err)
				}
				var done atomic.Int64
				all := make(chan struct{})
				app.Events().Subscribe(func(e events.Event) {
					if e.Kind == events.MessageProcessed && done.Add(1) == n {
						close(all)
					}
				})
				b.ResetTimer()
				start := time.Now()
				errc := make(chan error, 1)
				go func() { errc <- app.Run(context.Background()) }()
				select {
				case <-all:
				case err := <-errc:
					b.Fatalf("Run: %v", err)
				case <-time.After(2 * time.Minute):
					b.Fatalf("%d of %d processed after 2m", done.Load(), n)
				}
				rate = n / time.Since(start).Seconds()
				b.StopTimer()
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				if err := app.Shutdown(ctx); err != nil {
					b.Fatal(err)
				}
				cancel()
				<-errc
			}
			b.ReportMetric(rate, "msg/s")
		})
	}
}
