package producer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/IBM/sarama"

	kclient "github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
)

// saramaSize is what sarama counts for msg against Producer.MaxMessageBytes.
func saramaSize(msg *producer.Message) int {
	pm := &sarama.ProducerMessage{Topic: msg.Topic}
	if msg.Key != nil {
		pm.Key = sarama.ByteEncoder(msg.Key)
	}
	if msg.Value != nil {
		pm.Value = sarama.ByteEncoder(msg.Value)
	}
	for _, h := range msg.Headers {
		pm.Headers = append(pm.Headers, sarama.RecordHeader{Key: []byte(h.Key), Value: h.Value})
	}
	return pm.ByteSize(2)
}

// Size counts as sarama does, so that a record of Size at most the limit
// is never refused by the producer itself.
func FuzzSize(f *testing.F) {
	f.Add([]byte("k"), []byte(`{"id":1}`), "h", []byte("v"), 2)
	f.Add([]byte(nil), []byte(nil), "", []byte(nil), 0)
	f.Fuzz(func(t *testing.T, key, value []byte, hk string, hv []byte, n int) {
		msg := &producer.Message{Topic: "t", Key: key, Value: value}
		for range n % 8 {
			msg.Headers = append(msg.Headers, producer.Header{Key: hk, Value: hv})
		}
		if got, want := producer.Size(msg), saramaSize(msg); got != want {
			t.Fatalf("Size %d, sarama counts %d", got, want)
		}
	})
}

// A record over producer.max_message_bytes fails at once, for good, with
// an error naming the key: before, sarama's own error named
// Producer.MaxMessageBytes, and the runtime sent it again forever.
func TestProducer_tooLargeRefusedNamingTheKey(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		cfg := newCluster(t, client, 1)
		cfg.MaxMessageBytes = 1000
		p := newProducer(t, cfg)
		_, err := p.Send(context.Background(), &producer.Message{Topic: "t", Value: []byte(strings.Repeat("x", 1000))})
		if !errors.Is(err, producer.ErrTooLarge) || !producer.Refused(err) {
			t.Fatalf("err %v, want ErrTooLarge and Refused", err)
		}
		if !strings.Contains(err.Error(), "producer.max_message_bytes (1000)") || !strings.Contains(err.Error(), `"t"`) {
			t.Errorf("error %q does not name the key, its value and the topic", err)
		}
		small := &producer.Message{Topic: "t", Value: []byte(strings.Repeat("x", 900))}
		if producer.Size(small) > 1000 {
			t.Fatalf("test record of %d bytes", producer.Size(small))
		}
		if _, err := p.Send(context.Background(), small); err != nil {
			t.Fatalf("a record under the limit: %v", err)
		}
	})
}

// The broker's MESSAGE_TOO_LARGE (a topic's max.message.bytes under the
// producer's limit) is a refusal for good, named as such.
func TestProducer_brokerTooLargeIsRefused(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		cfg := newCluster(t, client, 1)
		sc, err := cfg.Kafka.Sarama()
		if err != nil {
			t.Fatal(err)
		}
		admin, err := sarama.NewClusterAdmin(cfg.Kafka.Brokers, sc)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		limit := "2000"
		if err := admin.CreateTopic("small", &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1,
			ConfigEntries: map[string]*string{"max.message.bytes": &limit}}, false); err != nil {
			t.Fatal(err)
		}
		p := newProducer(t, cfg)
		_, err = p.Send(context.Background(), &producer.Message{Topic: "small", Value: []byte(strings.Repeat("x", 5000))})
		if !errors.Is(err, producer.ErrTooLarge) || !producer.Refused(err) || !errors.Is(err, kclient.ErrMessageTooLarge) {
			t.Fatalf("err %v, want ErrTooLarge, Refused and Kafka's code", err)
		}
		if client == kafka.ClientSarama && !errors.Is(err, sarama.ErrMessageSizeTooLarge) {
			t.Fatalf("err %v, want sarama's cause", err)
		}
		if !strings.Contains(err.Error(), "max.message.bytes") {
			t.Errorf("error %q does not say which limit", err)
		}
	})
}

func TestConfig_maxMessageBytesBounded(t *testing.T) {
	for _, n := range []int{-1, producer.MaxMessageBytesLimit + 1} {
		cfg := producer.DefaultConfig()
		cfg.Kafka.Brokers = []string{"127.0.0.1:1"}
		cfg.MaxMessageBytes = n
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "producer.max_message_bytes") {
			t.Errorf("MaxMessageBytes %d: %v, want an error naming producer.max_message_bytes", n, err)
		}
	}
}
