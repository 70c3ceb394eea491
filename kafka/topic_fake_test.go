package kafka_test

import (
	"fmt"
	"maps"
	"sync"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/kafka"
)

// fakeTopic is a topic of fakeAdmin.
type fakeTopic struct {
	partitions int32
	rf         int16
	configs    map[string]string // set on the topic
}

// fakeAdmin is an in-memory kafka.TopicAdmin: topics with partitions,
// replication factor and configs, broker defaults for the rest. It records
// every incremental alter call.
type fakeAdmin struct {
	mu       sync.Mutex
	brokers  int
	defaults map[string]string
	topics   map[string]*fakeTopic
	alters   []map[string]sarama.IncrementalAlterConfigsEntry
	failOn   string // a call ("create", "alter", "partitions") that fails
}

var _ kafka.TopicAdmin = (*fakeAdmin)(nil)

func newFakeAdmin(brokers int) *fakeAdmin {
	return &fakeAdmin{brokers: brokers, topics: map[string]*fakeTopic{},
		defaults: map[string]string{"retention.ms": "604800000", "cleanup.policy": "delete"}}
}

func (f *fakeAdmin) DescribeCluster() ([]*sarama.Broker, int32, error) {
	var out []*sarama.Broker
	for i := range f.brokers {
		out = append(out, sarama.NewBroker(fmt.Sprintf("127.0.0.1:%d", 9092+i)))
	}
	return out, 0, nil
}

func (f *fakeAdmin) ListTopics() (map[string]sarama.TopicDetail, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]sarama.TopicDetail{}
	for n, t := range f.topics {
		out[n] = sarama.TopicDetail{NumPartitions: t.partitions, ReplicationFactor: t.rf}
	}
	return out, nil
}

func (f *fakeAdmin) DescribeConfig(r sarama.ConfigResource) ([]sarama.ConfigEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.topics[r.Name]
	if !ok {
		return nil, sarama.ErrUnknownTopicOrPartition
	}
	var out []sarama.ConfigEntry
	for k, v := range f.defaults {
		if _, set := t.configs[k]; !set {
			out = append(out, sarama.ConfigEntry{Name: k, Value: v, Default: true, Source: sarama.SourceDefault})
		}
	}
	for k, v := range t.configs {
		out = append(out, sarama.ConfigEntry{Name: k, Value: v, Source: sarama.SourceTopic})
	}
	return out, nil
}

func (f *fakeAdmin) CreateTopic(name string, d *sarama.TopicDetail, _ bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failOn == "create" {
		return sarama.ErrInvalidConfig
	}
	if _, ok := f.topics[name]; ok {
		return sarama.ErrTopicAlreadyExists
	}
	t := &fakeTopic{partitions: d.NumPartitions, rf: d.ReplicationFactor, configs: map[string]string{}}
	for k, v := range d.ConfigEntries {
		t.configs[k] = *v
	}
	f.topics[name] = t
	return nil
}

func (f *fakeAdmin) CreatePartitions(name string, count int32, _ [][]int32, _ bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failOn == "partitions" {
		return sarama.ErrInvalidPartitions
	}
	t, ok := f.topics[name]
	if !ok {
		return sarama.ErrUnknownTopicOrPartition
	}
	if count <= t.partitions {
		return sarama.ErrInvalidPartitions
	}
	t.partitions = count
	return nil
}

func (f *fakeAdmin) IncrementalAlterConfig(rt sarama.ConfigResourceType, name string, entries map[string]sarama.IncrementalAlterConfigsEntry, _ bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.alters = append(f.alters, maps.Clone(entries))
	if f.failOn == "alter" {
		return sarama.ErrInvalidConfig
	}
	t, ok := f.topics[name]
	if rt != sarama.TopicResource || !ok {
		return sarama.ErrUnknownTopicOrPartition
	}
	for k, e := range entries {
		switch e.Operation {
		case sarama.IncrementalAlterConfigsOperationSet:
			t.configs[k] = *e.Value
		case sarama.IncrementalAlterConfigsOperationDelete:
			delete(t.configs, k)
		default:
			return fmt.Errorf("fake admin: operation %v not supported", e.Operation)
		}
	}
	return nil
}

func (f *fakeAdmin) DeleteTopic(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.topics[name]; !ok {
		return sarama.ErrUnknownTopicOrPartition
	}
	delete(f.topics, name)
	return nil
}
