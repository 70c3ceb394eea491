package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// readConfig is what `consume` reads.
type readConfig struct {
	Kafka kafka.Config
	Topic string
	// Group, when set, makes the reader a member of that consumer group
	// that commits what print accepted; else every partition is read
	// directly and nothing is committed.
	Group string
	// FromBeginning starts a partition (without a committed offset) at
	// its oldest record, else at its end.
	FromBeginning bool
	ReadCommitted bool
}

// readFunc reads rc's topic and calls print for every record, from any
// goroutine but one call at a time per partition, until ctx ends (then it
// returns nil or ctx's error) or print returns false for a partition (which
// stops reading that partition). The topic exists: the caller checked.
type readFunc func(ctx context.Context, rc readConfig, print func(*client.Record) bool) error

// readers are the readFuncs by kafka.client.
var readers = map[string]readFunc{
	kafka.ClientSarama: readSarama,
}

// readTopic reads with the reader of rc.Kafka.Client.
func readTopic(ctx context.Context, rc readConfig, print func(*client.Record) bool) error {
	read, ok := readers[rc.Kafka.Client]
	if !ok {
		return fmt.Errorf("%w: kafka.client: %q has no reader", kafka.ErrInvalidConfig, rc.Kafka.Client)
	}
	return read(ctx, rc, print)
}

func readSarama(ctx context.Context, rc readConfig, print func(*client.Record) bool) error {
	sc, err := rc.Kafka.Sarama()
	if err != nil {
		return err
	}
	sc.Consumer.IsolationLevel = sarama.ReadUncommitted
	if rc.ReadCommitted {
		sc.Consumer.IsolationLevel = sarama.ReadCommitted
	}
	sc.Consumer.Offsets.Initial = sarama.OffsetNewest
	if rc.FromBeginning {
		sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	}
	sc.Metadata.AllowAutoTopicCreation = false
	printMsg := func(m *sarama.ConsumerMessage) bool { r := saramaRecord(m); return print(&r) }
	if rc.Group != "" {
		return consumeGroup(ctx, rc.Kafka.Brokers, sc, rc.Group, rc.Topic, printMsg)
	}
	return consumePartitions(ctx, rc.Kafka.Brokers, sc, rc.Topic, printMsg)
}

func saramaRecord(m *sarama.ConsumerMessage) client.Record {
	r := client.Record{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Timestamp: m.Timestamp}
	for _, h := range m.Headers {
		if h != nil {
			r.Headers = append(r.Headers, client.Header{Key: string(h.Key), Value: h.Value})
		}
	}
	return r
}

func consumePartitions(ctx context.Context, brokers []string, sc *sarama.Config, topic string, print func(*sarama.ConsumerMessage) bool) error {
	c, err := sarama.NewConsumer(brokers, sc)
	if err != nil {
		return err
	}
	defer c.Close()
	parts, err := c.Partitions(topic)
	if err != nil {
		return fmt.Errorf("topic %s: %w", topic, err)
	}
	var wg sync.WaitGroup
	for _, p := range parts {
		pc, err := c.ConsumePartition(topic, p, sc.Consumer.Offsets.Initial)
		if err != nil {
			return fmt.Errorf("topic %s partition %d: %w", topic, p, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer pc.AsyncClose()
			for {
				select {
				case <-ctx.Done():
					return
				case m, ok := <-pc.Messages():
					if !ok || !print(m) {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	return nil
}

type printHandler struct {
	print func(*sarama.ConsumerMessage) bool
}

func (printHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (printHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h printHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for {
		select {
		case <-sess.Context().Done():
			return nil
		case m, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			if !h.print(m) {
				return nil
			}
			sess.MarkMessage(m, "")
		}
	}
}

func consumeGroup(ctx context.Context, brokers []string, sc *sarama.Config, group, topic string, print func(*sarama.ConsumerMessage) bool) error {
	sc.Consumer.Offsets.AutoCommit.Interval = 200 * time.Millisecond
	g, err := sarama.NewConsumerGroup(brokers, group, sc)
	if err != nil {
		return err
	}
	defer g.Close()
	for ctx.Err() == nil {
		if err := g.Consume(ctx, []string{topic}, printHandler{print}); err != nil && !errors.Is(err, sarama.ErrClosedConsumerGroup) {
			if ctx.Err() != nil {
				break
			}
			return err
		}
	}
	return nil
}
