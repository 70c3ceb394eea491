package topicsync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// EnsureTopics creates every topic of topics that does not exist yet, with
// partitions partitions and a replication factor of 1 on a one-broker
// cluster, else min(3, brokers). Existing topics are left as they are.
// It is [SyncTopics] in kafka.SyncCreate mode for topics without configs.
//
// It returns once the leader of every partition of every topic serves it, so
// the topics can be produced to and consumed at once: a broker answers
// CreateTopics before the new partitions are served, and a client that is
// quick enough otherwise gets NOT_LEADER_OR_FOLLOWER.
//
// While the cluster cannot be reached or is not ready, EnsureTopics retries
// with a growing backoff (100ms up to 2s) until ctx ends. Errors wrap
// kafka.ErrTopicSetup and name the topic (or all topics when none could be
// looked at); configuration errors wrap kafka.ErrInvalidConfig as well.
func EnsureTopics(ctx context.Context, c kafka.Config, partitions int32, topics ...string) error {
	decl := make([]kafka.Topic, len(topics))
	for i, t := range topics {
		decl[i] = kafka.Topic{Name: t, Partitions: partitions}
	}
	_, err := SyncTopics(ctx, c, kafka.SyncCreate, decl...)
	return err
}

// SyncTopics plans topics against the cluster (see [PlanTopics]) and
// carries the plan out as mode says (see [ApplyTopicPlan]), through an
// admin of the library c.Client names; it returns the plan it carried out.
// Like [EnsureTopics] it returns once every partition of topics is served,
// and retries while the cluster cannot be reached or is not ready, until
// ctx ends. Errors wrap kafka.ErrTopicSetup and name the topic;
// declaration errors wrap kafka.ErrInvalidConfig as well.
func SyncTopics(ctx context.Context, c kafka.Config, mode kafka.SyncMode, topics ...kafka.Topic) (kafka.TopicPlan, error) {
	for _, t := range topics {
		if err := t.Validate(); err != nil {
			return kafka.TopicPlan{}, fmt.Errorf("%w: %w", kafka.ErrTopicSetup, err)
		}
	}
	if len(topics) == 0 {
		return kafka.TopicPlan{}, nil
	}
	if err := c.Validate(); err != nil {
		return kafka.TopicPlan{}, fmt.Errorf("%w: topics %q: %w", kafka.ErrTopicSetup, topicNames(topics), err)
	}
	// One attempt per round: the admin tries each request once and
	// syncWith does the retrying under ctx.
	connect := func(ctx context.Context) (client.Admin, error) { return clients.NewAdmin(ctx, c) }
	return SyncWith(ctx, connect, mode, topics...)
}

// SyncWith is [SyncTopics] with an admin made by connect for each attempt
// (closed after it).
func SyncWith(ctx context.Context, connect func(context.Context) (client.Admin, error), mode kafka.SyncMode, topics ...kafka.Topic) (kafka.TopicPlan, error) {
	names := topicNames(topics)
	// applied keeps what earlier attempts changed, so that the plan returned
	// after a retry still says so (the retry's own plan finds it done).
	applied := map[string]kafka.TopicChange{}
	backoff := 100 * time.Millisecond
	for {
		plan, done, topic, err := syncOnce(ctx, connect, mode, topics, names)
		for _, c := range plan.Changes[:done] {
			if _, ok := applied[c.Topic.Name]; !ok && (c.Create || (mode == kafka.SyncAlign && c.Pending())) {
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
			err = fmt.Errorf("%w: topics %q: %w", kafka.ErrTopicSetup, names, err)
		} else {
			err = fmt.Errorf("%w: %w", kafka.ErrTopicSetup, err)
		}
		if !retriable(err) {
			return kafka.TopicPlan{}, err
		}
		select {
		case <-ctx.Done():
			return kafka.TopicPlan{}, fmt.Errorf("%w (gave up: %w)", err, ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

func topicNames(topics []kafka.Topic) []string {
	names := make([]string, len(topics))
	for i, t := range topics {
		names[i] = t.Name
	}
	return names
}

// syncOnce makes one attempt. It returns the plan and how many of its
// changes were carried out, and with an error the topic it is about, or ""
// when the error is about the cluster.
func syncOnce(ctx context.Context, connect func(context.Context) (client.Admin, error), mode kafka.SyncMode, topics []kafka.Topic, names []string) (kafka.TopicPlan, int, string, error) {
	admin, err := connect(ctx)
	if err != nil {
		return kafka.TopicPlan{}, 0, "", err
	}
	defer admin.Close()

	plan, err := PlanTopics(ctx, admin, topics)
	if err != nil {
		return kafka.TopicPlan{}, 0, "", err
	}
	if topic, err := ApplyTopicPlan(ctx, admin, plan, mode); err != nil {
		done := slices.IndexFunc(plan.Changes, func(c kafka.TopicChange) bool { return c.Topic.Name == topic })
		return plan, max(done, 0), topic, err
	}
	return plan, len(plan.Changes), "", partitionsServing(ctx, admin, names)
}

// partitionsServing returns nil when the leader of every partition of
// topics answers a ListOffsets for it, else a retriable error. Metadata alone is not enough: a KRaft broker
// publishes a new partition's leader in its metadata a moment before its
// replica manager serves the partition, and a consumer asking for its start
// offset in between gets NOT_LEADER_OR_FOLLOWER.
//
// The admin's error names the topic and partition.
func partitionsServing(ctx context.Context, admin client.Admin, topics []string) error {
	_, err := admin.ListEndOffsets(ctx, slices.Compact(slices.Sorted(slices.Values(topics)))...)
	return err
}

// retriable reports whether err may go away once the cluster is ready.
func retriable(err error) bool {
	for _, permanent := range []error{
		kafka.ErrInvalidConfig,
		client.ErrInvalidTopic,
		client.ErrInvalidPartitions,
		client.ErrInvalidReplicationFactor,
		client.ErrInvalidConfig,
		client.ErrPolicyViolation,
		client.ErrTopicAuthorizationFailed,
		client.ErrClusterAuthorizationFailed,
		client.ErrSASLAuthenticationFailed,
		client.ErrInvalidRequest,
	} {
		if errors.Is(err, permanent) {
			return false
		}
	}
	return true
}

// PlanTopics compares topics with the cluster admin talks to and returns
// what would be created, altered (declared configs whose value differs) and
// repartitioned (more partitions declared than the topic has). It changes
// nothing. Topics are validated first (errors wrap kafka.ErrInvalidConfig);
// a topic declared twice must be declared the same way.
func PlanTopics(ctx context.Context, admin client.Admin, topics []kafka.Topic) (kafka.TopicPlan, error) {
	seen := map[string]kafka.Topic{}
	for _, t := range topics {
		if err := t.Validate(); err != nil {
			return kafka.TopicPlan{}, err
		}
		if prev, dup := seen[t.Name]; dup && !sameTopic(prev, t) {
			return kafka.TopicPlan{}, fmt.Errorf("%w: topic %q: declared twice, differently", kafka.ErrInvalidConfig, t.Name)
		}
		seen[t.Name] = t
	}
	nodes, err := admin.Brokers(ctx)
	if err != nil {
		return kafka.TopicPlan{}, fmt.Errorf("describe cluster: %w", err)
	}
	if len(nodes) == 0 {
		return kafka.TopicPlan{}, errors.New("describe cluster: no broker available")
	}
	existing, err := admin.ListTopics(ctx)
	if err != nil {
		return kafka.TopicPlan{}, fmt.Errorf("list topics: %w", err)
	}
	var plan kafka.TopicPlan
	planned := map[string]bool{}
	for _, t := range topics {
		if planned[t.Name] {
			continue
		}
		planned[t.Name] = true
		c := kafka.TopicChange{Topic: t}
		c.Topic.Configs = maps.Clone(t.Configs)
		cur, ok := existing[t.Name]
		if !ok {
			c.Create = true
			if c.Topic.ReplicationFactor == 0 {
				c.Topic.ReplicationFactor = int16(min(3, len(nodes)))
			}
			plan.Changes = append(plan.Changes, c)
			continue
		}
		c.Current, c.CurrentReplication = cur.Partitions, cur.ReplicationFactor
		if t.Partitions < cur.Partitions {
			c.Notes = append(c.Notes, fmt.Sprintf("declares %s but has %d; partitions are never removed, left as is",
				plural(int(t.Partitions), "partition"), cur.Partitions))
		}
		if t.ReplicationFactor != 0 && t.ReplicationFactor != cur.ReplicationFactor {
			c.Notes = append(c.Notes, fmt.Sprintf("declares replication factor %d but has %d; changing it needs a partition reassignment, left as is",
				t.ReplicationFactor, cur.ReplicationFactor))
		}
		if len(t.Configs) > 0 {
			entries, err := admin.DescribeTopicConfigs(ctx, t.Name)
			if err != nil {
				return kafka.TopicPlan{}, fmt.Errorf("topic %q: describe configs: %w", t.Name, err)
			}
			c.Configs = configChanges(t.Configs, entries)
		}
		plan.Changes = append(plan.Changes, c)
	}
	return plan, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// configChanges lists the declared configs whose current value differs, by key.
func configChanges(want map[string]string, entries []client.ConfigEntry) []kafka.ConfigChange {
	current := make(map[string]client.ConfigEntry, len(entries))
	for _, e := range entries {
		current[e.Name] = e
	}
	var out []kafka.ConfigChange
	for _, k := range slices.Sorted(maps.Keys(want)) {
		e, ok := current[k]
		if ok && e.Value == want[k] {
			continue
		}
		out = append(out, kafka.ConfigChange{Key: k, From: e.Value, FromDefault: ok && e.Default, To: want[k]})
	}
	return out
}

func sameTopic(a, b kafka.Topic) bool {
	return a.Partitions == b.Partitions && a.ReplicationFactor == b.ReplicationFactor && maps.Equal(a.Configs, b.Configs)
}

// ApplyTopicPlan carries out plan through admin as mode says. It returns
// the name of the topic an error is about with the error, which names it.
func ApplyTopicPlan(ctx context.Context, admin client.Admin, plan kafka.TopicPlan, mode kafka.SyncMode) (string, error) {
	for _, c := range plan.Changes {
		t := c.Topic
		if c.Create {
			if err := admin.CreateTopic(ctx, t.Name, t.Partitions, t.ReplicationFactor, t.Configs); err != nil && !errors.Is(err, client.ErrTopicAlreadyExists) {
				return t.Name, fmt.Errorf("topic %q: create: %w", t.Name, err)
			}
			continue
		}
		if mode != kafka.SyncAlign {
			continue
		}
		if len(c.Configs) > 0 {
			set := make(map[string]string, len(c.Configs))
			for _, cc := range c.Configs {
				set[cc.Key] = cc.To
			}
			if err := admin.AlterTopicConfigs(ctx, t.Name, set); err != nil {
				return t.Name, fmt.Errorf("topic %q: alter configs %q: %w", t.Name, slices.Sorted(maps.Keys(set)), err)
			}
		}
		if c.Repartition() {
			if err := admin.CreatePartitions(ctx, t.Name, t.Partitions); err != nil {
				return t.Name, fmt.Errorf("topic %q: add partitions (%d -> %d): %w", t.Name, c.Current, t.Partitions, err)
			}
			awaitPartitions(ctx, admin, t.Name, t.Partitions)
		}
	}
	return "", nil
}

// partitionsVisibleWithin bounds awaitPartitions.
var partitionsVisibleWithin = 10 * time.Second

// awaitPartitions waits (at most partitionsVisibleWithin) until the
// cluster's metadata shows topic with want partitions: the controller
// accepted them, and a broker's metadata follows a moment later, so that
// a plan made right after an align (topics align, then topics plan
// --detailed-exitcode) does not show the change pending still. A cluster
// slower than that is not an error: the change was accepted.
func awaitPartitions(ctx context.Context, admin client.Admin, topic string, want int32) {
	ctx, cancel := context.WithTimeout(ctx, partitionsVisibleWithin)
	defer cancel()
	for {
		if ts, err := admin.ListTopics(ctx, topic); err == nil && ts[topic].Partitions >= want {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// DeleteTopics deletes those of topics that exist and returns their names;
// the others are skipped. It stops at the first error, which names its topic.
func DeleteTopics(ctx context.Context, admin client.Admin, topics ...string) ([]string, error) {
	existing, err := admin.ListTopics(ctx)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	var deleted []string
	for _, t := range topics {
		if _, ok := existing[t]; !ok || slices.Contains(deleted, t) {
			continue
		}
		if err := admin.DeleteTopic(ctx, t); err != nil && !errors.Is(err, client.ErrUnknownTopicOrPartition) {
			return deleted, fmt.Errorf("topic %q: delete: %w", t, err)
		}
		deleted = append(deleted, t)
	}
	return deleted, nil
}
