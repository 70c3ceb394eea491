package kafka

import (
	"fmt"
	"regexp"
)

// Topic is a topic as an application declares it: what topicsync.PlanTopics
// compares with the cluster and topicsync.SyncTopics creates or aligns.
type Topic struct {
	// Name is the topic's name.
	Name string
	// Partitions is the partition count; at least 1. Partitions are only
	// ever added: a topic with more than declared is left as it is.
	Partitions int32
	// ReplicationFactor of a new topic; 0 takes min(3, brokers). An
	// existing topic's replication factor is never changed (that needs a
	// partition reassignment); a difference is reported as a note.
	ReplicationFactor int16
	// Configs are topic configs such as "retention.ms" or "cleanup.policy".
	// Only these keys are managed: a topic's other configs are left alone.
	Configs map[string]string
}

// configKey is the shape of a Kafka config name ("retention.ms").
var configKey = regexp.MustCompile(`\A[a-z][a-z0-9]*(\.[a-z0-9]+)*\z`)

// ValidConfigKey reports whether key has the shape of a Kafka config name:
// lower-case words of letters and digits separated by dots. Whether the
// broker knows the key is for the broker to say.
func ValidConfigKey(key string) bool { return configKey.MatchString(key) }

// Validate reports the first problem of t, wrapping [ErrInvalidConfig].
func (t Topic) Validate() error {
	if err := CheckTopicName(t.Name); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if t.Partitions < 1 {
		return fmt.Errorf("%w: topic %q: partitions: %d must be at least 1", ErrInvalidConfig, t.Name, t.Partitions)
	}
	if t.ReplicationFactor < 0 {
		return fmt.Errorf("%w: topic %q: replication factor: %d must not be negative (0: min(3, brokers))", ErrInvalidConfig, t.Name, t.ReplicationFactor)
	}
	for k, v := range t.Configs {
		if !ValidConfigKey(k) {
			return fmt.Errorf("%w: topic %q: config %q: not a config name (such as retention.ms)", ErrInvalidConfig, t.Name, k)
		}
		if v == "" {
			return fmt.Errorf("%w: topic %q: config %q: empty value", ErrInvalidConfig, t.Name, k)
		}
	}
	return nil
}
