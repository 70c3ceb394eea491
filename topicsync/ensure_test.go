package topicsync_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topicsync"
)

// newCluster starts a fresh one-broker kfake cluster for one test.
func newCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func partitionsOf(t *testing.T, c kafka.Config, topic string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := clients.NewAdmin(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ts, err := admin.ListTopics(ctx, topic)
	if err != nil {
		t.Fatalf("partitions of %q: %v", topic, err)
	}
	return int(ts[topic].Partitions)
}

func TestEnsureTopics_createsMissing(t *testing.T) {
	tests := []struct {
		name     string
		seed     []string
		topics   []string
		wantPart map[string]int
	}{
		{"all new", nil, []string{"a", "b"}, map[string]int{"a": 3, "b": 3}},
		{"existing kept", []string{"a"}, []string{"a", "b"}, map[string]int{"a": 1, "b": 3}},
		{"nothing to do", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := newCluster(t, kfake.SeedTopics(1, tt.seed...))
			c := testkafka.Config(cl.ListenAddrs())
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := topicsync.EnsureTopics(ctx, c, 3, tt.topics...); err != nil {
				t.Fatal(err)
			}
			// Twice is fine.
			if err := topicsync.EnsureTopics(ctx, c, 3, tt.topics...); err != nil {
				t.Fatal(err)
			}
			for topic, want := range tt.wantPart {
				if got := partitionsOf(t, c, topic); got != want {
					t.Errorf("topic %q has %d partitions, want %d", topic, got, want)
				}
			}
		})
	}
}

func TestEnsureTopics_errors(t *testing.T) {
	tests := []struct {
		name       string
		partitions int32
		topics     []string
		want       []error
		contains   string
	}{
		{"zero partitions", 0, []string{"a"}, []error{kafka.ErrTopicSetup, kafka.ErrInvalidConfig}, "partitions"},
		{"empty name", 1, []string{""}, []error{kafka.ErrTopicSetup, kafka.ErrInvalidConfig, kafka.ErrInvalidTopicName}, `topic name ""`},
		{"invalid name", 1, []string{"ok", "bad/name"}, []error{kafka.ErrTopicSetup, kafka.ErrInvalidConfig, kafka.ErrInvalidTopicName}, `topic name "bad/name"`},
		{"dots only", 1, []string{".."}, []error{kafka.ErrTopicSetup, kafka.ErrInvalidConfig, kafka.ErrInvalidTopicName}, `topic name ".."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := newCluster(t)
			c := testkafka.Config(cl.ListenAddrs())
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			err := topicsync.EnsureTopics(ctx, c, tt.partitions, tt.topics...)
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("EnsureTopics() = %v, want %v", err, w)
				}
			}
			if err == nil || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("EnsureTopics() = %v, want it to contain %q", err, tt.contains)
			}
		})
	}
}

func TestEnsureTopics_retriesUntilBrokerUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	c := testkafka.Config([]string{ln.Addr().String()})
	c.DialTimeout = time.Second
	go func() {
		time.Sleep(500 * time.Millisecond)
		cl, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port))
		if err != nil {
			t.Error(err)
			return
		}
		t.Cleanup(cl.Close)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := topicsync.EnsureTopics(ctx, c, 2, "late"); err != nil {
		t.Fatal(err)
	}
	if got := partitionsOf(t, c, "late"); got != 2 {
		t.Errorf("partitions = %d, want 2", got)
	}
}

func TestEnsureTopics_givesUpWithContext(t *testing.T) {
	c := testkafka.Config([]string{"127.0.0.1:1"})
	c.DialTimeout = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := topicsync.EnsureTopics(ctx, c, 1, "t1", "t2")
	if !errors.Is(err, kafka.ErrTopicSetup) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("EnsureTopics() = %v, want ErrTopicSetup and DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), `"t1" "t2"`) {
		t.Errorf("error %q does not name the topics", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s after the context ended", d)
	}
}

func TestConfig_SaramaSASL(t *testing.T) {
	tests := []struct {
		name      string
		mechanism string
		password  string
		wantErr   bool
	}{
		{"plain", "PLAIN", "pw", false},
		{"scram-sha-256", "SCRAM-SHA-256", "pw", false},
		{"scram-sha-512", "SCRAM-SHA-512", "pw", false},
		{"wrong password", "SCRAM-SHA-512", "nope", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := newCluster(t, kfake.EnableSASL(), kfake.Superuser(tt.mechanism, "app", "pw"))
			c := testkafka.Config(cl.ListenAddrs())
			c.SASL = kafka.SASLConfig{Mechanism: tt.mechanism, Username: "app", Password: tt.password}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			err := topicsync.EnsureTopics(ctx, c, 1, "secured")
			if (err != nil) != tt.wantErr {
				t.Fatalf("EnsureTopics() = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestConfig_SaramaTLS(t *testing.T) {
	dir := t.TempDir()
	caFile, serverCert := testkafka.WriteCA(t, dir)
	cl := newCluster(t, kfake.TLS(&tls.Config{Certificates: []tls.Certificate{serverCert}, MinVersion: tls.VersionTLS12}))

	c := testkafka.Config(cl.ListenAddrs())
	c.TLS = kafka.TLSConfig{Enabled: true, CAFile: caFile}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := topicsync.EnsureTopics(ctx, c, 1, "encrypted"); err != nil {
		t.Fatal(err)
	}
}

// TestEnsureTopics_leadersReadyOnReturn produces to every partition of new
// topics the moment EnsureTopics returns, with a client that does not retry:
// on a real cluster a partition whose leader is not elected yet answers
// NOT_LEADER_OR_FOLLOWER or LEADER_NOT_AVAILABLE. Runs against
// KARAFKA_TEST_BROKERS when set (CI: real Kafka), else an embedded broker.
func TestEnsureTopics_leadersReadyOnReturn(t *testing.T) {
	brokers := testkafka.Brokers(t)
	c := testkafka.Config(brokers)
	topics := make([]string, 6)
	for i := range topics {
		topics[i] = testkafka.Name(t, "ensure_ready")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const partitions = 4
	if err := topicsync.EnsureTopics(ctx, c, partitions, topics...); err != nil {
		t.Fatal(err)
	}
	sc, err := c.Sarama()
	if err != nil {
		t.Fatal(err)
	}
	sc.Producer.Return.Successes = true
	sc.Producer.Retry.Max = 0
	sc.Metadata.Retry.Max = 0
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	// Consuming first: a ListOffsets (the start offset) reaches the leader
	// before anything else does.
	cons, err := sarama.NewConsumer(brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	for _, topic := range topics {
		for p := int32(0); p < partitions; p++ {
			pc, err := cons.ConsumePartition(topic, p, sarama.OffsetOldest)
			if err != nil {
				t.Fatalf("consume %s/%d right after EnsureTopics: %v", topic, p, err)
			}
			pc.AsyncClose()
		}
	}
	prod, err := sarama.NewSyncProducer(brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	for _, topic := range topics {
		for p := int32(0); p < partitions; p++ {
			if _, _, err := prod.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: p, Value: sarama.StringEncoder("x")}); err != nil {
				t.Fatalf("produce to %s/%d right after EnsureTopics: %v", topic, p, err)
			}
		}
	}
}
