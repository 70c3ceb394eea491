package karafkatest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
)

// Timeout bounds each wait of a Broker: for a topic's records (Wait), for an
// app to be ready (Run) and to shut down (its cleanup).
const Timeout = 30 * time.Second

// Broker is an embedded Kafka broker for one test (see the package
// documentation). Its methods fail the test they are given on error.
type Broker struct {
	b *embedded.Broker
}

// StartBroker starts an embedded broker on a random loopback port; it is
// closed, and its data dropped, when t ends.
func StartBroker(t testing.TB) *Broker {
	t.Helper()
	b, err := embedded.Start(embedded.Addr("127.0.0.1:0"))
	if err != nil {
		t.Fatalf("karafkatest: %v", err)
	}
	t.Cleanup(b.Close)
	return &Broker{b: b}
}

// Addrs returns the broker's "host:port", for kafka.brokers.
func (b *Broker) Addrs() []string { return b.b.Addrs() }

// Config returns karafka.DefaultConfig() pointed at the broker, tuned for
// tests: offsets committed every 100ms, retries 10ms apart (3 tries).
func (b *Broker) Config() karafka.Config {
	cfg := karafka.DefaultConfig()
	cfg.Kafka.Brokers = b.Addrs()
	cfg.Consumer.CommitInterval = 100 * time.Millisecond
	cfg.Consumer.ReconnectBackoff = karafka.Backoff{Initial: 50 * time.Millisecond, Max: 500 * time.Millisecond, Multiplier: 2}
	cfg.Retry = karafka.RetryPolicy{Attempts: 3, Backoff: karafka.Backoff{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, Multiplier: 2}}
	return cfg
}

// CreateTopics creates topics with partitions partitions each; existing
// topics are left as they are.
func (b *Broker) CreateTopics(t testing.TB, partitions int32, topics ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if err := b.b.CreateTopics(ctx, partitions, topics...); err != nil {
		t.Fatalf("karafkatest: %v", err)
	}
}

// Run creates every topic app uses (app.Topics: route, responder and dead
// letter topics, one partition each unless created before), runs app and
// returns once it is ready. When t ends, the app is shut down and t fails if
// Run returned an error (messages left undone, supervision giving up).
func (b *Broker) Run(t testing.TB, app *karafka.App) {
	t.Helper()
	topics, err := app.Topics()
	if err != nil {
		t.Fatalf("karafkatest: %v", err)
	}
	b.CreateTopics(t, 1, topics...)
	done := make(chan error, 1)
	go func() { done <- app.Run(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		err := app.Shutdown(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("karafkatest: app did not shut down within %v", Timeout)
			return
		}
		if err := <-done; err != nil {
			t.Errorf("karafkatest: app run: %v", err)
		}
	})
	select {
	case <-app.Ready():
	case err := <-done:
		done <- err // for the cleanup
		t.Fatalf("karafkatest: app stopped before it was ready: %v", err)
	case <-time.After(Timeout):
		t.Fatalf("karafkatest: app not ready within %v", Timeout)
	}
}

// Produce writes records to topic, each to its Partition (0 unless At set
// it), synchronously and acknowledged by the broker, in order.
func (b *Broker) Produce(t testing.TB, topic string, records ...Record) {
	t.Helper()
	sc := b.sarama(t)
	sc.Producer.Return.Successes = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	// The broker and the topic decide what is too large (their
	// message.max.bytes and max.message.bytes), not the test's producer.
	sc.Producer.MaxMessageBytes = producer.MaxMessageBytesLimit
	p, err := sarama.NewSyncProducer(b.Addrs(), sc)
	if err != nil {
		t.Fatalf("karafkatest: produce: %v", err)
	}
	defer func() { _ = p.Close() }()
	msgs := make([]*sarama.ProducerMessage, len(records))
	for i, r := range records {
		m := &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(r.Value), Partition: r.Partition, Metadata: i}
		if r.Key != nil {
			m.Key = sarama.ByteEncoder(r.Key)
		}
		if !r.Timestamp.IsZero() {
			m.Timestamp = r.Timestamp
		}
		for _, h := range r.Headers {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(h.Key), Value: h.Value})
		}
		msgs[i] = m
	}
	if err := p.SendMessages(msgs); err != nil {
		t.Fatalf("karafkatest: produce to %s: %v", topic, describeProduce(err))
	}
}

// Wait reads topic from its beginning, every partition, until n records
// arrived, and returns them (in order within each partition). It fails t
// when fewer than n arrive within Timeout. Records beyond the n-th that are
// already there may be returned too; assert on len when that matters.
//
// It reads read_committed, as the readers of an exactly-once application
// must: records of aborted transactions are never returned, and records of
// an open transaction only once it commits. For topics written without
// transactions that is the same as read_uncommitted.
func (b *Broker) Wait(t testing.TB, topic string, n int) []Message {
	t.Helper()
	sc := b.sarama(t)
	sc.Consumer.IsolationLevel = sarama.ReadCommitted
	c, err := sarama.NewConsumer(b.Addrs(), sc)
	if err != nil {
		t.Fatalf("karafkatest: consume: %v", err)
	}
	defer func() { _ = c.Close() }()
	parts, err := c.Partitions(topic)
	if err != nil {
		t.Fatalf("karafkatest: partitions of %s: %v", topic, err)
	}
	out := make(chan *sarama.ConsumerMessage)
	stop := make(chan struct{})
	defer close(stop)
	for _, p := range parts {
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatalf("karafkatest: consume %s/%d: %v", topic, p, err)
		}
		defer pc.AsyncClose()
		go func() {
			for m := range pc.Messages() {
				select {
				case out <- m:
				case <-stop:
				}
			}
		}()
	}
	var got []Message
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for len(got) < n {
		select {
		case m := <-out:
			got = append(got, received(m))
		case <-deadline.C:
			t.Fatalf("karafkatest: %d of %d records on %s within %v", len(got), n, topic, Timeout)
		}
	}
	return got
}

func received(m *sarama.ConsumerMessage) Message {
	msg := producer.Message{Topic: m.Topic, Key: m.Key, Value: m.Value, Partition: m.Partition, ExplicitPartition: true}
	for _, h := range m.Headers {
		msg.Headers = append(msg.Headers, producer.Header{Key: string(h.Key), Value: h.Value})
	}
	return Message{msg}
}

func (b *Broker) sarama(t testing.TB) *sarama.Config {
	t.Helper()
	kc := kafka.DefaultConfig()
	kc.Brokers = b.Addrs()
	kc.ClientID = "karafkatest"
	sc, err := kc.Sarama()
	if err != nil {
		t.Fatalf("karafkatest: %v", err)
	}
	return sc
}

// describeProduce says why records were not written: sarama's error says
// only how many failed.
func describeProduce(err error) error {
	var perrs sarama.ProducerErrors
	if !errors.As(err, &perrs) {
		return err
	}
	var errs []error
	for _, pe := range perrs {
		cause := pe.Err
		if errors.Is(cause, sarama.ErrMessageSizeTooLarge) {
			cause = fmt.Errorf("%w: the broker refused the record as larger than the topic's max.message.bytes (or the broker's message.max.bytes): raise it for the topic", cause)
		}
		errs = append(errs, fmt.Errorf("records[%v] (partition %d): %w", pe.Msg.Metadata, pe.Msg.Partition, cause))
	}
	return errors.Join(errs...)
}
