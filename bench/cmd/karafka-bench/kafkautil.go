package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topicsync"
)

// record is the ~200 B JSON message every implementation decodes and
// encodes; the schema implementations (schemaImpls) read and write the same
// record in Avro (the avro tags) or JSON Schema.
type record struct {
	ID      int64    `json:"id" avro:"id"`
	TS      int64    `json:"ts" avro:"ts"`               // send time, unix nanoseconds (latency mode)
	Seen    int64    `json:"seen,omitempty" avro:"seen"` // when the worker decoded it (latency mode, karafka, sarama and franz)
	Name    string   `json:"name" avro:"name"`
	Email   string   `json:"email" avro:"email"`
	Tags    []string `json:"tags" avro:"tags"`
	Premium bool     `json:"premium" avro:"premium"`
	Note    string   `json:"note" avro:"note"`
}

// benchRecord is the record of id sent at ts.
func benchRecord(id, ts int64) record {
	return record{ID: id, TS: ts, Name: "Ada Lovelace", Email: "ada@example.com",
		Tags: []string{"math", "engines", "poetry"}, Premium: true,
		Note: "first programmer; notes on the analytical engine, 1843"}
}

// payload is benchRecord as JSON.
func payload(id int64, ts int64) []byte {
	b, _ := json.Marshal(benchRecord(id, ts))
	return b
}

func kafkaConfig(brokers []string) kafka.Config {
	k := kafka.DefaultConfig()
	k.Brokers = brokers
	k.ClientID = "karafka_bench"
	return k
}

func baseSarama(brokers []string) *sarama.Config {
	sc, err := kafkaConfig(brokers).Sarama()
	if err != nil {
		panic(err)
	}
	return sc
}

func createTopics(ctx context.Context, brokers []string, partitions int32, topics ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	// In chunks, so a thousand topics do not make one giant request.
	for i := 0; i < len(topics); i += 200 {
		j := min(i+200, len(topics))
		if err := topicsync.EnsureTopics(ctx, kafkaConfig(brokers), partitions, topics[i:j]...); err != nil {
			return err
		}
	}
	return nil
}

// prefill writes n JSON records (ids start..start+n-1) to topic and waits for every ack.
func prefill(brokers []string, topic string, start, n int64, progress func(done int64)) error {
	_, err := prefillWire(brokers, topic, jsonWire, start, n, progress)
	return err
}

// prefillWire is prefill with the records written as w writes them; size
// is the sum of the values' sizes.
func prefillWire(brokers []string, topic string, w wire, start, n int64, progress func(done int64)) (size int64, err error) {
	enc, err := w.encoder(topic)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", topic, err)
	}
	sc := baseSarama(brokers)
	sc.Producer.Return.Successes = true
	sc.Producer.RequiredAcks = sarama.WaitForLocal
	sc.Producer.Flush.Frequency = 2 * time.Millisecond
	sc.Producer.Flush.Messages = 1000
	sc.Producer.Flush.MaxMessages = 2000
	sc.ChannelBufferSize = 4096
	p, err := sarama.NewAsyncProducer(brokers, sc)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	var errOnce error
	var acked int64
	quit := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for acked < n {
			select {
			case <-p.Successes():
				acked++
				if progress != nil && acked%10000 == 0 {
					progress(acked)
				}
			case e := <-p.Errors():
				errOnce = e.Err
				return
			case <-quit:
				return
			}
		}
	}()
	for i := start; i < start+n; i++ {
		v, err := enc(i, 0)
		if err != nil {
			close(quit)
			wg.Wait()
			_ = p.Close()
			return size, fmt.Errorf("%s: encode record %d: %w", topic, i, err)
		}
		size += int64(len(v))
		p.Input() <- &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(strconv.FormatInt(i, 10)), Value: sarama.ByteEncoder(v)}
	}
	wg.Wait()
	_ = p.Close()
	return size, errOnce
}

// watermark sums the newest offsets of a topic's partitions.
type watermark struct {
	client sarama.Client
	topic  string
	parts  []int32
}

func newWatermark(brokers []string, topic string) (*watermark, error) {
	c, err := sarama.NewClient(brokers, baseSarama(brokers))
	if err != nil {
		return nil, err
	}
	parts, err := c.Partitions(topic)
	if err != nil {
		c.Close()
		return nil, err
	}
	return &watermark{client: c, topic: topic, parts: parts}, nil
}

func (w *watermark) sum() (int64, error) {
	var s int64
	for _, p := range w.parts {
		o, err := w.client.GetOffset(w.topic, p, sarama.OffsetNewest)
		if err != nil {
			return 0, err
		}
		s += o
	}
	return s, nil
}

func (w *watermark) Close() { w.client.Close() }

// verify reads a topic back from the start to its watermark and counts
// unique ids, duplicates and missing ids among 0..n-1. It reads
// read_committed: records of aborted transactions (karafka-eos) are not
// responses; for the other contenders, which write no transactions, it is
// the same as read_uncommitted. A partition whose last offsets are
// transaction markers (never delivered to a reader) ends after verifyIdle
// without records.
type verifyResult struct {
	Records    int64 `json:"records"`
	Unique     int64 `json:"unique"`
	Duplicates int64 `json:"duplicates"`
	Missing    int64 `json:"missing"`
}

// verifyIdle is how long verify waits for more records of a partition.
const verifyIdle = 3 * time.Second

func verify(brokers []string, topic string, n int64) (verifyResult, error) {
	return verifyWire(brokers, topic, jsonWire, n)
}

// verifyWire is verify of records written as w writes them.
func verifyWire(brokers []string, topic string, w wire, n int64) (verifyResult, error) {
	var res verifyResult
	sc := baseSarama(brokers)
	sc.Consumer.IsolationLevel = sarama.ReadCommitted
	c, err := sarama.NewClient(brokers, sc)
	if err != nil {
		return res, err
	}
	defer c.Close()
	cons, err := sarama.NewConsumerFromClient(c)
	if err != nil {
		return res, err
	}
	defer cons.Close()
	parts, err := c.Partitions(topic)
	if err != nil {
		return res, err
	}
	seen := make([]uint8, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, len(parts))
	for _, p := range parts {
		hw, err := c.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			return res, err
		}
		lo, err := c.GetOffset(topic, p, sarama.OffsetOldest)
		if err != nil {
			return res, err
		}
		if hw <= lo {
			continue
		}
		pc, err := cons.ConsumePartition(topic, p, lo)
		if err != nil {
			return res, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer pc.Close()
			idle := time.NewTimer(verifyIdle)
			defer idle.Stop()
			for {
				var m *sarama.ConsumerMessage
				select {
				case m = <-pc.Messages():
				case <-idle.C:
					return // the rest up to the watermark are transaction markers
				}
				if m == nil {
					return
				}
				idle.Reset(verifyIdle)
				id, err := w.id(m.Value)
				if err != nil {
					errs <- fmt.Errorf("%s/%d@%d: %w", topic, p, m.Offset, err)
					return
				}
				mu.Lock()
				res.Records++
				if id >= 0 && id < n {
					if seen[id] > 0 {
						res.Duplicates++
					} else {
						res.Unique++
					}
					if seen[id] < 255 {
						seen[id]++
					}
				}
				mu.Unlock()
				if m.Offset+1 >= hw {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		return res, e
	}
	res.Missing = n - res.Unique
	return res, nil
}
