package kafka

import "errors"

var (
	// ErrInvalidConfig is wrapped by every configuration problem, here and in
	// the packages that embed a [Config].
	ErrInvalidConfig = errors.New("kafka: invalid config")

	// ErrTopicSetup is wrapped by every error of [EnsureTopics].
	ErrTopicSetup = errors.New("kafka: topic setup failed")
)
