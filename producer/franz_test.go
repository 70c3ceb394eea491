package producer_test

import (
	"context"
	"errors"
	"fmt"
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

// brokerConfig returns a producer config for a fresh broker (testkafka:
// embedded, or KARAFKA_TEST_BROKERS) on client library client.
func brokerConfig(t testing.TB, client string) producer.Config {
	t.Helper()
	cfg := producer.DefaultConfig()
	cfg.Kafka = testkafka.Config(testkafka.Brokers(t))
	cfg.Kafka.Client = client
	return cfg
}

// A key lands on the same partition whichever client sends it, for
// several partition counts: switching kafka.client moves no key.
func TestProducer_samePartitionOnBothClients(t *testing.T) {
	brokers := testkafka.Brokers(t)
	for _, parts := range []int32{1, 3, 7, 16} {
		t.Run(fmt.Sprint(parts), func(t *testing.T) {
			topic := testkafka.Name(t, "keys")
			testkafka.CreateTopics(t, brokers, parts, topic)
			got := map[string]map[string]int32{} // client -> key -> partition
			for _, client := range []string{kafka.ClientSarama, kafka.ClientFranz} {
				cfg := producer.DefaultConfig()
				cfg.Kafka = testkafka.Config(brokers)
				cfg.Kafka.Client = client
				p := newProducer(t, cfg)
				got[client] = map[string]int32{}
				var mu sync.Mutex
				var wg sync.WaitGroup
				for i := range 200 {
					key := fmt.Sprintf("user-%d", i)
					if i%10 == 0 {
						key = "" // empty, not nil: hashed like any key
					}
					wg.Add(1)
					p.SendAsync(&producer.Message{Topic: topic, Key: []byte(key), Value: []byte("v")}, func(r producer.Result) {
						defer wg.Done()
						if r.Err != nil {
							t.Error(r.Err)
							return
						}
						mu.Lock()
						got[client][key] = r.Partition
						mu.Unlock()
					})
				}
				wg.Wait()
				_ = p.Close()
			}
			used := map[int32]bool{}
			for key, ps := range got[kafka.ClientSarama] {
				used[ps] = true
				if pf := got[kafka.ClientFranz][key]; pf != ps {
					t.Errorf("key %q: sarama partition %d, franz %d", key, ps, pf)
				}
			}
			if len(used) != int(parts) {
				t.Errorf("200 keys used %d of %d partitions", len(used), parts)
			}
		})
	}
}

// A record to a topic that does not exist fails on franz within a few
// seconds (kgo would otherwise wait for the topic until its record
// timeout) with ErrUnknownTopic and Kafka's code, like sarama's.
func TestProducer_franzUnknownTopicBounded(t *testing.T) {
	cfg := brokerConfig(t, kafka.ClientFranz)
	p := newProducer(t, cfg)
	topic := testkafka.Name(t, "missing")
	for i := range 3 {
		start := time.Now()
		_, err := p.Send(context.Background(), &producer.Message{Topic: topic, Value: []byte("x")})
		d := time.Since(start)
		if !errors.Is(err, producer.ErrUnknownTopic) || !errors.Is(err, kclient.ErrUnknownTopicOrPartition) ||
			!strings.Contains(err.Error(), fmt.Sprintf("%q does not exist", topic)) {
			t.Fatalf("send %d: %v, want ErrUnknownTopic naming the topic, with Kafka's code", i, err)
		}
		if d > 5*time.Second {
			t.Fatalf("send %d failed after %s, want within 5s", i, d)
		}
		t.Logf("send %d failed after %s", i, d.Round(time.Millisecond))
	}
}

// A record the broker refuses for good (over the topic's
// max.message.bytes; the embedded broker enforces it as Kafka does) is
// Refused on both clients, with Kafka's code; a record the topic takes is
// delivered by the same producer afterwards.
func TestProducer_brokerRefusalOnBothClients(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		cfg := brokerConfig(t, client)
		topic := testkafka.Name(t, "small")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := topicsync.SyncTopics(ctx, cfg.Kafka, kafka.SyncCreate,
			kafka.Topic{Name: topic, Partitions: 1, Configs: map[string]string{"max.message.bytes": "2000"}}); err != nil {
			t.Fatal(err)
		}
		p := newProducer(t, cfg)
		_, err := p.Send(ctx, &producer.Message{Topic: topic, Value: []byte(strings.Repeat("x", 5000))})
		if !producer.Refused(err) || !errors.Is(err, producer.ErrTooLarge) || !errors.Is(err, kclient.ErrMessageTooLarge) {
			t.Fatalf("err %v, want Refused, ErrTooLarge and MESSAGE_TOO_LARGE", err)
		}
		if _, err := p.Send(ctx, &producer.Message{Topic: topic, Value: []byte("fits")}); err != nil {
			t.Fatalf("a record the topic takes, after the refusal: %v", err)
		}
	})
}

// Close flushes on franz: records lingering in kgo at Close are delivered,
// each callback runs exactly once before Close returns, and later sends
// fail with ErrClosed.
func TestProducer_franzCloseFlushesEveryCallbackOnce(t *testing.T) {
	cfg := newCluster(t, kafka.ClientFranz, 3)
	cfg.FlushFrequency = 200 * time.Millisecond // records still lingering at Close
	p := newProducer(t, cfg)
	const n = 3000
	calls := make([]int, n)
	var mu sync.Mutex
	delivered := 0
	for i := range n {
		p.SendAsync(&producer.Message{Topic: "t", Key: fmt.Appendf(nil, "k%d", i%50), Value: []byte("v")}, func(r producer.Result) {
			mu.Lock()
			defer mu.Unlock()
			calls[i]++
			if r.Err == nil && r.Offset >= 0 {
				delivered++
			}
		})
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	for i, c := range calls {
		if c != 1 {
			t.Fatalf("callback %d ran %d times before Close returned", i, c)
		}
	}
	if delivered != n {
		t.Fatalf("%d of %d delivered", delivered, n)
	}
	mu.Unlock()
	if _, err := p.Send(context.Background(), &producer.Message{Topic: "t"}); !errors.Is(err, producer.ErrClosed) {
		t.Fatalf("Send after Close: %v, want ErrClosed", err)
	}
}

// On franz a transaction's records are visible to read_committed readers
// once committed and never when aborted, also when the abort drops
// records kgo still lingered on; AddOffsets is refused with
// ErrOffsetsUnsupported and leaves the transaction usable.
func TestTransactional_franz(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "txn")
	testkafka.CreateTopics(t, brokers, 2, topic)
	cfg := producer.DefaultConfig()
	cfg.Kafka = testkafka.Config(brokers)
	cfg.Kafka.Client = kafka.ClientFranz
	cfg.FlushFrequency = 50 * time.Millisecond
	p := newTransactional(t, cfg, testkafka.Name(t, "tx"))
	send := func(v string) *sync.WaitGroup {
		var wg sync.WaitGroup
		wg.Add(1)
		p.SendAsync(&producer.Message{Topic: topic, Key: []byte(v), Value: []byte(v)}, func(producer.Result) { wg.Done() })
		return &wg
	}
	for _, c := range []struct {
		values []string
		commit bool
	}{{[]string{"a1", "a2"}, false}, {[]string{"c1", "c2", "c3"}, true}, {[]string{"a3"}, false}} {
		if err := p.BeginTxn(); err != nil {
			t.Fatal(err)
		}
		if !p.InTransaction() {
			t.Fatal("InTransaction false after BeginTxn")
		}
		var waits []*sync.WaitGroup
		for _, v := range c.values {
			waits = append(waits, send(v))
		}
		var err error
		if c.commit {
			err = p.AddOffsets([]kclient.Offset{{Topic: topic, Partition: 0, Offset: 1}}, kclient.Member{Group: "g", MemberID: "m", Generation: 1})
			if !errors.Is(err, producer.ErrOffsetsUnsupported) {
				t.Fatalf("AddOffsets = %v, want ErrOffsetsUnsupported", err)
			}
			err = p.CommitTxn()
		} else {
			err = p.AbortTxn()
		}
		if err != nil {
			t.Fatalf("%v: %v", c.values, err)
		}
		for _, w := range waits {
			w.Wait() // every callback ran (CommitTxn and AbortTxn wait for them)
		}
		if p.InTransaction() || p.Abortable() || p.Fatal() {
			t.Fatalf("after %v: InTransaction %v Abortable %v Fatal %v", c.values, p.InTransaction(), p.Abortable(), p.Fatal())
		}
	}
	var got []string
	for _, m := range testkafka.ConsumeCommitted(t, brokers, topic, 3, 10*time.Second) {
		got = append(got, string(m.Value))
	}
	if len(got) != 3 || strings.Contains(strings.Join(got, ","), "a") {
		t.Fatalf("read_committed got %q, want c1, c2, c3 only", got)
	}
}
