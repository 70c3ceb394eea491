package topicsync_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/karafka-actors/karafka-actors/client"
)

// fakeTopic is a topic of fakeAdmin.
type fakeTopic struct {
	partitions int32
	rf         int16
	configs    map[string]string // set on the topic
}

// fakeAdmin is an in-memory client.Admin: topics with partitions,
// replication factor and configs, broker defaults for the rest. It records
// every incremental alter call.
type fakeAdmin struct {
	mu       sync.Mutex
	brokers  int
	defaults map[string]string
	topics   map[string]*fakeTopic
	alters   []map[string]string
	failOn   string // a call ("create", "alter", "partitions") that fails
	// endOffsets, when set, answers ListEndOffsets (the serving check).
	endOffsets func() error
}

var _ client.Admin = (*fakeAdmin)(nil)

func newFakeAdmin(brokers int) *fakeAdmin {
	return &fakeAdmin{brokers: brokers, topics: map[string]*fakeTopic{},
		defaults: map[string]string{"retention.ms": "604800000", "cleanup.policy": "delete"}}
}

// kerr is a Kafka error as an admin returns it.
func kerr(c client.Code) error { return client.Coded(errors.New(c.Error()), int16(c)) }

func (f *fakeAdmin) Close() error { return nil }

func (f *fakeAdmin) Brokers(context.Context) ([]client.Broker, error) {
	var out []client.Broker
	for i := range f.brokers {
		out = append(out, client.Broker{ID: int32(i), Addr: fmt.Sprintf("127.0.0.1:%d", 9092+i)})
	}
	return out, nil
}

func (f *fakeAdmin) ListTopics(_ context.Context, names ...string) (map[string]client.TopicDetail, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]client.TopicDetail{}
	for n, t := range f.topics {
		out[n] = client.TopicDetail{Partitions: t.partitions, ReplicationFactor: t.rf}
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("topic %q: %w", n, kerr(client.ErrUnknownTopicOrPartition))
		}
	}
	return out, nil
}

func (f *fakeAdmin) DescribeTopicConfigs(_ context.Context, name string) ([]client.ConfigEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.topics[name]
	if !ok {
		return nil, kerr(client.ErrUnknownTopicOrPartition)
	}
	var out []client.ConfigEntry
	for k, v := range f.defaults {
		if _, set := t.configs[k]; !set {
			out = append(out, client.ConfigEntry{Name: k, Value: v, Default: true})
		}
	}
	for k, v := range t.configs {
		out = append(out, client.ConfigEntry{Name: k, Value: v})
	}
	return out, nil
}

func (f *fakeAdmin) CreateTopic(_ context.Context, name string, partitions int32, rf int16, configs map[string]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failOn == "create" {
		return kerr(client.ErrInvalidConfig)
	}
	if _, ok := f.topics[name]; ok {
		return kerr(client.ErrTopicAlreadyExists)
	}
	t := &fakeTopic{partitions: partitions, rf: rf, configs: map[string]string{}}
	maps.Copy(t.configs, configs)
	f.topics[name] = t
	return nil
}

func (f *fakeAdmin) CreatePartitions(_ context.Context, name string, count int32) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failOn == "partitions" {
		return kerr(client.ErrInvalidPartitions)
	}
	t, ok := f.topics[name]
	if !ok {
		return kerr(client.ErrUnknownTopicOrPartition)
	}
	if count <= t.partitions {
		return kerr(client.ErrInvalidPartitions)
	}
	t.partitions = count
	return nil
}

func (f *fakeAdmin) AlterTopicConfigs(_ context.Context, name string, set map[string]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.alters = append(f.alters, maps.Clone(set))
	if f.failOn == "alter" {
		return kerr(client.ErrInvalidConfig)
	}
	t, ok := f.topics[name]
	if !ok {
		return kerr(client.ErrUnknownTopicOrPartition)
	}
	maps.Copy(t.configs, set)
	return nil
}

func (f *fakeAdmin) DeleteTopic(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.topics[name]; !ok {
		return kerr(client.ErrUnknownTopicOrPartition)
	}
	delete(f.topics, name)
	return nil
}

func (f *fakeAdmin) ListStartOffsets(ctx context.Context, topics ...string) (client.Offsets, error) {
	return f.offsets(ctx, topics)
}

func (f *fakeAdmin) ListEndOffsets(ctx context.Context, topics ...string) (client.Offsets, error) {
	if f.endOffsets != nil {
		if err := f.endOffsets(); err != nil {
			return nil, err
		}
	}
	return f.offsets(ctx, topics)
}

func (f *fakeAdmin) ListStableOffsets(ctx context.Context, topics ...string) (client.Offsets, error) {
	return f.offsets(ctx, topics)
}

func (f *fakeAdmin) offsets(ctx context.Context, topics []string) (client.Offsets, error) {
	ts, err := f.ListTopics(ctx, topics...)
	if err != nil {
		return nil, err
	}
	out := client.Offsets{}
	for _, t := range topics {
		for p := range ts[t].Partitions {
			out.Set(t, p, 0)
		}
	}
	return out, nil
}

func (f *fakeAdmin) FetchGroupOffsets(context.Context, string, ...string) (client.Offsets, error) {
	return client.Offsets{}, nil
}
