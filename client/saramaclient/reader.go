package saramaclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/client/internal/partread"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// reader is client.Reader on sarama: a sarama client for metadata and
// offsets, and Fetch requests sent to each partition's leader by hand
// (sarama's PartitionConsumer streams, waits for new records and never
// says where a control batch ended).
type reader struct {
	conf   *sarama.Config
	client sarama.Client
}

// NewReader connects to the cluster cfg describes. Metadata requests
// never create topics. Configuration errors wrap kafka.ErrInvalidConfig;
// an unreachable cluster is an error wrapping client.ErrUnreachable that
// names the brokers.
func NewReader(ctx context.Context, cfg kafka.Config) (client.Reader, error) {
	sc, err := cfg.Sarama()
	if err != nil {
		return nil, err
	}
	sc.Metadata.Retry.Max = 0 // Read retries itself, after a look-up of the leader
	sc.Metadata.AllowAutoTopicCreation = false
	sc.Consumer.IsolationLevel = sarama.ReadUncommitted
	type made struct {
		cl  sarama.Client
		err error
	}
	done := make(chan made, 1)
	go func() {
		cl, err := sarama.NewClient(cfg.Brokers, sc)
		done <- made{cl, err}
	}()
	select {
	case m := <-done:
		if m.err != nil {
			return nil, unreachable(cfg.Brokers, m.err)
		}
		return &reader{conf: sc, client: m.cl}, nil
	case <-ctx.Done():
		go func() { // a client made after all is no one's
			if m := <-done; m.err == nil {
				m.cl.Close()
			}
		}()
		return nil, unreachable(cfg.Brokers, ctx.Err())
	}
}

// unreachable is why connecting to brokers failed: a Kafka error when a
// broker answered with one (a refused SASL login), else ErrUnreachable.
func unreachable(brokers []string, err error) error {
	if _, ok := kafka.SaramaCode(err); ok && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("brokers %s: %w", strings.Join(brokers, ","), answered(err))
	}
	return fmt.Errorf("%w: brokers %s: %w", client.ErrUnreachable, strings.Join(brokers, ","), err)
}

// answered is err with its Kafka code, reading as both libraries' errors
// of that code read ("kafka: NAME (error code N)").
func answered(err error) error {
	if code, ok := kafka.SaramaCode(err); ok {
		return client.Answered(err, code, "")
	}
	return err
}

// call runs fn, or returns ctx's error once ctx ends first: sarama takes
// no context, so the call is left to end on its own (read_timeout bounds
// it). Its result is dropped then.
func call[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

func (r *reader) Close() error { return r.client.Close() }

func (r *reader) Partitions(ctx context.Context, topic string) ([]int32, error) {
	ps, err := call(ctx, func() ([]int32, error) {
		if err := r.client.RefreshMetadata(topic); err != nil {
			return nil, err
		}
		return r.client.Partitions(topic)
	})
	if err != nil {
		return nil, fmt.Errorf("topic %q: %w", topic, answered(err))
	}
	ps = slices.Clone(ps)
	slices.Sort(ps)
	return ps, nil
}

func (r *reader) Bounds(ctx context.Context, topic string, partition int32) (start, end int64, err error) {
	start, end, err = r.bounds(ctx, topic, partition)
	if err != nil {
		return 0, 0, fmt.Errorf("topic %q partition %d: %w", topic, partition, err)
	}
	return start, end, nil
}

// bounds is Bounds with errors that leave naming the partition to the
// caller.
func (r *reader) bounds(ctx context.Context, topic string, partition int32) (start, end int64, err error) {
	b, err := call(ctx, func() ([2]int64, error) {
		start, err := r.client.GetOffset(topic, partition, sarama.OffsetOldest)
		if err != nil {
			return [2]int64{}, err
		}
		end, err := r.client.GetOffset(topic, partition, sarama.OffsetNewest)
		return [2]int64{start, end}, err
	})
	if err != nil {
		return 0, 0, answered(err)
	}
	return b[0], b[1], nil
}

func (r *reader) OffsetAt(ctx context.Context, topic string, partition int32, t time.Time) (int64, error) {
	// Negative timestamps ask for the start, the end or the largest
	// timestamp: a time before 1970 is the epoch.
	ms := max(t.UnixMilli(), 0)
	off, err := call(ctx, func() (int64, error) {
		off, err := r.client.GetOffset(topic, partition, ms)
		if err == nil && off < 0 { // no record at or after t
			return r.client.GetOffset(topic, partition, sarama.OffsetNewest)
		}
		return off, err
	})
	if err != nil {
		return 0, fmt.Errorf("topic %q partition %d: %w", topic, partition, answered(err))
	}
	return off, nil
}

func (r *reader) Read(ctx context.Context, topic string, partition int32, offset int64, limit int) ([]client.Record, error) {
	recs, err := partread.Read(ctx, &part{r: r, topic: topic, id: partition}, offset, limit)
	if err != nil {
		return nil, fmt.Errorf("topic %q partition %d: %w", topic, partition, err)
	}
	return recs, nil
}

// part is one partition for partread.
type part struct {
	r     *reader
	topic string
	id    int32
}

func (p *part) Bounds(ctx context.Context) (int64, int64, error) {
	return p.r.bounds(ctx, p.topic, p.id)
}

func (p *part) Retry(ctx context.Context, err error) bool {
	if !partread.Retriable(err) {
		return false
	}
	_, _ = call(ctx, func() (struct{}, error) { return struct{}{}, p.r.client.RefreshMetadata(p.topic) })
	return true
}

// fetched is what one fetch returned.
type fetched struct {
	recs []client.Record
	next int64
}

func (p *part) Fetch(ctx context.Context, offset int64, maxBytes int32) ([]client.Record, int64, error) {
	f, err := call(ctx, func() (fetched, error) { return p.fetch(offset, maxBytes) })
	return f.recs, f.next, err
}

// fetch asks the leader for the records from offset. A connection that
// failed is closed, so that the next try opens it again.
func (p *part) fetch(offset int64, maxBytes int32) (fetched, error) {
	leader, err := p.r.client.Leader(p.topic, p.id)
	if err != nil {
		return fetched{}, answered(err)
	}
	req := &sarama.FetchRequest{
		Version:     fetchVersion(p.r.conf.Version),
		MinBytes:    1,
		MaxWaitTime: 100, // ms; there is data below the end Read keeps to
		Isolation:   sarama.ReadUncommitted,
	}
	if req.Version >= 3 {
		req.MaxBytes = maxBytes
	}
	if req.Version >= 7 { // no fetch session
		req.SessionID = 0
		req.SessionEpoch = -1
	}
	req.AddBlock(p.topic, p.id, offset, maxBytes, -1)
	resp, err := leader.Fetch(req)
	if _, ok := kafka.SaramaCode(err); ok {
		return fetched{}, answered(err)
	}
	if _, ok := errors.AsType[sarama.PacketDecodingError](err); ok {
		return fetched{}, fmt.Errorf("broker %s: %w", leader.Addr(), err)
	}
	if err != nil { // the connection failed
		_ = leader.Close()
		return fetched{}, fmt.Errorf("broker %s: %w: %w", leader.Addr(), client.ErrUnreachable, err)
	}
	block := resp.GetBlock(p.topic, p.id)
	if block == nil {
		return fetched{}, sarama.ErrIncompleteResponse
	}
	if !errors.Is(block.Err, sarama.ErrNoError) {
		return fetched{}, answered(block.Err)
	}
	return p.records(block, offset), nil
}

// records are the records of block at or after offset, and where the next
// fetch starts.
func (p *part) records(block *sarama.FetchResponseBlock, offset int64) fetched {
	f := fetched{next: offset}
	add := func(off int64, key, value []byte, ts time.Time, headers []*sarama.RecordHeader) {
		if off < offset {
			return
		}
		rec := client.Record{Topic: p.topic, Partition: p.id, Offset: off, Key: bytes.Clone(key), Value: bytes.Clone(value), Timestamp: ts}
		for _, h := range headers {
			if h != nil {
				rec.Headers = append(rec.Headers, client.Header{Key: string(h.Key), Value: bytes.Clone(h.Value)})
			}
		}
		f.recs = append(f.recs, rec)
		f.next = max(f.next, off+1)
	}
	for _, rs := range block.RecordsSet {
		switch {
		case rs.RecordBatch != nil:
			b := rs.RecordBatch
			if b.PartialTrailingRecord {
				return f // cut by the size asked for
			}
			if !b.Control { // aborted transactions' records are kept
				for _, rec := range b.Records {
					ts := b.FirstTimestamp.Add(rec.TimestampDelta)
					if b.LogAppendTime {
						ts = b.MaxTimestamp
					}
					add(b.FirstOffset+rec.OffsetDelta, rec.Key, rec.Value, ts, rec.Headers)
				}
			}
			f.next = max(f.next, b.LastOffset()+1)
		case rs.MsgSet != nil: // message format v0 or v1
			for _, mb := range rs.MsgSet.Messages {
				msgs := mb.Messages()
				for _, m := range msgs {
					off, ts := m.Offset, m.Msg.Timestamp
					if m.Msg.Version >= 1 { // inner offsets are relative
						off += mb.Offset - msgs[len(msgs)-1].Offset
						if m.Msg.LogAppendTime {
							ts = mb.Msg.Timestamp
						}
					}
					add(off, m.Msg.Key, m.Msg.Value, ts, nil)
				}
			}
			if rs.MsgSet.PartialTrailingMessage {
				return f
			}
		}
	}
	if len(block.RecordsSet) == 0 && !block.Partial && f.next == offset {
		// sarama drops a batch without records (KAFKA-5443) and keeps
		// where it ended to itself: step over its first offset.
		f.next = offset + 1
	}
	return f
}

// fetchVersion is the newest Fetch version sarama speaks to a cluster of
// version v (as sarama's consumer picks it).
func fetchVersion(v sarama.KafkaVersion) int16 {
	switch {
	case v.IsAtLeast(sarama.V2_7_0_0):
		return 12
	case v.IsAtLeast(sarama.V2_3_0_0):
		return 11
	case v.IsAtLeast(sarama.V2_1_0_0):
		return 10
	case v.IsAtLeast(sarama.V2_0_0_0):
		return 8
	case v.IsAtLeast(sarama.V1_1_0_0):
		return 7
	case v.IsAtLeast(sarama.V1_0_0_0):
		return 6
	default: // kafka.version is at least 0.11.0
		return 5
	}
}
