package embedded_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/kafka"
)

func start(t *testing.T, opts ...embedded.Option) *embedded.Broker {
	t.Helper()
	b, err := embedded.Start(append([]embedded.Option{embedded.Addr("127.0.0.1:0")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// roundTrip produces value to topic partition 0 and consumes it back.
func roundTrip(t *testing.T, b *embedded.Broker, topic, value string) {
	t.Helper()
	c := kafka.DefaultConfig()
	c.Brokers = b.Addrs()
	sc, err := c.Sarama()
	if err != nil {
		t.Fatal(err)
	}
	sc.Producer.Return.Successes = true
	sp, err := sarama.NewSyncProducer(c.Brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	part, off, err := sp.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: 0, Value: sarama.StringEncoder(value)})
	if err != nil {
		t.Fatalf("produce to %q: %v", topic, err)
	}
	cons, err := sarama.NewConsumer(c.Brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	pc, err := cons.ConsumePartition(topic, part, off)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	select {
	case m := <-pc.Messages():
		if string(m.Value) != value {
			t.Errorf("consumed %q, want %q", m.Value, value)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("nothing consumed from %q", topic)
	}
}

func TestBroker_produceConsume(t *testing.T) {
	tests := []struct {
		name   string
		opts   []embedded.Option
		create []string
		topic  string
	}{
		{"topic created later", nil, []string{"orders", "users"}, "orders"},
		{"topic pre-created", []embedded.Option{embedded.Topics(3, "seeded")}, nil, "seeded"},
		{"pre-created and created again", []embedded.Option{embedded.Topics(1, "both")}, []string{"both"}, "both"},
		{"localhost", []embedded.Option{embedded.Addr("localhost:0"), embedded.Topics(1, "x")}, nil, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := start(t, tt.opts...)
			if len(b.Addrs()) != 1 || strings.HasSuffix(b.Addrs()[0], ":0") {
				t.Fatalf("Addrs() = %v", b.Addrs())
			}
			if len(tt.create) > 0 {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := b.CreateTopics(ctx, 2, tt.create...); err != nil {
					t.Fatal(err)
				}
			}
			roundTrip(t, b, tt.topic, "hello "+tt.name)
		})
	}
}

func TestBroker_twoAtOnce(t *testing.T) {
	a := start(t, embedded.Topics(1, "t"))
	b := start(t, embedded.Topics(1, "t"))
	if a.Addrs()[0] == b.Addrs()[0] {
		t.Fatalf("both listen on %s", a.Addrs()[0])
	}
	roundTrip(t, a, "t", "to a")
	roundTrip(t, b, "t", "to b")
}

func TestStart_errors(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	aFile := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(aFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		opts     []embedded.Option
		contains string
	}{
		{"address taken", []embedded.Option{embedded.Addr(taken.Addr().String())}, taken.Addr().String()},
		{"not loopback", []embedded.Option{embedded.Addr("0.0.0.0:0")}, `host "0.0.0.0" is not a loopback address`},
		{"no port", []embedded.Option{embedded.Addr("127.0.0.1")}, `"127.0.0.1"`},
		{"port out of range", []embedded.Option{embedded.Addr("127.0.0.1:99999")}, `port "99999"`},
		{"zero partitions", []embedded.Option{embedded.Addr("127.0.0.1:0"), embedded.Topics(0, "t")}, "partitions 0"},
		{"advertised not loopback", []embedded.Option{embedded.Addr("127.0.0.1:0"), embedded.Advertise("10.0.0.1:9092")}, `advertised address "10.0.0.1:9092": host "10.0.0.1" is not a loopback address`},
		{"data dir is a file", []embedded.Option{embedded.Addr("127.0.0.1:0"), embedded.DataDir(aFile)}, "data dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := embedded.Start(tt.opts...)
			if err == nil {
				b.Close()
				t.Fatal("Start() succeeded")
			}
			if !errors.Is(err, embedded.ErrStart) || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("Start() = %v, want ErrStart containing %q", err, tt.contains)
			}
		})
	}
}

func TestBroker_CreateTopicsErrors(t *testing.T) {
	b := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := b.CreateTopics(ctx, 1, "ok", "bad topic")
	if !errors.Is(err, kafka.ErrTopicSetup) || !strings.Contains(err.Error(), `"bad topic"`) {
		t.Errorf("CreateTopics() = %v, want ErrTopicSetup naming the topic", err)
	}
}

func TestBroker_Close(t *testing.T) {
	b := start(t)
	addr := b.Addrs()[0]
	b.Close()
	b.Close()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("still listening on %s after Close", addr)
	}
}
