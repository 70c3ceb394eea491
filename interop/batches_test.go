package interop_test

import (
	"testing"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// batch is one record batch as stored by the broker.
type batch struct {
	partition int32
	codec     sarama.CompressionCodec
	values    []string
}

// storedBatches fetches every record batch of topic with raw fetch requests,
// to see how a producer batched and compressed what it sent (consumers
// decompress transparently and do not tell).
func storedBatches(t *testing.T, brokers []string, topic string) []batch {
	t.Helper()
	sc, err := testkafka.Config(brokers).Sarama()
	if err != nil {
		t.Fatal(err)
	}
	c, err := sarama.NewClient(brokers, sc)
	if err != nil {
		t.Fatalf("batches: %v", err)
	}
	defer c.Close()
	parts, err := c.Partitions(topic)
	if err != nil {
		t.Fatalf("batches: partitions of %s: %v", topic, err)
	}
	var out []batch
	for _, p := range parts {
		leader, err := c.Leader(topic, p)
		if err != nil {
			t.Fatalf("batches: leader of %s/%d: %v", topic, p, err)
		}
		high, err := c.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatalf("batches: high watermark of %s/%d: %v", topic, p, err)
		}
		for offset := int64(0); offset < high; {
			req := &sarama.FetchRequest{Version: 11, MaxWaitTime: 500, MinBytes: 1, MaxBytes: 16 << 20, Isolation: sarama.ReadUncommitted}
			req.AddBlock(topic, p, offset, 8<<20, -1)
			resp, err := leader.Fetch(req)
			if err != nil {
				t.Fatalf("batches: fetch %s/%d@%d: %v", topic, p, offset, err)
			}
			b := resp.GetBlock(topic, p)
			if b == nil || b.Err != sarama.ErrNoError {
				t.Fatalf("batches: fetch %s/%d@%d: block %+v", topic, p, offset, b)
			}
			before := offset
			for _, rs := range b.RecordsSet {
				rb := rs.RecordBatch
				if rb == nil || rb.Control {
					continue
				}
				got := batch{partition: p, codec: rb.Codec}
				for _, r := range rb.Records {
					if rb.FirstOffset+r.OffsetDelta >= offset {
						got.values = append(got.values, string(r.Value))
					}
				}
				if len(got.values) > 0 {
					out = append(out, got)
				}
				offset = rb.FirstOffset + int64(rb.LastOffsetDelta) + 1
			}
			if offset == before {
				t.Fatalf("batches: fetch %s/%d@%d made no progress (high watermark %d)", topic, p, offset, high)
			}
		}
	}
	return out
}
