package kafka

import "errors"

var (
	// ErrInvalidConfig is wrapped by every configuration problem, here and in
	// the packages that embed a [Config].
	ErrInvalidConfig = errors.New("kafka: invalid config")

	// ErrTopicSetup is wrapped by every error of topicsync.EnsureTopics
	// and topicsync.SyncTopics.
	ErrTopicSetup = errors.New("kafka: topic setup failed")
)
