// Package franzadmin is [client.Admin] on twmb/franz-go's kadm.
//
// kadm reports most per-topic and per-partition failures inside its
// results rather than as the call's error; every method here checks them
// and returns the first as an error carrying its Kafka code, so that the
// two implementations fail alike.
package franzadmin

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
)

type admin struct {
	cl  *kgo.Client
	adm *kadm.Client
}

// New connects to the cluster cfg describes and checks that a broker
// answers. Metadata is asked afresh for every call (see fresh).
// Configuration errors wrap kafka.ErrInvalidConfig; an unreachable cluster
// is an error wrapping client.ErrUnreachable that names the brokers.
func New(ctx context.Context, cfg kafka.Config) (client.Admin, error) {
	opts, err := cfg.Franz()
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.MetadataMinAge(10*time.Millisecond))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: kafka: %w", kafka.ErrInvalidConfig, err)
	}
	if err := cl.Ping(ctx); err != nil {
		cl.Close()
		return nil, unreachable(cfg.Brokers, err)
	}
	return &admin{cl: cl, adm: kadm.NewClient(cl)}, nil
}

// unreachable is why connecting to brokers failed: a Kafka error when a
// broker answered with one (a refused SASL login), else ErrUnreachable.
func unreachable(brokers []string, err error) error {
	if _, ok := errors.AsType[*kerr.Error](err); ok {
		return fmt.Errorf("brokers %s: %w", strings.Join(brokers, ","), coded(err, ""))
	}
	return fmt.Errorf("%w: brokers %s: %w", client.ErrUnreachable, strings.Join(brokers, ","), err)
}

// coded attaches the Kafka code of a kerr error (also inside kadm's
// AuthError and ShardErrors), with the broker's message msg.
func coded(err error, msg string) error {
	ke, ok := errors.AsType[*kerr.Error](err)
	if err == nil || !ok {
		return err
	}
	if _, shard := errors.AsType[*kadm.ShardErrors](err); shard {
		return client.Coded(err, ke.Code) // keep what the shards say
	}
	return client.Answered(err, ke.Code, msg)
}

// fresh makes kadm ask the brokers for metadata instead of answering from
// kgo's cache, which keeps a topic's partitions for MetadataMinAge even
// after they were added: a plan right after an align would see the old
// count. (Asking for authorized operations is kadm's documented way to
// bypass the cache; what they say is not used.)
func fresh(ctx context.Context) context.Context { return kadm.WithAuthorizedOps(ctx) }

func (a *admin) Close() error { a.cl.Close(); return nil }

func (a *admin) Brokers(ctx context.Context) ([]client.Broker, error) {
	bs, err := a.adm.ListBrokers(fresh(ctx))
	if err != nil {
		return nil, coded(err, "")
	}
	out := make([]client.Broker, len(bs))
	for i, b := range bs {
		out[i] = client.Broker{ID: b.NodeID, Addr: fmt.Sprintf("%s:%d", b.Host, b.Port)}
	}
	return out, nil
}

func (a *admin) ListTopics(ctx context.Context, topics ...string) (map[string]client.TopicDetail, error) {
	tds, err := a.adm.ListTopics(fresh(ctx), topics...)
	if err != nil {
		return nil, coded(err, "")
	}
	for _, t := range topics {
		td, ok := tds[t]
		if !ok {
			return nil, fmt.Errorf("topic %q: %w", t, coded(kerr.UnknownTopicOrPartition, ""))
		}
		if td.Err != nil {
			return nil, fmt.Errorf("topic %q: %w", t, coded(td.Err, ""))
		}
	}
	out := make(map[string]client.TopicDetail, len(tds))
	for name, td := range tds {
		if td.Err != nil {
			continue
		}
		d := client.TopicDetail{Partitions: int32(len(td.Partitions))}
		if p, ok := td.Partitions[0]; ok {
			d.ReplicationFactor = int16(len(p.Replicas))
		}
		out[name] = d
	}
	return out, nil
}

func (a *admin) DescribeTopicConfigs(ctx context.Context, topic string) ([]client.ConfigEntry, error) {
	rcs, err := a.adm.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		return nil, coded(err, "")
	}
	rc, err := rcs.On(topic, nil)
	if err != nil {
		return nil, coded(err, "")
	}
	if rc.Err != nil {
		return nil, coded(rc.Err, rc.ErrMessage)
	}
	out := make([]client.ConfigEntry, len(rc.Configs))
	for i, c := range rc.Configs {
		out[i] = client.ConfigEntry{Name: c.Key, Value: c.MaybeValue(), Default: c.Source == kmsg.ConfigSourceDefaultConfig}
	}
	return out, nil
}

func (a *admin) CreateTopic(ctx context.Context, topic string, partitions int32, rf int16, configs map[string]string) error {
	var cs map[string]*string
	if len(configs) > 0 {
		cs = make(map[string]*string, len(configs))
		for k, v := range configs {
			cs[k] = kadm.StringPtr(v)
		}
	}
	resp, err := a.adm.CreateTopic(ctx, partitions, rf, cs, topic)
	return coded(err, resp.ErrMessage)
}

func (a *admin) CreatePartitions(ctx context.Context, topic string, count int32) error {
	rs, err := a.adm.UpdatePartitions(ctx, int(count), topic)
	if err != nil {
		return coded(err, "")
	}
	r, err := rs.On(topic, nil)
	if err != nil {
		return coded(err, "")
	}
	return coded(r.Err, r.ErrMessage)
}

func (a *admin) AlterTopicConfigs(ctx context.Context, topic string, set map[string]string) error {
	var alter []kadm.AlterConfig
	for _, k := range slices.Sorted(maps.Keys(set)) {
		alter = append(alter, kadm.AlterConfig{Op: kadm.SetConfig, Name: k, Value: kadm.StringPtr(set[k])})
	}
	rs, err := a.adm.AlterTopicConfigs(ctx, alter, topic)
	if err != nil {
		return coded(err, "")
	}
	r, err := rs.On(topic, nil)
	if err != nil {
		return coded(err, "")
	}
	return coded(r.Err, r.ErrMessage)
}

func (a *admin) DeleteTopic(ctx context.Context, topic string) error {
	resp, err := a.adm.DeleteTopic(ctx, topic)
	return coded(err, resp.ErrMessage)
}

func (a *admin) ListStartOffsets(ctx context.Context, topics ...string) (client.Offsets, error) {
	return a.listOffsets(ctx, a.adm.ListStartOffsets, topics)
}

func (a *admin) ListEndOffsets(ctx context.Context, topics ...string) (client.Offsets, error) {
	return a.listOffsets(ctx, a.adm.ListEndOffsets, topics)
}

// ListStableOffsets lists with kadm's ListCommittedOffsets: the latest
// offsets under read_committed, which is the last stable offset (not
// offsets a group committed).
func (a *admin) ListStableOffsets(ctx context.Context, topics ...string) (client.Offsets, error) {
	return a.listOffsets(ctx, a.adm.ListCommittedOffsets, topics)
}

func (a *admin) listOffsets(ctx context.Context, list func(context.Context, ...string) (kadm.ListedOffsets, error), topics []string) (client.Offsets, error) {
	if len(topics) == 0 {
		return client.Offsets{}, nil // kadm would list every topic
	}
	listed, err := list(fresh(ctx), topics...)
	out := client.Offsets{}
	for _, t := range topics {
		ps, ok := listed[t]
		if !ok && err == nil {
			return nil, fmt.Errorf("topic %q: %w", t, coded(kerr.UnknownTopicOrPartition, ""))
		}
		for _, p := range slices.Sorted(maps.Keys(ps)) {
			o := ps[p]
			switch {
			case o.Err != nil && p < 0: // the topic could not be listed
				return nil, fmt.Errorf("topic %q: %w", t, coded(o.Err, ""))
			case o.Err != nil:
				return nil, fmt.Errorf("topic %q partition %d: %w", t, p, coded(o.Err, ""))
			}
			out.Set(t, p, o.Offset)
		}
	}
	if err != nil {
		return nil, coded(err, "")
	}
	return out, nil
}

func (a *admin) FetchGroupOffsets(ctx context.Context, group string, topics ...string) (client.Offsets, error) {
	if _, err := a.ListTopics(ctx, topics...); err != nil {
		return nil, err
	}
	rs, err := a.adm.FetchOffsets(ctx, group)
	out := client.Offsets{}
	// A group that never committed: Kafka answers none, brokers that keep
	// no state for it (the embedded one) GROUP_ID_NOT_FOUND.
	if errors.Is(err, kerr.GroupIDNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("group %s: %w", group, coded(err, ""))
	}
	for _, t := range topics {
		for p, r := range rs[t] {
			if r.Err == nil && r.At >= 0 {
				out.Set(t, p, r.At)
			}
		}
	}
	return out, nil
}
