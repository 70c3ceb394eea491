// Package saramaadmin is [client.Admin] on IBM/sarama: a sarama client and
// its ClusterAdmin, with sarama's metadata, offset and group requests.
package saramaadmin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// admin is client.Admin on sarama.
type admin struct {
	conf   *sarama.Config
	client sarama.Client
	admin  sarama.ClusterAdmin
}

// New connects to the cluster cfg describes. Requests are tried once
// (callers retry as they see fit) and never create topics by asking for
// their metadata. Configuration errors wrap kafka.ErrInvalidConfig; an
// unreachable cluster is an error wrapping client.ErrUnreachable that
// names the brokers.
func New(ctx context.Context, cfg kafka.Config) (client.Admin, error) {
	sc, err := cfg.Sarama()
	if err != nil {
		return nil, err
	}
	sc.Metadata.Retry.Max = 0
	sc.Admin.Retry.Max = 0
	sc.Metadata.AllowAutoTopicCreation = false
	var a *admin
	err = do(ctx, func() error {
		cl, err := sarama.NewClient(cfg.Brokers, sc)
		if err != nil {
			return err
		}
		ca, err := sarama.NewClusterAdminFromClient(cl)
		if err != nil {
			cl.Close()
			return err
		}
		a = &admin{conf: sc, client: cl, admin: ca}
		return nil
	})
	if err != nil {
		return nil, unreachable(cfg.Brokers, err)
	}
	return a, nil
}

// unreachable is why connecting to brokers failed: a Kafka error when a
// broker answered with one (a refused SASL login), else ErrUnreachable.
func unreachable(brokers []string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: brokers %s: %w", client.ErrUnreachable, strings.Join(brokers, ","), err)
	}
	if _, ok := kafka.SaramaCode(err); ok {
		return fmt.Errorf("brokers %s: %w", strings.Join(brokers, ","), coded(err))
	}
	return fmt.Errorf("%w: brokers %s: %w", client.ErrUnreachable, strings.Join(brokers, ","), err)
}

// do runs fn, or returns ctx's error once ctx ends first: sarama takes no
// context, so the call is left to end on its own (read_timeout bounds it).
func do(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ctx.Done() == nil {
		return fn()
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// coded attaches the Kafka code of a sarama error, with the broker's
// message where sarama kept it.
func coded(err error) error {
	code, ok := kafka.SaramaCode(err)
	if !ok {
		return err
	}
	ke := sarama.KError(code)
	var msg string
	switch e := err.(type) {
	case *sarama.TopicError:
		msg = deref(e.ErrMsg)
	case *sarama.TopicPartitionError:
		msg = deref(e.ErrMsg)
	case *sarama.DescribeConfigError:
		msg = e.ErrMsg
	}
	return client.Answered(err, int16(ke), msg)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (a *admin) Close() error { return a.admin.Close() } // closes the client too

func (a *admin) Brokers(ctx context.Context) ([]client.Broker, error) {
	var out []client.Broker
	err := do(ctx, func() error {
		brokers, _, err := a.admin.DescribeCluster()
		for _, b := range brokers {
			out = append(out, client.Broker{ID: b.ID(), Addr: b.Addr()})
		}
		return err
	})
	if err != nil {
		return nil, coded(err)
	}
	return out, nil
}

func (a *admin) ListTopics(ctx context.Context, topics ...string) (map[string]client.TopicDetail, error) {
	out := map[string]client.TopicDetail{}
	err := do(ctx, func() error {
		b, err := a.client.Controller()
		if err != nil {
			return err
		}
		req := sarama.NewMetadataRequest(a.conf.Version, topics)
		req.AllowAutoTopicCreation = false
		resp, err := b.GetMetadata(req)
		if err != nil {
			return err
		}
		for _, t := range resp.Topics {
			if t.Err != sarama.ErrNoError {
				return fmt.Errorf("topic %q: %w", t.Name, coded(t.Err))
			}
			if len(topics) == 0 && t.IsInternal {
				continue
			}
			d := client.TopicDetail{Partitions: int32(len(t.Partitions))}
			for _, p := range t.Partitions {
				if p.ID == 0 {
					d.ReplicationFactor = int16(len(p.Replicas))
				}
			}
			out[t.Name] = d
		}
		for _, t := range topics {
			if _, ok := out[t]; !ok {
				return fmt.Errorf("topic %q: %w", t, coded(sarama.ErrUnknownTopicOrPartition))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (a *admin) DescribeTopicConfigs(ctx context.Context, topic string) ([]client.ConfigEntry, error) {
	var out []client.ConfigEntry
	err := do(ctx, func() error {
		res, err := a.admin.DescribeConfigs([]*sarama.ConfigResource{{Type: sarama.TopicResource, Name: topic}}, sarama.DescribeConfigsOptions{})
		if err != nil {
			return coded(err)
		}
		for _, r := range res {
			if r.ErrorCode != sarama.ErrNoError {
				return coded(&sarama.DescribeConfigError{Err: r.ErrorCode, ErrMsg: r.ErrorMsg})
			}
			for _, e := range r.Configs {
				out = append(out, client.ConfigEntry{Name: e.Name, Value: e.Value, Default: e.Default})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (a *admin) CreateTopic(ctx context.Context, topic string, partitions int32, rf int16, configs map[string]string) error {
	detail := &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: rf}
	if len(configs) > 0 {
		detail.ConfigEntries = make(map[string]*string, len(configs))
		for k, v := range configs {
			detail.ConfigEntries[k] = &v
		}
	}
	return coded(do(ctx, func() error { return a.admin.CreateTopic(topic, detail, false) }))
}

func (a *admin) CreatePartitions(ctx context.Context, topic string, count int32) error {
	return coded(do(ctx, func() error { return a.admin.CreatePartitions(topic, count, nil, false) }))
}

func (a *admin) AlterTopicConfigs(ctx context.Context, topic string, set map[string]string) error {
	entries := make(map[string]sarama.IncrementalAlterConfigsEntry, len(set))
	for k, v := range set {
		entries[k] = sarama.IncrementalAlterConfigsEntry{Operation: sarama.IncrementalAlterConfigsOperationSet, Value: &v}
	}
	return coded(do(ctx, func() error {
		return a.admin.IncrementalAlterConfig(sarama.TopicResource, topic, entries, false)
	}))
}

func (a *admin) DeleteTopic(ctx context.Context, topic string) error {
	return coded(do(ctx, func() error { return a.admin.DeleteTopic(topic) }))
}

func (a *admin) ListStartOffsets(ctx context.Context, topics ...string) (client.Offsets, error) {
	return a.listOffsets(ctx, sarama.OffsetOldest, sarama.ReadUncommitted, topics)
}

func (a *admin) ListEndOffsets(ctx context.Context, topics ...string) (client.Offsets, error) {
	return a.listOffsets(ctx, sarama.OffsetNewest, sarama.ReadUncommitted, topics)
}

func (a *admin) ListStableOffsets(ctx context.Context, topics ...string) (client.Offsets, error) {
	return a.listOffsets(ctx, sarama.OffsetNewest, sarama.ReadCommitted, topics)
}

// listOffsets asks the leader of every partition of topics for its offset
// at time, under isolation (one request per leader). ListOffsets carries
// the isolation level from v2 (Kafka 0.11.0, the oldest kafka.version
// Validate allows): a request below it is raised to v2, and sarama lowers
// it again only for a broker older than 0.11, which knows no
// transactions, so that its end offsets are its stable ones.
func (a *admin) listOffsets(ctx context.Context, time int64, isolation sarama.IsolationLevel, topics []string) (client.Offsets, error) {
	if _, err := a.ListTopics(ctx, topics...); err != nil {
		return nil, err
	}
	out := client.Offsets{}
	err := do(ctx, func() error {
		if err := a.client.RefreshMetadata(topics...); err != nil {
			return coded(err)
		}
		type partition struct {
			topic string
			id    int32
		}
		reqs := map[*sarama.Broker]*sarama.OffsetRequest{}
		asked := map[*sarama.Broker][]partition{}
		for _, t := range topics {
			ids, err := a.client.Partitions(t)
			if err != nil {
				return fmt.Errorf("topic %q: %w", t, coded(err))
			}
			for _, id := range ids {
				leader, err := a.client.Leader(t, id)
				if err != nil {
					return fmt.Errorf("topic %q partition %d: %w", t, id, coded(err))
				}
				if reqs[leader] == nil {
					reqs[leader] = sarama.NewOffsetRequest(a.conf.Version)
					reqs[leader].IsolationLevel = isolation
					if isolation == sarama.ReadCommitted && reqs[leader].Version < 2 {
						reqs[leader].Version = 2
					}
				}
				reqs[leader].AddBlock(t, id, time, 1)
				asked[leader] = append(asked[leader], partition{t, id})
			}
		}
		for leader, req := range reqs {
			resp, err := leader.GetAvailableOffsets(req)
			if err != nil {
				return err
			}
			for _, p := range asked[leader] {
				b := resp.GetBlock(p.topic, p.id)
				if b == nil {
					return fmt.Errorf("topic %q partition %d: %w", p.topic, p.id, sarama.ErrIncompleteResponse)
				}
				if b.Err != sarama.ErrNoError {
					return fmt.Errorf("topic %q partition %d: %w", p.topic, p.id, coded(b.Err))
				}
				off := b.Offset
				if len(b.Offsets) > 0 && b.Offset == 0 { // ListOffsets v0
					off = b.Offsets[0]
				}
				out.Set(p.topic, p.id, off)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (a *admin) FetchGroupOffsets(ctx context.Context, group string, topics ...string) (client.Offsets, error) {
	details, err := a.ListTopics(ctx, topics...)
	if err != nil {
		return nil, err
	}
	parts := make(map[string][]int32, len(details))
	for t, d := range details {
		for p := range d.Partitions {
			parts[t] = append(parts[t], p)
		}
	}
	out := client.Offsets{}
	err = do(ctx, func() error {
		resp, err := a.admin.ListConsumerGroupOffsets(group, parts)
		// A group that never committed: Kafka answers -1 offsets, brokers
		// that keep no state for it (the embedded one) GROUP_ID_NOT_FOUND.
		if errors.Is(err, sarama.ErrGroupIDNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("group %s: %w", group, coded(err))
		}
		for t, ps := range resp.Blocks {
			for p, b := range ps {
				if b != nil && b.Err == sarama.ErrNoError && b.Offset >= 0 {
					out.Set(t, p, b.Offset)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
