package producer_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	kclient "github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/topicsync"
)

// Kafka refuses a whole batch when one record of it is over the topic's
// max.message.bytes, and both libraries fail every record of it: a burst
// lingering into one batch per partition, with one big record among small
// ones, has only the big one refused. The small ones are delivered, each
// once and in the order sent per partition, and every callback runs
// exactly once, also when Close comes while the records are sent again.
func TestProducer_refusedBatchRefusesOnlyTheBigRecord(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		for _, closeEarly := range []bool{false, true} {
			t.Run(fmt.Sprintf("close_during_probes=%v", closeEarly), func(t *testing.T) {
				refusedBatch(t, client, closeEarly)
			})
		}
	})
}

func refusedBatch(t *testing.T, client string, closeEarly bool) {
	const (
		parts = 2
		small = 20 // per partition
		big   = 7  // the index of the big record, on bigPart
		// Not partition 0: a record sent again alone must go back to its
		// own partition, whichever it is.
		bigPart = parts - 1
	)
	cfg := brokerConfig(t, client)
	// A linger far longer than the burst, so each partition's records
	// share one batch.
	cfg.FlushFrequency = 500 * time.Millisecond
	topic := testkafka.Name(t, "burst")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := topicsync.SyncTopics(ctx, cfg.Kafka, kafka.SyncCreate,
		kafka.Topic{Name: topic, Partitions: parts, Configs: map[string]string{"max.message.bytes": "2000"}}); err != nil {
		t.Fatal(err)
	}
	p, err := producer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	type sent struct {
		msg   *producer.Message
		mu    sync.Mutex
		calls int
		res   producer.Result
	}
	var (
		all []*sent
		wg  sync.WaitGroup
	)
	for i := range small {
		for part := range int32(parts) {
			value := "small-" + strconv.Itoa(int(part)) + "-" + strconv.Itoa(i)
			if part == bigPart && i == big {
				value = strings.Repeat("B", 5000)
			}
			s := &sent{msg: &producer.Message{Topic: topic, Value: []byte(value), Partition: part, ExplicitPartition: true}}
			all = append(all, s)
		}
	}
	// With closeEarly, the first callback of bigPart (whose batch the
	// big record spoils) comes from a record sent again alone: Close
	// starts then, while the others are still to be sent again.
	var (
		closeOnce sync.Once
		closed    = make(chan struct{})
	)
	wg.Add(len(all))
	for _, s := range all {
		p.SendAsync(s.msg, func(r producer.Result) {
			s.mu.Lock()
			s.calls++
			s.res = r
			s.mu.Unlock()
			if closeEarly && s.msg.Partition == bigPart {
				closeOnce.Do(func() {
					go func() {
						_ = p.Close()
						close(closed)
					}()
				})
			}
			wg.Done()
		})
	}
	waited := make(chan struct{})
	go func() { wg.Wait(); close(waited) }()
	if closeEarly {
		select {
		case <-closed:
		case <-ctx.Done():
			t.Fatal("Close did not return")
		}
		select {
		case <-waited:
		default:
			t.Fatal("Close returned before every callback ran")
		}
		if _, err := p.Send(ctx, &producer.Message{Topic: topic}); !errors.Is(err, producer.ErrClosed) {
			t.Errorf("send after Close: %v, want ErrClosed", err)
		}
	}
	select {
	case <-waited:
	case <-ctx.Done():
		t.Fatal("callbacks missing")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	var delivered int
	for _, s := range all {
		s.mu.Lock()
		calls, r := s.calls, s.res
		s.mu.Unlock()
		if calls != 1 {
			t.Errorf("%.20s: %d callbacks, want 1", s.msg.Value, calls)
		}
		if len(s.msg.Value) > 1000 {
			if !producer.Refused(r.Err) || !errors.Is(r.Err, producer.ErrTooLarge) || !errors.Is(r.Err, kclient.ErrMessageTooLarge) {
				t.Errorf("the big record: err %v, want Refused, ErrTooLarge and MESSAGE_TOO_LARGE", r.Err)
			}
			continue
		}
		if r.Err != nil {
			t.Errorf("%s: %v, want delivered (refused only for sharing a batch with the big record?)", s.msg.Value, r.Err)
			continue
		}
		if r.Partition != s.msg.Partition {
			t.Errorf("%s: delivered to partition %d, want %d", s.msg.Value, r.Partition, s.msg.Partition)
		}
		delivered++
	}
	if t.Failed() {
		return
	}

	// Each small record once, in the order sent per partition.
	got := testkafka.Consume(t, cfg.Kafka.Brokers, topic, delivered, 20*time.Second)
	if len(got) != delivered {
		t.Errorf("read %d records, want the %d delivered", len(got), delivered)
	}
	next := [parts]int{}
	for _, m := range got {
		var part, i int
		if _, err := fmt.Sscanf(string(m.Value), "small-%d-%d", &part, &i); err != nil || int32(part) != m.Partition {
			t.Fatalf("read %q from partition %d", m.Value, m.Partition)
		}
		if part == bigPart && next[bigPart] == big {
			next[bigPart]++ // refused
		}
		if i != next[part] {
			t.Errorf("partition %d offset %d: %q, want small-%d-%d", m.Partition, m.Offset, m.Value, part, next[part])
		}
		next[part] = i + 1
	}
}
