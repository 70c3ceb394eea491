package karafka_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// A route with virtual partitions on one Kafka partition: controllers of
// different keys run at once, each key's answers come in offset order, a
// poison message is dead-lettered while the rest is answered, and
// everything is committed.
func TestApp_virtualPartitions(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "orders"), testkafka.Name(t, "orders_done")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in, out, dlq)

	const n, poison = 200, 57
	var active, peak atomic.Int32
	var mu sync.Mutex
	performed := map[string][]int64{}
	route := karafka.Route{
		Topic: in,
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(c *karafka.Context) error {
				id, _ := c.Params.Int("id")
				key := string(c.Params.Metadata().Key)
				if id == poison {
					return errors.New("poison")
				}
				if a := active.Add(1); a > peak.Load() {
					peak.Store(a)
				}
				time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
				active.Add(-1)
				mu.Lock()
				performed[key] = append(performed[key], id)
				mu.Unlock()
				c.RespondWith(key, id)
				return nil
			})
		},
		Responder: func() karafka.Responder {
			return karafka.NewResponder([]karafka.Topic{karafka.Required(out)}, func(o *karafka.Output, args ...any) error {
				o.RespondTo(out, map[string]any{"key": args[0], "id": args[1]})
				return nil
			})
		},
		VirtualPartitions: &karafka.VirtualPartitions{Max: 8},
	}
	recs := make([]testkafka.Record, n)
	for i := range recs {
		recs[i] = testkafka.Record{Key: "customer-" + strconv.Itoa(i%10), Value: fmt.Sprintf(`{"id": %d}`, i), Partition: 0, Explicit: true}
	}
	testkafka.Produce(t, brokers, in, recs...)

	cfg := testConfig(t, brokers)
	r := start(t, cfg, route)
	got := testkafka.Consume(t, brokers, out, n-1, 60*time.Second)
	waitFor(t, 30*time.Second, "dead letter", func() bool { return len(r.rec.of(events.MessageDeadLettered)) == 1 })
	r.shutdown(t)

	// The last copy of each answer, per key, in offset order.
	lastAt := map[string]int{}
	order := map[string][]int64{}
	for i, m := range got {
		v := decode(t, m)
		lastAt[fmt.Sprint(v["key"], "/", v["id"])] = i
	}
	for i, m := range got {
		v := decode(t, m)
		k := fmt.Sprint(v["key"])
		if lastAt[fmt.Sprint(k, "/", v["id"])] == i {
			id, _ := strconv.ParseInt(fmt.Sprint(v["id"]), 10, 64)
			order[k] = append(order[k], id)
		}
	}
	answered := 0
	for k, ids := range order {
		answered += len(ids)
		for j := 1; j < len(ids); j++ {
			if ids[j] <= ids[j-1] {
				t.Fatalf("key %s: answers %v not in offset order", k, ids)
			}
		}
	}
	if answered != n-1 {
		t.Fatalf("%d distinct answers, want %d (all but the poison)", answered, n-1)
	}
	dl := testkafka.Consume(t, brokers, dlq, 1, 30*time.Second)
	if len(dl) != 1 || string(dl[0].Value) != fmt.Sprintf(`{"id": %d}`, poison) {
		t.Fatalf("dead letters %v, want the poison message", dl)
	}
	if p := peak.Load(); p < 2 {
		t.Errorf("at most %d controller ran at once on one partition, want several", p)
	}
	if off := testkafka.Committed(t, brokers, cfg.Name+"_"+in, in)[0]; off != n {
		t.Errorf("committed offset %d, want %d", off, n)
	}
}
