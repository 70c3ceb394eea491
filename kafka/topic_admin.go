package kafka

import (
	"errors"
	"fmt"
	"slices"

	"github.com/IBM/sarama"
)

// TopicAdmin is the part of sarama's ClusterAdmin that topic management
// uses. Configs are only ever changed with IncrementalAlterConfig, which
// sets the keys it names and leaves the others; the legacy AlterConfig
// (which replaces a topic's whole set) is not part of it on purpose.
type TopicAdmin interface {
	DescribeCluster() (brokers []*sarama.Broker, controllerID int32, err error)
	ListTopics() (map[string]sarama.TopicDetail, error)
	DescribeConfig(resource sarama.ConfigResource) ([]sarama.ConfigEntry, error)
	CreateTopic(topic string, detail *sarama.TopicDetail, validateOnly bool) error
	CreatePartitions(topic string, count int32, assignment [][]int32, validateOnly bool) error
	IncrementalAlterConfig(resourceType sarama.ConfigResourceType, name string, entries map[string]sarama.IncrementalAlterConfigsEntry, validateOnly bool) error
	DeleteTopic(topic string) error
}

var _ TopicAdmin = sarama.ClusterAdmin(nil)

// NewClusterAdmin connects a sarama ClusterAdmin to the cluster c
// describes. Close it when done.
func NewClusterAdmin(c Config) (sarama.ClusterAdmin, error) {
	sc, err := c.Sarama()
	if err != nil {
		return nil, err
	}
	return sarama.NewClusterAdmin(c.Brokers, sc)
}

// DeleteTopics deletes those of topics that exist and returns their names;
// the others are skipped. It stops at the first error, which names its topic.
func DeleteTopics(admin TopicAdmin, topics ...string) ([]string, error) {
	existing, err := admin.ListTopics()
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	var deleted []string
	for _, t := range topics {
		if _, ok := existing[t]; !ok || slices.Contains(deleted, t) {
			continue
		}
		if err := admin.DeleteTopic(t); err != nil && !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			return deleted, fmt.Errorf("topic %q: delete: %w", t, err)
		}
		deleted = append(deleted, t)
	}
	return deleted, nil
}
