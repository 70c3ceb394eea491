package testkafka

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topicsync"
)

// EnvBrokers names the variable holding a comma-separated broker list.
const EnvBrokers = "KARAFKA_TEST_BROKERS"

// External reports whether tests run against KARAFKA_TEST_BROKERS.
func External() bool { return os.Getenv(EnvBrokers) != "" }

// Brokers returns the brokers for t: KARAFKA_TEST_BROKERS, or a fresh
// embedded broker closed when t ends.
func Brokers(t testing.TB) []string {
	t.Helper()
	if v := os.Getenv(EnvBrokers); v != "" {
		return strings.Split(v, ",")
	}
	return Embedded(t).Addrs()
}

// Embedded starts a fresh embedded broker on a random loopback port.
func Embedded(t testing.TB, opts ...embedded.Option) *embedded.Broker {
	t.Helper()
	b, err := embedded.Start(append([]embedded.Option{embedded.Addr("127.0.0.1:0")}, opts...)...)
	if err != nil {
		t.Fatalf("embedded broker: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

var unsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Name returns base plus a random suffix, unique across runs, safe as a
// topic or group name.
func Name(t testing.TB, base string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return unsafe.ReplaceAllString(base, "_") + "_" + hex.EncodeToString(b[:])
}

// EnvClient names the variable choosing the client library (kafka.client)
// that tests run on: sarama (the default) or franz.
const EnvClient = "KARAFKA_TEST_CLIENT"

// Client returns the client library tests run on: KARAFKA_TEST_CLIENT,
// or kafka.ClientSarama when it is unset.
func Client() string {
	if v := os.Getenv(EnvClient); v != "" {
		return v
	}
	return kafka.ClientSarama
}

// Config returns a kafka.Config for brokers, on the client library
// [Client] names.
func Config(brokers []string) kafka.Config {
	c := kafka.DefaultConfig()
	c.Brokers = brokers
	c.ClientID = "karafka-test"
	c.Client = Client()
	return c
}

// CreateTopics creates topics with the given partition count.
func CreateTopics(t testing.TB, brokers []string, partitions int32, topics ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := topicsync.EnsureTopics(ctx, Config(brokers), partitions, topics...); err != nil {
		t.Fatalf("create topics %v: %v", topics, err)
	}
}

func saramaConfig(t testing.TB, brokers []string) *sarama.Config {
	t.Helper()
	sc, err := Config(brokers).Sarama()
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// Record is a message to produce in tests.
type Record struct {
	Key       string
	Value     string
	Partition int32 // used when >= 0 and Explicit
	Explicit  bool
	Headers   map[string]string
}

// Produce writes records synchronously (acks=all) and fails t on error. The
// producer is idempotent: a request it retries (a broker that answered late
// or not yet led a new partition) never writes a record twice, so a test
// that counts responses sees each input once.
func Produce(t testing.TB, brokers []string, topic string, recs ...Record) {
	t.Helper()
	sc := saramaConfig(t, brokers)
	sc.Producer.Return.Successes = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Idempotent = true
	sc.Net.MaxOpenRequests = 1
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	c, err := sarama.NewClient(brokers, sc)
	if err != nil {
		t.Fatalf("produce: %v", err)
	}
	defer c.Close()
	parts, err := c.Partitions(topic)
	if err != nil {
		t.Fatalf("produce: partitions of %s: %v", topic, err)
	}
	p, err := sarama.NewSyncProducerFromClient(c)
	if err != nil {
		t.Fatalf("produce: %v", err)
	}
	defer p.Close()
	msgs := make([]*sarama.ProducerMessage, len(recs))
	for i, r := range recs {
		m := &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(r.Value)}
		if r.Key != "" {
			m.Key = sarama.StringEncoder(r.Key)
		}
		m.Partition = r.Partition
		if !r.Explicit {
			m.Partition = parts[i%len(parts)]
			if r.Key != "" {
				m.Partition = int32(hash(r.Key) % uint32(len(parts)))
			}
		}
		for k, v := range r.Headers {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(k), Value: []byte(v)})
		}
		msgs[i] = m
	}
	if err := p.SendMessages(msgs); err != nil {
		t.Fatalf("produce to %s: %v", topic, err)
	}
}

func hash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// Consume reads every partition of topic from the beginning until want
// messages arrived or timeout passed, and returns what it read (ordered per
// partition). It does not fail t: callers assert on what came back.
func Consume(t testing.TB, brokers []string, topic string, want int, timeout time.Duration) []*sarama.ConsumerMessage {
	t.Helper()
	return consume(t, brokers, topic, want, timeout, sarama.ReadUncommitted)
}

// ConsumeCommitted is Consume with isolation read_committed: records of
// aborted transactions, and of transactions still open, are not returned.
func ConsumeCommitted(t testing.TB, brokers []string, topic string, want int, timeout time.Duration) []*sarama.ConsumerMessage {
	t.Helper()
	return consume(t, brokers, topic, want, timeout, sarama.ReadCommitted)
}

func consume(t testing.TB, brokers []string, topic string, want int, timeout time.Duration, isolation sarama.IsolationLevel) []*sarama.ConsumerMessage {
	t.Helper()
	sc := saramaConfig(t, brokers)
	sc.Consumer.IsolationLevel = isolation
	c, err := sarama.NewConsumer(brokers, sc)
	if err != nil {
		t.Fatalf("consume: %v", err)
	}
	defer c.Close()
	parts, err := c.Partitions(topic)
	if err != nil {
		t.Fatalf("consume: partitions of %s: %v", topic, err)
	}
	out := make(chan *sarama.ConsumerMessage, 1024)
	var pcs []sarama.PartitionConsumer
	for _, p := range parts {
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatalf("consume %s/%d: %v", topic, p, err)
		}
		pcs = append(pcs, pc)
		go func() {
			for m := range pc.Messages() {
				out <- m
			}
		}()
	}
	defer func() {
		for _, pc := range pcs {
			pc.AsyncClose()
		}
	}()
	var got []*sarama.ConsumerMessage
	deadline := time.After(timeout)
	for want < 0 || len(got) < want {
		select {
		case m := <-out:
			got = append(got, m)
		case <-deadline:
			return got
		}
	}
	// A short grace period catches unexpected extra messages.
	grace := time.After(300 * time.Millisecond)
	for {
		select {
		case m := <-out:
			got = append(got, m)
		case <-grace:
			return got
		}
	}
}

// Committed returns the committed offsets of group on topic, per partition
// (-1 when none); empty while the group does not exist yet.
func Committed(t testing.TB, brokers []string, group, topic string) map[int32]int64 {
	t.Helper()
	sc := saramaConfig(t, brokers)
	admin, err := sarama.NewClusterAdmin(brokers, sc)
	if err != nil {
		t.Fatalf("committed: %v", err)
	}
	defer admin.Close()
	resp, err := admin.ListConsumerGroupOffsets(group, nil)
	if errors.Is(err, sarama.ErrGroupIDNotFound) {
		return map[int32]int64{}
	}
	if err != nil {
		t.Fatalf("committed: %v", err)
	}
	out := map[int32]int64{}
	for p, b := range resp.Blocks[topic] {
		out[p] = b.Offset
	}
	return out
}

// Header returns the value of a record header.
func Header(m *sarama.ConsumerMessage, key string) (string, bool) {
	for _, h := range m.Headers {
		if string(h.Key) == key {
			return string(h.Value), true
		}
	}
	return "", false
}
