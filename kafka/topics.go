package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"
)

// EnsureTopics creates every topic of topics that does not exist yet, with
// partitions partitions and a replication factor of 1 on a one-broker
// cluster, else min(3, brokers). Existing topics are left as they are.
//
// It returns once the leader of every partition of every topic serves it, so
// the topics can be produced to and consumed at once: a broker answers
// CreateTopics before the new partitions are served, and a client that is
// quick enough otherwise gets NOT_LEADER_OR_FOLLOWER.
//
// While the cluster cannot be reached or is not ready, EnsureTopics retries
// with a growing backoff (100ms up to 2s) until ctx ends. Errors wrap
// [ErrTopicSetup] and name the topic (or all topics when none could be
// looked at); configuration errors wrap [ErrInvalidConfig] as well.
func EnsureTopics(ctx context.Context, c Config, partitions int32, topics ...string) error {
	if partitions < 1 {
		return fmt.Errorf("%w: %w: partitions: %d must be at least 1", ErrTopicSetup, ErrInvalidConfig, partitions)
	}
	for _, t := range topics {
		if err := CheckTopicName(t); err != nil {
			return fmt.Errorf("%w: %w: %w", ErrTopicSetup, ErrInvalidConfig, err)
		}
	}
	if len(topics) == 0 {
		return nil
	}
	sc, err := c.Sarama()
	if err != nil {
		return fmt.Errorf("%w: topics %q: %w", ErrTopicSetup, topics, err)
	}
	// One quick attempt per round; this loop does the retrying under ctx.
	sc.Metadata.Retry.Max = 0
	sc.Admin.Retry.Max = 0

	backoff := 100 * time.Millisecond
	for {
		topic, err := ensureOnce(sc, c.Brokers, partitions, topics)
		if err == nil {
			return nil
		}
		if topic == "" {
			err = fmt.Errorf("%w: topics %q: %w", ErrTopicSetup, topics, err)
		} else {
			err = fmt.Errorf("%w: topic %q: %w", ErrTopicSetup, topic, err)
		}
		if !retriable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up: %w)", err, ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// ensureOnce makes one attempt; it returns the topic an error is about, or
// "" when the error is about the cluster.
func ensureOnce(sc *sarama.Config, brokers []string, partitions int32, topics []string) (string, error) {
	client, err := sarama.NewClient(brokers, sc)
	if err != nil {
		return "", err
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		client.Close()
		return "", err
	}
	defer admin.Close() // closes client too

	nodes, _, err := admin.DescribeCluster()
	if err != nil {
		return "", err
	}
	if len(nodes) == 0 {
		return "", sarama.ErrBrokerNotAvailable
	}
	existing, err := admin.ListTopics()
	if err != nil {
		return "", err
	}
	rf := int16(min(3, len(nodes)))
	for _, t := range topics {
		if _, ok := existing[t]; ok {
			continue
		}
		err := admin.CreateTopic(t, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: rf}, false)
		if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return t, err
		}
	}
	return partitionsServing(client, sc.Version, topics)
}

// partitionsServing returns nil when the leader of every partition of topics
// answers a ListOffsets for it (one request per broker), else the first
// topic that is not ready and a retriable error. Metadata alone is not
// enough: a KRaft broker publishes a new partition's leader in its metadata
// a moment before its replica manager serves the partition, and a consumer
// asking for its start offset in between gets NOT_LEADER_OR_FOLLOWER.
func partitionsServing(client sarama.Client, version sarama.KafkaVersion, topics []string) (string, error) {
	if err := client.RefreshMetadata(topics...); err != nil {
		return "", err
	}
	type partition struct {
		topic string
		id    int32
	}
	reqs := map[*sarama.Broker]*sarama.OffsetRequest{}
	asked := map[*sarama.Broker][]partition{}
	for _, t := range topics {
		ids, err := client.Partitions(t)
		if err != nil {
			return t, err
		}
		for _, id := range ids {
			leader, err := client.Leader(t, id)
			if err != nil {
				return t, fmt.Errorf("partition %d: %w", id, err)
			}
			if reqs[leader] == nil {
				reqs[leader] = sarama.NewOffsetRequest(version)
			}
			reqs[leader].AddBlock(t, id, sarama.OffsetNewest, 1)
			asked[leader] = append(asked[leader], partition{t, id})
		}
	}
	for leader, req := range reqs {
		resp, err := leader.GetAvailableOffsets(req)
		if err != nil {
			return "", err
		}
		for _, p := range asked[leader] {
			b := resp.GetBlock(p.topic, p.id)
			if b == nil {
				return p.topic, fmt.Errorf("partition %d: %w", p.id, sarama.ErrIncompleteResponse)
			}
			if !errors.Is(b.Err, sarama.ErrNoError) {
				return p.topic, fmt.Errorf("partition %d: %w", p.id, b.Err)
			}
		}
	}
	return "", nil
}

// retriable reports whether err may go away once the cluster is ready.
func retriable(err error) bool {
	for _, permanent := range []error{
		ErrInvalidConfig,
		sarama.ErrInvalidTopic,
		sarama.ErrInvalidPartitions,
		sarama.ErrInvalidReplicationFactor,
		sarama.ErrInvalidConfig,
		sarama.ErrPolicyViolation,
		sarama.ErrTopicAuthorizationFailed,
		sarama.ErrClusterAuthorizationFailed,
		sarama.ErrSASLAuthenticationFailed,
		sarama.ErrInvalidRequest,
	} {
		if errors.Is(err, permanent) {
			return false
		}
	}
	return true
}
