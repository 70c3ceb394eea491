package client

import "context"

// Admin administers a cluster and reads it from outside a consumer group:
// what the declarative topics (plan, apply, create, delete) and the Kafka
// tools (lag, consume) need, whatever library answers.
//
// Errors the brokers report carry their Kafka code ([Error]): a topic the
// cluster does not have matches [ErrUnknownTopicOrPartition], one that
// exists already [ErrTopicAlreadyExists], and so on. A call on many topics
// names the topic (and partition) an error is about; a call on one topic
// leaves naming it to the caller. An Admin that reached no broker when
// made is not returned: the constructor's error wraps [ErrUnreachable] and
// names the brokers it tried.
//
// Every method honours ctx: when it ends, the call returns ctx's error
// (a library that cannot stop a request leaves it to finish on its own,
// bounded by kafka.read_timeout).
type Admin interface {
	// Brokers returns the brokers of the cluster, by node id.
	Brokers(ctx context.Context) ([]Broker, error)
	// ListTopics returns the cluster's topics by name: with no names
	// every topic but the internal ones, else the named topics, where a
	// topic the cluster does not have is an error matching
	// [ErrUnknownTopicOrPartition] that names it. Topics are never created
	// by asking (whatever the brokers' auto.create.topics.enable).
	ListTopics(ctx context.Context, topics ...string) (map[string]TopicDetail, error)
	// DescribeTopicConfigs returns every config of topic with its current
	// value, including the broker's defaults.
	DescribeTopicConfigs(ctx context.Context, topic string) ([]ConfigEntry, error)
	// CreateTopic creates topic with partitions partitions, replication
	// factor rf and configs set on it (nil: none).
	CreateTopic(ctx context.Context, topic string, partitions int32, rf int16, configs map[string]string) error
	// CreatePartitions adds partitions to topic until it has count.
	CreatePartitions(ctx context.Context, topic string, count int32) error
	// AlterTopicConfigs sets the configs of topic named in set, and only
	// those (an incremental alter: the topic's other configs are left).
	AlterTopicConfigs(ctx context.Context, topic string, set map[string]string) error
	// DeleteTopic deletes topic with its data.
	DeleteTopic(ctx context.Context, topic string) error
	// ListStartOffsets and ListEndOffsets return the oldest offset and the
	// high watermark (read_uncommitted) of every partition of topics, each
	// answered by the partition's leader. An error, naming its topic and
	// partition, is returned when any partition could not be listed.
	ListStartOffsets(ctx context.Context, topics ...string) (Offsets, error)
	ListEndOffsets(ctx context.Context, topics ...string) (Offsets, error)
	// ListStableOffsets returns the last stable offset of every partition
	// of topics (ListOffsets at the latest time, read_committed): every
	// transaction below it is committed or aborted, so it is where a
	// read_committed consumer stops. It equals the end offset but while a
	// transaction is open on the partition: then it stays at that
	// transaction's first record while the high watermark moves on. A
	// commit or abort marker takes an offset of its own, so once decided
	// the stable offset is the end offset, marker included. Answered and
	// failing as ListEndOffsets.
	ListStableOffsets(ctx context.Context, topics ...string) (Offsets, error)
	// FetchGroupOffsets returns the offsets group committed on topics (the
	// next offset it reads), by topic and partition. Partitions the group
	// never committed are left out; a group that does not exist (or keeps
	// no state) has none: that is not an error.
	FetchGroupOffsets(ctx context.Context, group string, topics ...string) (Offsets, error)
	// Close closes the connections.
	Close() error
}

// Broker is one broker of the cluster.
type Broker struct {
	ID   int32
	Addr string // "host:port"
}

// TopicDetail is what a topic is made of.
type TopicDetail struct {
	// Partitions is the partition count; partitions are numbered from 0.
	Partitions int32
	// ReplicationFactor is the replica count of the topic's first partition.
	ReplicationFactor int16
}

// ConfigEntry is one config of a topic.
type ConfigEntry struct {
	Name string
	// Value is the current value ("" when the broker reports none, as for
	// a sensitive config).
	Value string
	// Default says the value is the broker's default, not set on the
	// topic nor on the broker (Kafka's DEFAULT_CONFIG source).
	Default bool
}

// Offsets are offsets by topic and partition.
type Offsets map[string]map[int32]int64

// Lookup returns the offset of topic's partition and whether there is one.
func (o Offsets) Lookup(topic string, partition int32) (int64, bool) {
	off, ok := o[topic][partition]
	return off, ok
}

// Set sets the offset of topic's partition.
func (o Offsets) Set(topic string, partition int32, offset int64) {
	if o[topic] == nil {
		o[topic] = map[int32]int64{}
	}
	o[topic][partition] = offset
}
