package kafka

import "github.com/IBM/sarama"

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
