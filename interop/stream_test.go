package interop_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// streamer produces {"id":1..n} to a topic at a steady pace, resending what
// the broker refused (so it rides out a broker restart); sent counts the
// acknowledged inputs.
type streamer struct {
	sent   atomic.Int64
	resent atomic.Int64
	done   chan struct{}
	err    error
}

func stream(t *testing.T, brokers []string, topic string, n int, over time.Duration) *streamer {
	t.Helper()
	sc, err := testkafka.Config(brokers).Sarama()
	if err != nil {
		t.Fatal(err)
	}
	sc.Producer.Return.Successes = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Retry.Max = 5
	sc.Producer.Retry.Backoff = 200 * time.Millisecond
	sc.Producer.Timeout = 5 * time.Second
	sc.Metadata.Retry.Max = 5
	sc.Metadata.Retry.Backoff = 200 * time.Millisecond
	p, err := sarama.NewSyncProducer(brokers, sc)
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	s := &streamer{done: make(chan struct{})}
	const batch = 50
	tick := over / time.Duration((n+batch-1)/batch)
	go func() {
		defer close(s.done)
		defer p.Close()
		next := time.Now()
		deadline := time.Now().Add(over + 2*time.Minute)
		for first := 1; first <= n; first += batch {
			var msgs []*sarama.ProducerMessage
			for id := first; id < first+batch && id <= n; id++ {
				msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(fmt.Sprintf(`{"id":%d}`, id))})
			}
			for len(msgs) > 0 {
				err := p.SendMessages(msgs)
				if err == nil {
					break
				}
				var pe sarama.ProducerErrors
				if !errors.As(err, &pe) || time.Now().After(deadline) {
					s.err = fmt.Errorf("producing ids %d..: %w", first, err)
					return
				}
				msgs = msgs[:0]
				for _, e := range pe {
					m := *e.Msg
					msgs = append(msgs, &sarama.ProducerMessage{Topic: m.Topic, Value: m.Value})
				}
				s.resent.Add(int64(len(msgs)))
				time.Sleep(500 * time.Millisecond)
			}
			s.sent.Store(int64(min(first+batch-1, n)))
			next = next.Add(tick)
			time.Sleep(time.Until(next))
		}
	}()
	t.Cleanup(func() { <-s.done })
	return s
}

func (s *streamer) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(d):
		t.Fatalf("producer still sending after %v (%d sent)", d, s.sent.Load())
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
}

// collector reads every partition of a response topic from the beginning
// and counts the responses per repository id.
type collector struct {
	mu     sync.Mutex
	counts map[int64]int
	ids    int // distinct ids answered, from minID to maxID
	minID  int64
	maxID  int64
	total  int
	bad    []string
	stop   func()
}

func collect(t *testing.T, brokers []string, topic string) *collector {
	t.Helper()
	sc, err := testkafka.Config(brokers).Sarama()
	if err != nil {
		t.Fatal(err)
	}
	sc.Consumer.Retry.Backoff = 200 * time.Millisecond
	sc.Metadata.Retry.Max = 20
	sc.Metadata.Retry.Backoff = 250 * time.Millisecond
	c, err := sarama.NewConsumer(brokers, sc)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	parts, err := c.Partitions(topic)
	if err != nil {
		t.Fatalf("collect: partitions of %s: %v", topic, err)
	}
	col := &collector{counts: map[int64]int{}}
	var pcs []sarama.PartitionConsumer
	var wg sync.WaitGroup
	for _, p := range parts {
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatalf("collect %s/%d: %v", topic, p, err)
		}
		pcs = append(pcs, pc)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range pc.Errors() { // retried by sarama; drained so it never blocks
			}
		}()
		go func() {
			defer wg.Done()
			for m := range pc.Messages() {
				var src struct {
					RepositoryID *int64 `json:"repository_id"`
				}
				col.mu.Lock()
				col.total++
				if json.Unmarshal(m.Value, &src) != nil || src.RepositoryID == nil {
					col.bad = append(col.bad, string(m.Value))
				} else {
					if id := *src.RepositoryID; col.counts[id] == 0 {
						col.ids++
						if col.ids == 1 || id < col.minID {
							col.minID = id
						}
						col.maxID = max(col.maxID, id)
					}
					col.counts[*src.RepositoryID]++
				}
				col.mu.Unlock()
			}
		}()
	}
	var once sync.Once
	col.stop = func() {
		once.Do(func() {
			for _, pc := range pcs {
				pc.AsyncClose()
			}
			wg.Wait()
			_ = c.Close()
		})
	}
	t.Cleanup(col.stop)
	return col
}

// answered returns how many of ids 1..n have a response.
func (c *collector) answered(n int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == 0 {
		return 0
	}
	if c.minID >= 1 && c.maxID <= int64(n) {
		return c.ids // every id seen is in 1..n: no need to scan n ids
	}
	got := 0
	for id := int64(1); id <= int64(n); id++ {
		if c.counts[id] > 0 {
			got++
		}
	}
	return got
}

// report checks that ids 1..n each have at least one response and nothing
// else came, and returns the duplicates (responses beyond the first).
func (c *collector) report(t *testing.T, n int) (duplicates int, dupIDs int) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var lost []int64
	for id := int64(1); id <= int64(n); id++ {
		switch k := c.counts[id]; {
		case k == 0:
			lost = append(lost, id)
		case k > 1:
			duplicates += k - 1
			dupIDs++
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d of %d inputs have no response (first: %v)", len(lost), n, lost[:min(len(lost), 20)])
	}
	if len(c.counts) != n-len(lost) || len(c.bad) > 0 {
		t.Errorf("unexpected responses: %d ids answered for %d inputs, %d malformed (%q)", len(c.counts), n, len(c.bad), c.bad[:min(len(c.bad), 5)])
	}
	return duplicates, dupIDs
}
