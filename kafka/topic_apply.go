package kafka

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/IBM/sarama"
)

// SyncMode says how far [ApplyTopicPlan] and [SyncTopics] go.
type SyncMode uint8

const (
	// SyncCreate creates missing topics only; existing ones are left as
	// they are.
	SyncCreate SyncMode = iota
	// SyncAlign creates missing topics, sets the declared configs that
	// differ (incrementally: other configs are left alone) and adds the
	// partitions declared beyond a topic's count. It never removes
	// partitions nor changes a replication factor.
	SyncAlign
)

// ApplyTopicPlan carries out plan through admin as mode says. It returns
// the name of the topic an error is about with the error, which names it.
func ApplyTopicPlan(admin TopicAdmin, plan TopicPlan, mode SyncMode) (string, error) {
	for _, c := range plan.Changes {
		t := c.Topic
		if c.Create {
			detail := &sarama.TopicDetail{NumPartitions: t.Partitions, ReplicationFactor: t.ReplicationFactor}
			if len(t.Configs) > 0 {
				detail.ConfigEntries = make(map[string]*string, len(t.Configs))
				for k, v := range t.Configs {
					detail.ConfigEntries[k] = &v
				}
			}
			if err := admin.CreateTopic(t.Name, detail, false); err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
				return t.Name, fmt.Errorf("topic %q: create: %w", t.Name, err)
			}
			continue
		}
		if mode != SyncAlign {
			continue
		}
		if len(c.Configs) > 0 {
			entries := make(map[string]sarama.IncrementalAlterConfigsEntry, len(c.Configs))
			for _, cc := range c.Configs {
				v := cc.To
				entries[cc.Key] = sarama.IncrementalAlterConfigsEntry{Operation: sarama.IncrementalAlterConfigsOperationSet, Value: &v}
			}
			if err := admin.IncrementalAlterConfig(sarama.TopicResource, t.Name, entries, false); err != nil {
				return t.Name, fmt.Errorf("topic %q: alter configs %q: %w", t.Name, slicesOfKeys(entries), err)
			}
		}
		if c.Repartition() {
			if err := admin.CreatePartitions(t.Name, t.Partitions, nil, false); err != nil {
				return t.Name, fmt.Errorf("topic %q: add partitions (%d -> %d): %w", t.Name, c.Current, t.Partitions, err)
			}
		}
	}
	return "", nil
}

func slicesOfKeys(m map[string]sarama.IncrementalAlterConfigsEntry) []string {
	return slices.Sorted(maps.Keys(m))
}
