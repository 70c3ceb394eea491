package karafka_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// The routes of an App resolve batch routes with consumer.batch_size as
// their default bound.
func TestApp_batchRouteTakesConsumerBatchSize(t *testing.T) {
	cfg := karafka.DefaultConfig()
	cfg.Consumer.BatchSize = 42
	a, err := karafka.New(cfg, karafka.WithRoutes(karafka.Route{Topic: "visits",
		BatchController: func() karafka.BatchController {
			return karafka.BatchControllerFunc(func(*karafka.BatchContext) error { return nil })
		}}))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := a.Routes()
	if err != nil {
		t.Fatal(err)
	}
	if !routes[0].Batch() || routes[0].BatchSize != 42 {
		t.Fatalf("batch %v, size %d; want a batch route of ≤42", routes[0].Batch(), routes[0].BatchSize)
	}
}

// batchEcho answers a batch controller's per-message responses (an int64
// id) with {"id": id} on out and its per-batch response (a batchSummary)
// with {"first": id, "size": n} on batches.
func batchEcho(out, batches string) func() karafka.Responder {
	return func() karafka.Responder {
		return karafka.NewResponder([]karafka.Topic{karafka.Optional(out), karafka.Optional(batches)}, func(o *karafka.Output, args ...any) error {
			switch v := args[0].(type) {
			case batchSummary:
				o.RespondTo(batches, map[string]any{"first": v.first, "size": v.size})
			default:
				o.RespondTo(out, map[string]any{"id": v})
			}
			return nil
		})
	}
}

type batchSummary struct {
	first int64
	size  int
}

// A batch route on a broker: each partition's messages come in batches of at
// most BatchSize, in order; a poison message is narrowed down and alone
// dead-lettered, every other message answered once, the per-batch responses
// cover exactly the answered messages, and every offset is committed.
func TestApp_batchRouteAnswersInOrderAndDeadLettersThePoison(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out, batches := testkafka.Name(t, "in"), testkafka.Name(t, "out"), testkafka.Name(t, "batches")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 2, in)
	testkafka.CreateTopics(t, brokers, 1, out, batches, dlq)
	const n, poison, size = 40, 13, 8
	recs := make([]testkafka.Record, n)
	for i := range recs {
		recs[i] = testkafka.Record{Value: fmt.Sprintf(`{"id": %d}`, i), Partition: int32(i % 2), Explicit: true}
	}
	testkafka.Produce(t, brokers, in, recs...)

	var mu sync.Mutex
	largest := 0
	ctrl := karafka.BatchControllerFunc(func(c *karafka.BatchContext) error {
		mu.Lock()
		largest = max(largest, c.Len())
		mu.Unlock()
		var first int64
		for i, m := range c.Messages {
			id, _ := m.Int("id")
			if id == poison {
				return fmt.Errorf("cannot handle %d", id)
			}
			if i == 0 {
				first = id
			}
			c.RespondTo(i, id)
		}
		c.RespondWith(batchSummary{first: first, size: c.Len()})
		return nil
	})
	cfg := testConfig(t, brokers)
	r := start(t, cfg, karafka.Route{Topic: in, BatchController: func() karafka.BatchController { return ctrl },
		BatchSize: size, Responder: batchEcho(out, batches)})

	answered := testkafka.Consume(t, brokers, out, n-1, 30*time.Second)
	lastOf := map[int32]int64{0: -1, 1: -1}
	seen := map[int64]bool{}
	for _, m := range answered {
		id := int64(decode(t, m)["id"].(float64))
		if id == poison || seen[id] {
			t.Fatalf("answered %d again or the poison: %v", id, seen)
		}
		seen[id] = true
		if p := int32(id % 2); id <= lastOf[p] {
			t.Errorf("partition %d answered %d after %d", p, id, lastOf[p])
		} else {
			lastOf[p] = id
		}
	}
	dead := testkafka.Consume(t, brokers, dlq, 1, 30*time.Second)
	if len(dead) != 1 || string(dead[0].Value) != fmt.Sprintf(`{"id": %d}`, poison) {
		t.Fatalf("dead letters %v, want the poison's original record alone", dead)
	}
	if v, _ := testkafka.Header(dead[0], karafka.HeaderOriginOffset); v != "6" {
		t.Errorf("dead letter origin offset %q, want 6", v)
	}
	waitFor(t, 10*time.Second, "per-batch responses of every answered message", func() bool {
		total := 0
		for _, m := range testkafka.Consume(t, brokers, batches, 0, time.Second) {
			total += int(decode(t, m)["size"].(float64))
		}
		return total == n-1
	})
	r.shutdown(t)
	if c := testkafka.Committed(t, brokers, cfg.Name+"_"+in, in); c[0] != n/2 || c[1] != n/2 {
		t.Errorf("committed %v, want %d on both partitions", c, n/2)
	}
	mu.Lock()
	defer mu.Unlock()
	if largest > size {
		t.Errorf("a batch of %d messages, more than BatchSize %d", largest, size)
	}
	if dls := r.rec.of(events.MessageDeadLettered); len(dls) != 1 || dls[0].Partition != 1 || dls[0].Offset != 6 {
		t.Errorf("MessageDeadLettered events %+v, want one for 1@6", dls)
	}
}
