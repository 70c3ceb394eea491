package franzclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/client/internal/partread"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// reader is client.Reader on kgo: Metadata, ListOffsets and Fetch requests
// of its own, each sent to the partition's leader as a fresh Metadata
// request names it, and the fetched batches decoded by
// kgo.ProcessFetchPartition. kgo's consumer is not used: it is set up
// per client, waits for new records and keeps its position to itself.
type reader struct {
	cl     *kgo.Client
	decomp kgo.Decompressor
}

// NewReader connects to the cluster cfg describes and checks that a
// broker answers. Metadata requests never create topics. Configuration
// errors wrap kafka.ErrInvalidConfig; an unreachable cluster is an error
// wrapping client.ErrUnreachable that names the brokers.
func NewReader(ctx context.Context, cfg kafka.Config) (client.Reader, error) {
	opts, err := cfg.Franz()
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: kafka: %w", kafka.ErrInvalidConfig, err)
	}
	if err := cl.Ping(ctx); err != nil {
		cl.Close()
		if _, ok := errors.AsType[*kerr.Error](err); ok {
			return nil, fmt.Errorf("brokers %s: %w", strings.Join(cfg.Brokers, ","), answered(err))
		}
		return nil, fmt.Errorf("%w: brokers %s: %w", client.ErrUnreachable, strings.Join(cfg.Brokers, ","), err)
	}
	return &reader{cl: cl, decomp: kgo.DefaultDecompressor()}, nil
}

// answered is err with its Kafka code, reading as both libraries' errors
// of that code read ("kafka: NAME (error code N)"); a request that got no
// answer wraps client.ErrUnreachable.
func answered(err error) error {
	if ke, ok := errors.AsType[*kerr.Error](err); ok {
		return client.Answered(err, ke.Code, "")
	}
	if err != nil && unreachable(err) {
		return fmt.Errorf("%w: %w", client.ErrUnreachable, err)
	}
	return err
}

func (r *reader) Close() error { r.cl.Close(); return nil }

// leader is what a Metadata request says of one partition.
type leader struct {
	id      int32
	topicID [16]byte
}

// metadata asks a broker for topic's metadata.
func (r *reader) metadata(ctx context.Context, topic string) (*kmsg.MetadataResponseTopic, error) {
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	req.AllowAutoTopicCreation = false
	resp, err := req.RequestWith(ctx, r.cl)
	if err != nil {
		return nil, answered(err)
	}
	for i, t := range resp.Topics {
		if t.Topic != nil && *t.Topic == topic {
			if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
				return nil, answered(err)
			}
			return &resp.Topics[i], nil
		}
	}
	return nil, answered(kerr.UnknownTopicOrPartition)
}

// leaderOf is the leader of topic's partition.
func (r *reader) leaderOf(ctx context.Context, topic string, partition int32) (leader, error) {
	t, err := r.metadata(ctx, topic)
	if err != nil {
		return leader{}, err
	}
	for _, p := range t.Partitions {
		if p.Partition != partition {
			continue
		}
		if err := kerr.ErrorForCode(p.ErrorCode); err != nil && !errors.Is(err, kerr.ReplicaNotAvailable) {
			return leader{}, answered(err)
		}
		if p.Leader < 0 {
			return leader{}, answered(kerr.LeaderNotAvailable)
		}
		return leader{id: p.Leader, topicID: t.TopicID}, nil
	}
	return leader{}, answered(kerr.UnknownTopicOrPartition)
}

func (r *reader) Partitions(ctx context.Context, topic string) ([]int32, error) {
	t, err := r.metadata(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("topic %q: %w", topic, err)
	}
	ps := make([]int32, len(t.Partitions))
	for i, p := range t.Partitions {
		ps[i] = p.Partition
	}
	slices.Sort(ps)
	return ps, nil
}

// listOffset asks l for the offset of topic's partition at timestamp ts
// (-2 the log start, -1 the end), read_uncommitted.
func (r *reader) listOffset(ctx context.Context, l leader, topic string, partition int32, ts int64) (int64, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition = partition
	rp.Timestamp = ts
	rp.CurrentLeaderEpoch = -1
	rp.MaxNumOffsets = 1 // v0
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, r.cl.Broker(int(l.id)))
	if err != nil {
		return 0, answered(err)
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if t.Topic != topic || p.Partition != partition {
				continue
			}
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return 0, answered(err)
			}
			if resp.Version == 0 {
				if len(p.OldStyleOffsets) == 0 {
					return -1, nil
				}
				return p.OldStyleOffsets[0], nil
			}
			return p.Offset, nil
		}
	}
	return 0, fmt.Errorf("broker %d: no offset for the partition in its answer", l.id)
}

// bounds is Bounds of the partition l leads, with errors that leave
// naming it to the caller.
func (r *reader) bounds(ctx context.Context, l leader, topic string, partition int32) (start, end int64, err error) {
	if start, err = r.listOffset(ctx, l, topic, partition, -2); err != nil {
		return 0, 0, err
	}
	if end, err = r.listOffset(ctx, l, topic, partition, -1); err != nil {
		return 0, 0, err
	}
	return start, end, nil
}

// fresh is bounds after a look-up of the leader, which it keeps in *l.
func (r *reader) fresh(ctx context.Context, l *leader, topic string, partition int32) (start, end int64, err error) {
	if *l, err = r.leaderOf(ctx, topic, partition); err != nil {
		return 0, 0, err
	}
	return r.bounds(ctx, *l, topic, partition)
}

func (r *reader) Bounds(ctx context.Context, topic string, partition int32) (start, end int64, err error) {
	var l leader
	if start, end, err = r.fresh(ctx, &l, topic, partition); err != nil {
		return 0, 0, fmt.Errorf("topic %q partition %d: %w", topic, partition, err)
	}
	return start, end, nil
}

func (r *reader) OffsetAt(ctx context.Context, topic string, partition int32, t time.Time) (int64, error) {
	l, err := r.leaderOf(ctx, topic, partition)
	if err != nil {
		return 0, fmt.Errorf("topic %q partition %d: %w", topic, partition, err)
	}
	// Negative timestamps ask for the start, the end or the largest
	// timestamp: a time before 1970 is the epoch.
	off, err := r.listOffset(ctx, l, topic, partition, max(t.UnixMilli(), 0))
	if err == nil && off < 0 { // no record at or after t
		off, err = r.listOffset(ctx, l, topic, partition, -1)
	}
	if err != nil {
		return 0, fmt.Errorf("topic %q partition %d: %w", topic, partition, err)
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

// part is one partition for partread, with its leader as last looked up.
type part struct {
	r      *reader
	topic  string
	id     int32
	leader leader
}

func (p *part) Bounds(ctx context.Context) (int64, int64, error) {
	return p.r.fresh(ctx, &p.leader, p.topic, p.id)
}

func (p *part) Retry(ctx context.Context, err error) bool {
	if !partread.Retriable(err) {
		return false
	}
	l, lerr := p.r.leaderOf(ctx, p.topic, p.id)
	if lerr == nil {
		p.leader = l
	}
	return true
}

func (p *part) Fetch(ctx context.Context, offset int64, maxBytes int32) ([]client.Record, int64, error) {
	req := kmsg.NewPtrFetchRequest()
	req.ReplicaID = -1
	req.MaxWaitMillis = 100 // there is data below the end Read keeps to
	req.MinBytes = 1
	req.MaxBytes = maxBytes
	req.IsolationLevel = 0 // read_uncommitted
	req.SessionEpoch = -1  // no fetch session
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic = p.topic
	rt.TopicID = p.leader.topicID // v13+
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.Partition = p.id
	rp.FetchOffset = offset
	rp.PartitionMaxBytes = maxBytes
	rp.CurrentLeaderEpoch = -1
	rp.LastFetchedEpoch = -1
	rp.LogStartOffset = -1
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, p.r.cl.Broker(int(p.leader.id)))
	if err != nil {
		return nil, offset, answered(err)
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, offset, answered(err)
	}
	for _, t := range resp.Topics {
		if t.Topic != p.topic && t.TopicID != p.leader.topicID {
			continue
		}
		for i := range t.Partitions {
			if t.Partitions[i].Partition != p.id {
				continue
			}
			fp, next := kgo.ProcessFetchPartition(kgo.ProcessFetchPartitionOpts{
				Offset:    offset,
				Topic:     p.topic,
				Partition: p.id,
			}, &t.Partitions[i], p.r.decomp, nil)
			if fp.Err != nil && len(fp.Records) == 0 {
				return nil, offset, answered(fp.Err)
			}
			recs := make([]client.Record, 0, len(fp.Records))
			for _, kr := range fp.Records {
				rec := client.Record{
					Topic: p.topic, Partition: p.id, Offset: kr.Offset,
					Key: bytes.Clone(kr.Key), Value: bytes.Clone(kr.Value), Timestamp: kr.Timestamp,
				}
				for _, h := range kr.Headers {
					rec.Headers = append(rec.Headers, client.Header{Key: h.Key, Value: bytes.Clone(h.Value)})
				}
				recs = append(recs, rec)
			}
			return recs, next, nil
		}
	}
	return nil, offset, fmt.Errorf("broker %d: the partition is not in its answer", p.leader.id)
}
