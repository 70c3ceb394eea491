package producer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/rcrowley/go-metrics"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	kclient "github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
)

// newCluster starts a fresh one-broker kfake cluster with topic "t" of
// partitions partitions and returns a producer config pointing at it, on
// client library client.
func newCluster(t testing.TB, client string, partitions int32) producer.Config {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, "t"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cfg := producer.DefaultConfig()
	cfg.Kafka.Brokers = c.ListenAddrs()
	cfg.Kafka.Client = client
	return cfg
}

func newProducer(t testing.TB, cfg producer.Config) *producer.Producer {
	t.Helper()
	p, err := producer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// readBack consumes n records of topic "t" partition from the start.
func readBack(t *testing.T, cfg producer.Config, partition int32, n int) []*sarama.ConsumerMessage {
	t.Helper()
	sc, err := cfg.Kafka.Sarama()
	if err != nil {
		t.Fatal(err)
	}
	c, err := sarama.NewConsumer(cfg.Kafka.Brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pc, err := c.ConsumePartition("t", partition, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	var got []*sarama.ConsumerMessage
	timeout := time.After(10 * time.Second)
	for len(got) < n {
		select {
		case m := <-pc.Messages():
			got = append(got, m)
		case <-timeout:
			t.Fatalf("read %d of %d records", len(got), n)
		}
	}
	return got
}

func TestProducer_Send(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		tests := []struct {
			name string
			msg  producer.Message
		}{
			{"value only", producer.Message{Topic: "t", Value: []byte("v")}},
			{"key and headers", producer.Message{Topic: "t", Key: []byte("k"), Value: []byte("v"),
				Headers: []producer.Header{{Key: "a", Value: []byte("1")}, {Key: "a", Value: []byte("2")}, {Key: "b"}}}},
			{"tombstone", producer.Message{Topic: "t", Key: []byte("k")}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cfg := newCluster(t, client, 1)
				p := newProducer(t, cfg)
				r, err := p.Send(context.Background(), &tt.msg)
				if err != nil {
					t.Fatal(err)
				}
				if r.Message != &tt.msg || r.Partition != 0 || r.Offset != 0 {
					t.Errorf("Result = %+v", r)
				}
				got := readBack(t, cfg, 0, 1)[0]
				if string(got.Key) != string(tt.msg.Key) || string(got.Value) != string(tt.msg.Value) {
					t.Errorf("read key %q value %q", got.Key, got.Value)
				}
				if (got.Key == nil) != (tt.msg.Key == nil) || (got.Value == nil) != (tt.msg.Value == nil) {
					t.Errorf("nil-ness lost: key %v value %v", got.Key, got.Value)
				}
				if len(got.Headers) != len(tt.msg.Headers) {
					t.Fatalf("read %d headers, want %d", len(got.Headers), len(tt.msg.Headers))
				}
				for i, h := range tt.msg.Headers {
					if string(got.Headers[i].Key) != h.Key || string(got.Headers[i].Value) != string(h.Value) {
						t.Errorf("header %d = %q:%q, want %q:%q", i, got.Headers[i].Key, got.Headers[i].Value, h.Key, h.Value)
					}
				}
			})
		}
	})
}

func TestProducer_SendAsync(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		const n = 2000
		cfg := newCluster(t, client, 4)
		p := newProducer(t, cfg)

		var (
			mu      sync.Mutex
			offsets = map[int32][]int64{}
			wg      sync.WaitGroup
		)
		wg.Add(n)
		for i := range n {
			msg := &producer.Message{Topic: "t", Key: fmt.Appendf(nil, "k%d", i%16), Value: fmt.Appendf(nil, "v%d", i)}
			p.SendAsync(msg, func(r producer.Result) {
				defer wg.Done()
				if r.Err != nil {
					t.Error(r.Err)
					return
				}
				mu.Lock()
				offsets[r.Partition] = append(offsets[r.Partition], r.Offset)
				mu.Unlock()
			})
		}
		wg.Wait()
		total := 0
		for part, offs := range offsets {
			for i, o := range offs {
				if o != int64(i) {
					t.Fatalf("partition %d: callback %d has offset %d", part, i, o)
				}
			}
			total += len(offs)
		}
		if total != n {
			t.Errorf("%d callbacks with offsets, want %d", total, n)
		}
	})
}

func TestProducer_partitioning(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		tests := []struct {
			name string
			msgs []producer.Message
			want func(t *testing.T, parts []int32)
		}{
			{"explicit partition honoured", []producer.Message{
				{Topic: "t", Value: []byte("a"), Partition: 2, ExplicitPartition: true},
				{Topic: "t", Key: []byte("x"), Value: []byte("b"), Partition: 3, ExplicitPartition: true},
			}, func(t *testing.T, parts []int32) {
				if parts[0] != 2 || parts[1] != 3 {
					t.Errorf("partitions = %v, want [2 3]", parts)
				}
			}},
			{"same key same partition", []producer.Message{
				{Topic: "t", Key: []byte("user-1"), Value: []byte("a")},
				{Topic: "t", Key: []byte("user-1"), Value: []byte("b")},
				{Topic: "t", Key: []byte("user-1"), Value: []byte("c")},
			}, func(t *testing.T, parts []int32) {
				if parts[0] != parts[1] || parts[1] != parts[2] {
					t.Errorf("partitions = %v, want all equal", parts)
				}
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cfg := newCluster(t, client, 4)
				p := newProducer(t, cfg)
				var parts []int32
				for i := range tt.msgs {
					r, err := p.Send(context.Background(), &tt.msgs[i])
					if err != nil {
						t.Fatal(err)
					}
					parts = append(parts, r.Partition)
				}
				tt.want(t, parts)
			})
		}
	})
}

func TestProducer_explicitPartitionOutOfRange(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		cfg := newCluster(t, client, 2)
		p := newProducer(t, cfg)
		for _, part := range []int32{7, -1} {
			_, err := p.Send(context.Background(), &producer.Message{Topic: "t", Partition: part, ExplicitPartition: true})
			if err == nil || !strings.Contains(err.Error(), `topic "t"`) {
				t.Errorf("Send(partition %d) = %v, want an error naming the topic", part, err)
			}
			// sarama's own sentinel; kgo's error has none ("invalid record
			// partitioning choice").
			if client == kafka.ClientSarama && !errors.Is(err, sarama.ErrInvalidPartition) {
				t.Errorf("Send(partition %d) = %v, want sarama.ErrInvalidPartition", part, err)
			}
		}
	})
}

// A topic that does not exist is named, with Kafka's error, in every result:
// also once sarama's circuit breaker for the topic opened after three
// failures and stopped asking the cluster (its own error names neither).
// franz-go has no breaker: each record fails once kgo heard
// UNKNOWN_TOPIC_OR_PARTITION a few times, within a few seconds.
func TestProducer_unknownTopicNamed(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		cfg := newCluster(t, client, 1)
		p := newProducer(t, cfg)
		want := `producer: topic "nope" does not exist (UNKNOWN_TOPIC_OR_PARTITION)`
		breakerOpen := false
		for i := range 5 {
			start := time.Now()
			_, err := p.Send(context.Background(), &producer.Message{Topic: "nope", Value: []byte("x")})
			if !errors.Is(err, producer.ErrUnknownTopic) || !strings.HasPrefix(fmt.Sprint(err), want) ||
				!errors.Is(err, kclient.ErrUnknownTopicOrPartition) {
				t.Fatalf("send %d: %v, want ErrUnknownTopic reading %q, with Kafka's code", i, err, want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("send %d failed after %s, want within 5s", i, d)
			}
			breakerOpen = breakerOpen || strings.Contains(err.Error(), "circuit breaker is open")
		}
		if client == kafka.ClientSarama && !breakerOpen {
			t.Error("no send met the open circuit breaker: the test no longer covers it")
		}
	})
}

func TestProducer_Close(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		const n = 500
		cfg := newCluster(t, client, 2)
		cfg.FlushFrequency = 50 * time.Millisecond // keep records lingering at Close
		p := newProducer(t, cfg)

		var ok, failed sync.WaitGroup
		var mu sync.Mutex
		delivered := 0
		ok.Add(n)
		for i := range n {
			p.SendAsync(&producer.Message{Topic: "t", Value: fmt.Appendf(nil, "%d", i)}, func(r producer.Result) {
				defer ok.Done()
				if r.Err == nil {
					mu.Lock()
					delivered++
					mu.Unlock()
				}
			})
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		// Every callback already ran: Wait must not block.
		waited := make(chan struct{})
		go func() { ok.Wait(); close(waited) }()
		select {
		case <-waited:
		case <-time.After(time.Second):
			t.Fatal("Close returned before every callback ran")
		}
		if delivered != n {
			t.Errorf("%d of %d delivered before Close returned", delivered, n)
		}

		// After Close: ErrClosed, synchronously.
		failed.Add(1)
		var got error
		p.SendAsync(&producer.Message{Topic: "t"}, func(r producer.Result) { got = r.Err; failed.Done() })
		failed.Wait()
		if !errors.Is(got, producer.ErrClosed) {
			t.Errorf("SendAsync after Close: %v, want ErrClosed", got)
		}
		if _, err := p.Send(context.Background(), &producer.Message{Topic: "t"}); !errors.Is(err, producer.ErrClosed) {
			t.Errorf("Send after Close: %v, want ErrClosed", err)
		}
		p.SendAsync(&producer.Message{Topic: "t"}, nil) // nil callback is fine
		if err := p.Close(); err != nil {
			t.Errorf("second Close() = %v", err)
		}
	})
}

func TestProducer_CloseConcurrentWithSends(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		cfg := newCluster(t, client, 2)
		p := newProducer(t, cfg)
		var calls sync.WaitGroup
		var senders sync.WaitGroup
		for range 8 {
			senders.Add(1)
			go func() {
				defer senders.Done()
				for range 200 {
					calls.Add(1)
					p.SendAsync(&producer.Message{Topic: "t", Value: []byte("x")}, func(r producer.Result) {
						if r.Err != nil && !errors.Is(r.Err, producer.ErrClosed) {
							t.Error(r.Err)
						}
						calls.Done()
					})
				}
			}()
		}
		time.Sleep(5 * time.Millisecond)
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		senders.Wait()
		calls.Wait() // every callback ran exactly once (a second Done would panic)
	})
}

func TestProducer_SendContext(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		cfg := newCluster(t, client, 1)
		p := newProducer(t, cfg)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := p.Send(ctx, &producer.Message{Topic: "t"}); !errors.Is(err, context.Canceled) {
			t.Errorf("Send(cancelled) = %v, want context.Canceled", err)
		}
	})
}

func TestNew_unreachable(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		cfg := producer.DefaultConfig()
		cfg.Kafka.Client = client
		cfg.Kafka.Brokers = []string{"127.0.0.1:1"}
		cfg.Kafka.DialTimeout = 200 * time.Millisecond
		var opts []producer.Option
		if client == kafka.ClientSarama {
			opts = append(opts, producer.WithSaramaConfig(func(c *sarama.Config) { c.Metadata.Retry.Max = 0 }))
		}
		start := time.Now()
		_, err := producer.New(cfg, opts...)
		if !errors.Is(err, producer.ErrUnreachable) {
			t.Fatalf("New() = %v, want ErrUnreachable", err)
		}
		if client == kafka.ClientSarama && !errors.Is(err, sarama.ErrOutOfBrokers) {
			t.Fatalf("New() = %v, want it wrapping sarama.ErrOutOfBrokers", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("New took %s", d)
		}
	})
}

// Each client library's option is refused on the other, naming the
// option: settings the caller meant to make are never silently dropped.
func TestNew_optionOfTheOtherClient(t *testing.T) {
	cfg := newCluster(t, kafka.ClientFranz, 1)
	_, err := producer.New(cfg, producer.WithSaramaConfig(func(*sarama.Config) {}))
	if !errors.Is(err, kafka.ErrInvalidConfig) || !strings.Contains(err.Error(), "WithSaramaConfig") {
		t.Errorf("franz with WithSaramaConfig: %v, want kafka.ErrInvalidConfig naming it", err)
	}
	_, err = producer.NewTransactional(cfg, "tx", producer.WithSaramaConfig(func(*sarama.Config) {}))
	if !errors.Is(err, kafka.ErrInvalidConfig) || !strings.Contains(err.Error(), "WithSaramaConfig") {
		t.Errorf("franz NewTransactional with WithSaramaConfig: %v, want kafka.ErrInvalidConfig naming it", err)
	}
	cfg.Kafka.Client = kafka.ClientSarama
	_, err = producer.New(cfg, producer.WithFranzOptions(kgo.ClientID("x")))
	if !errors.Is(err, kafka.ErrInvalidConfig) || !strings.Contains(err.Error(), "WithFranzOptions") {
		t.Errorf("sarama with WithFranzOptions: %v, want kafka.ErrInvalidConfig naming it", err)
	}
}

// TestWithSaramaConfig_metricRegistry checks that sarama's metrics, off
// in every configuration kafka.Config.Sarama builds, come back for a user
// who sets a registry of their own.
func TestWithSaramaConfig_metricRegistry(t *testing.T) {
	cfg := newCluster(t, kafka.ClientSarama, 1)
	reg := metrics.NewRegistry()
	p, err := producer.New(cfg, producer.WithSaramaConfig(func(c *sarama.Config) { c.MetricRegistry = reg }))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Send(context.Background(), &producer.Message{Topic: "t", Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	// read before Close, which unregisters the producer's metrics
	if m, ok := reg.Get("record-send-rate").(metrics.Meter); !ok || m.Count() != 1 {
		t.Errorf("record-send-rate = %#v, want a meter that counted 1 record", reg.Get("record-send-rate"))
	}
}

// TestDefaultConfig_noLinger checks that the defaults reach sarama as the
// one flush setting in which it sends as soon as it can (produceSet.
// readyToFlush: Frequency, Bytes and Messages all 0); records batch up
// anyway while a partition's previous request is in flight.
func TestDefaultConfig_noLinger(t *testing.T) {
	cfg := newCluster(t, kafka.ClientSarama, 1)
	var flush struct {
		freq        time.Duration
		bytes, msgs int
	}
	p, err := producer.New(cfg, producer.WithSaramaConfig(func(c *sarama.Config) {
		flush.freq, flush.bytes, flush.msgs = c.Producer.Flush.Frequency, c.Producer.Flush.Bytes, c.Producer.Flush.Messages
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if flush.freq != 0 || flush.bytes != 0 || flush.msgs != 0 {
		t.Errorf("sarama Flush = {Frequency %s, Bytes %d, Messages %d}, want all 0", flush.freq, flush.bytes, flush.msgs)
	}
}

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*producer.Config)
		want   []string
	}{
		{"defaults", func(*producer.Config) {}, nil},
		{"acks leader without idempotence", func(c *producer.Config) { c.Acks = "leader"; c.Idempotent = false }, nil},
		{"bad acks", func(c *producer.Config) { c.Acks = "some" }, []string{`producer.acks: "some" (allowed: all, leader, none)`}},
		{"idempotent needs acks all", func(c *producer.Config) { c.Acks = "none" }, []string{`producer.idempotent: requires producer.acks "all", got "none"`}},
		{"idempotent needs retries", func(c *producer.Config) { c.RetryMax = 0 }, []string{"producer.idempotent: requires producer.retry_max >= 1"}},
		{"bad compression", func(c *producer.Config) { c.Compression = "brotli" }, []string{`producer.compression: "brotli"`}},
		{"zstd on old kafka", func(c *producer.Config) { c.Compression = "zstd"; c.Kafka.Version = "2.0.0" }, []string{`"zstd" requires kafka.version >= 2.1.0`}},
		{"negative numbers", func(c *producer.Config) {
			c.FlushFrequency, c.FlushMessages, c.ChannelBufferSize, c.RetryBackoff = -1, -1, -1, -1
		}, []string{"producer.flush_frequency", "producer.flush_messages", "producer.channel_buffer_size", "producer.retry_backoff"}},
		{"old linger defaults", func(c *producer.Config) { c.FlushFrequency, c.FlushMessages = 5*time.Millisecond, 500 }, nil},
		{"linger without record trigger", func(c *producer.Config) { c.FlushFrequency, c.FlushMessages = time.Millisecond, 0 }, nil},
		{"record trigger without linger", func(c *producer.Config) { c.FlushFrequency, c.FlushMessages = 0, 500 }, []string{"producer.flush_messages: 500 requires producer.flush_frequency > 0"}},
		{"kafka problems included", func(c *producer.Config) { c.Kafka.Brokers = nil }, []string{"kafka.brokers: at least one broker is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := producer.DefaultConfig()
			c.Kafka.Brokers = []string{"127.0.0.1:9092"}
			tt.modify(&c)
			err := c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			if !errors.Is(err, kafka.ErrInvalidConfig) {
				t.Fatalf("Validate() = %v, want kafka.ErrInvalidConfig", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
			if _, err := producer.New(c); !errors.Is(err, kafka.ErrInvalidConfig) {
				t.Errorf("New() = %v, want kafka.ErrInvalidConfig", err)
			}
		})
	}
}
