package producer

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// A batch kgo fills to the brim is taken by a broker at its defaults
// (message.max.bytes 1 MiB + 12). With ProducerBatchMaxBytes at the
// default MaxMessageBytes plus the batch header (1 MiB + 65), a full batch
// of ~220-byte records (the benchmark's responses) was refused whole, every
// record of it MESSAGE_TOO_LARGE, whenever records piled up faster than
// they were sent (a backlog drained at full speed).
func TestFranzOptions_fullBatchTakenAtBrokerDefaults(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Kafka = testkafka.Config(testkafka.Brokers(t))
	cfg.FlushFrequency = 300 * time.Millisecond // records pile up: batches fill by bytes
	opts, _, err := cfg.franz()
	if err != nil {
		t.Fatal(err)
	}
	topic := testkafka.Name(t, "full")
	testkafka.CreateTopics(t, cfg.Kafka.Brokers, 1, topic)
	cl, err := kgo.NewClient(append(opts, kgo.MaxBufferedRecords(40000))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	value := []byte(strings.Repeat("v", 217))
	const n = 30000 // 6.6 MB: full batches
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for i := range n {
		wg.Add(1)
		cl.Produce(context.Background(), &kgo.Record{Topic: topic, Key: []byte(strconv.Itoa(i)), Value: value, Partition: notExplicit}, func(_ *kgo.Record, err error) {
			defer wg.Done()
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d records failed, the first: %v", len(errs), n, errs[0])
	}
}
