package topicsync_test

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topicsync"
)

// kafkaTopicGrammar and kafkaAcceptsTopic are Kafka's topic name rule,
// written independently of the code under test.
var kafkaTopicGrammar = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

func kafkaAcceptsTopic(name string) bool {
	return kafkaTopicGrammar.MatchString(name) && len(name) <= 249 && name != "." && name != ".."
}

// FuzzEnsureTopics_topicName: EnsureTopics refuses a topic name before it
// connects iff Kafka would refuse it. The config has no brokers, so a name it
// accepts goes on to fail on kafka.brokers, without any network.
func FuzzEnsureTopics_topicName(f *testing.F) {
	for _, s := range []string{
		"", "a", "users_created", ".", "..", "...", "-", "a b", "a/b", "topic\n", "café", "\xff",
		strings.Repeat("a", 249), strings.Repeat("a", 250),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, topic string) {
		err := topicsync.EnsureTopics(context.Background(), kafka.Config{}, 1, topic)
		if !errors.Is(err, kafka.ErrTopicSetup) || !errors.Is(err, kafka.ErrInvalidConfig) {
			t.Fatalf("EnsureTopics(%q) with no brokers = %v; want ErrTopicSetup and ErrInvalidConfig", topic, err)
		}
		// The rest of the message, without the name (which may contain anything).
		rest := strings.ReplaceAll(err.Error(), strconv.Quote(topic), "")
		refused := !strings.Contains(rest, "kafka.brokers")
		if refused == kafkaAcceptsTopic(topic) {
			t.Fatalf("EnsureTopics(%q) = %v; Kafka accepts the name: %v", topic, err, kafkaAcceptsTopic(topic))
		}
		if refused && !strings.Contains(err.Error(), strconv.Quote(topic)) {
			t.Fatalf("EnsureTopics(%q) = %q; does not quote the name", topic, err)
		}
	})
}
