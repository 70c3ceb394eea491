package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
)

func init() { readers[kafka.ClientFranz] = readFranz }

// readFranz is readFunc on franz-go: every partition consumed directly,
// or as a member of rc.Group that commits (every 200ms, and when it
// stops) the records print accepted.
func readFranz(ctx context.Context, rc readConfig, print func(*client.Record) bool) error {
	opts, err := rc.Kafka.Franz()
	if err != nil {
		return err
	}
	start := kgo.NewOffset().AtEnd()
	if rc.FromBeginning {
		start = kgo.NewOffset().AtStart()
	}
	opts = append(opts, kgo.ConsumeTopics(rc.Topic), kgo.ConsumeResetOffset(start))
	if rc.ReadCommitted {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	if rc.Group != "" {
		opts = append(opts, kgo.ConsumerGroup(rc.Group), kgo.AutoCommitMarks(), kgo.AutoCommitInterval(200*time.Millisecond))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("%w: kafka: %w", kafka.ErrInvalidConfig, err)
	}
	defer func() {
		if rc.Group != "" {
			commitCtx, cancel := context.WithTimeout(context.Background(), rc.Kafka.ReadTimeout)
			_ = cl.CommitMarkedOffsets(commitCtx)
			cancel()
		}
		cl.Close()
	}()
	stopped := map[int32]bool{} // partitions print refused
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil || fetches.IsClientClosed() {
			return nil
		}
		var ferr error
		fetches.EachError(func(t string, p int32, err error) {
			if ferr == nil && !errors.Is(err, context.Canceled) {
				ferr = fmt.Errorf("topic %s partition %d: %w", t, p, err)
			}
		})
		if ferr != nil {
			return ferr
		}
		fetches.EachRecord(func(r *kgo.Record) {
			if stopped[r.Partition] {
				return
			}
			rec := franzRecord(r)
			if !print(&rec) {
				stopped[r.Partition] = true
				return
			}
			if rc.Group != "" {
				cl.MarkCommitRecords(r)
			}
		})
	}
}

func franzRecord(r *kgo.Record) client.Record {
	rec := client.Record{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Key: r.Key, Value: r.Value, Timestamp: r.Timestamp}
	for _, h := range r.Headers {
		rec.Headers = append(rec.Headers, client.Header{Key: h.Key, Value: h.Value})
	}
	return rec
}
