package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/IBM/sarama"
)

// EnsureTopics creates every topic of topics that does not exist yet, with
// partitions partitions and a replication factor of 1 on a one-broker
// cluster, else min(3, brokers). Existing topics are left as they are.
// It is [SyncTopics] in [SyncCreate] mode for topics without configs.
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
	decl := make([]Topic, len(topics))
	for i, t := range topics {
		decl[i] = Topic{Name: t, Partitions: partitions}
	}
	_, err := SyncTopics(ctx, c, SyncCreate, decl...)
	return err
}

// SyncTopics plans topics against the cluster (see [PlanTopics]) and
// carries the plan out as mode says (see [ApplyTopicPlan]); it returns the
// plan it carried out. Like [EnsureTopics] it returns once every partition
// of topics is served, and retries while the cluster cannot be reached or
// is not ready, until ctx ends. Errors wrap [ErrTopicSetup] and name the
// topic; declaration errors wrap [ErrInvalidConfig] as well.
func SyncTopics(ctx context.Context, c Config, mode SyncMode, topics ...Topic) (TopicPlan, error) {
	for _, t := range topics {
		if err := t.Validate(); err != nil {
			return TopicPlan{}, fmt.Errorf("%w: %w", ErrTopicSetup, err)
		}
	}
	if len(topics) == 0 {
		return TopicPlan{}, nil
	}
	sc, err := c.Sarama()
	if err != nil {
		return TopicPlan{}, fmt.Errorf("%w: topics %q: %w", ErrTopicSetup, topicNames(topics), err)
	}
	// One quick attempt per round; syncWith does the retrying under ctx.
	sc.Metadata.Retry.Max = 0
	sc.Admin.Retry.Max = 0
	connect := func() (syncConn, error) {
		client, err := sarama.NewClient(c.Brokers, sc)
		if err != nil {
			return syncConn{}, err
		}
		admin, err := sarama.NewClusterAdminFromClient(client)
		if err != nil {
			client.Close()
			return syncConn{}, err
		}
		return syncConn{
			admin:   admin,
			serving: func(names []string) (string, error) { return partitionsServing(client, sc.Version, names) },
			close:   admin.Close, // closes client too
		}, nil
	}
	return syncWith(ctx, connect, mode, topics)
}

// syncConn is one connection to the cluster for syncWith.
type syncConn struct {
	admin TopicAdmin
	// serving is partitionsServing.
	serving func(topics []string) (string, error)
	close   func() error
}

// syncWith is SyncTopics with a connection made by connect for each attempt.
func syncWith(ctx context.Context, connect func() (syncConn, error), mode SyncMode, topics []Topic) (TopicPlan, error) {
	names := topicNames(topics)
	// applied keeps what earlier attempts changed, so that the plan returned
	// after a retry still says so (the retry's own plan finds it done).
	applied := map[string]TopicChange{}
	backoff := 100 * time.Millisecond
	for {
		plan, done, topic, err := syncOnce(connect, mode, topics, names)
		for _, c := range plan.Changes[:done] {
			if _, ok := applied[c.Topic.Name]; !ok && (c.Create || (mode == SyncAlign && c.Pending())) {
				applied[c.Topic.Name] = c
			}
		}
		if err == nil {
			for i, c := range plan.Changes {
				if a, ok := applied[c.Topic.Name]; ok {
					plan.Changes[i] = a
				}
			}
			return plan, nil
		}
		if topic == "" {
			err = fmt.Errorf("%w: topics %q: %w", ErrTopicSetup, names, err)
		} else {
			err = fmt.Errorf("%w: %w", ErrTopicSetup, err)
		}
		if !retriable(err) {
			return TopicPlan{}, err
		}
		select {
		case <-ctx.Done():
			return TopicPlan{}, fmt.Errorf("%w (gave up: %w)", err, ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

func topicNames(topics []Topic) []string {
	names := make([]string, len(topics))
	for i, t := range topics {
		names[i] = t.Name
	}
	return names
}

// syncOnce makes one attempt. It returns the plan and how many of its
// changes were carried out, and with an error the topic it is about, or ""
// when the error is about the cluster.
func syncOnce(connect func() (syncConn, error), mode SyncMode, topics []Topic, names []string) (TopicPlan, int, string, error) {
	conn, err := connect()
	if err != nil {
		return TopicPlan{}, 0, "", err
	}
	defer conn.close()

	plan, err := PlanTopics(conn.admin, topics)
	if err != nil {
		return TopicPlan{}, 0, "", err
	}
	if topic, err := ApplyTopicPlan(conn.admin, plan, mode); err != nil {
		done := slices.IndexFunc(plan.Changes, func(c TopicChange) bool { return c.Topic.Name == topic })
		return plan, max(done, 0), topic, err
	}
	topic, err := conn.serving(names)
	if err != nil && topic != "" {
		err = fmt.Errorf("topic %q: %w", topic, err)
	}
	return plan, len(plan.Changes), topic, err
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
