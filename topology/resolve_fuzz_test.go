package topology_test

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/topology"
)

// kafkaTopicGrammar and kafkaAcceptsTopic are Kafka's topic name rule,
// written independently of the code under test.
var kafkaTopicGrammar = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

func kafkaAcceptsTopic(name string) bool {
	return kafkaTopicGrammar.MatchString(name) && len(name) <= 249 && name != "." && name != ".."
}

// FuzzResolve_routeTopic: a route is accepted iff Kafka accepts its topic
// and, with dead letters on, the dead letter topic the pattern makes of it.
// Every rejection is a *RouteError naming the route's topic, matching
// ErrInvalidRoute and ErrInvalidTopicName.
func FuzzResolve_routeTopic(f *testing.F) {
	for _, s := range []string{
		"", "a", "users_created", ".", "..", "...", "-", "a b", "a/b", "topic\n", "café", "\xff",
		strings.Repeat("a", 245), strings.Repeat("a", 246), strings.Repeat("a", 249), strings.Repeat("a", 250),
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, topic string, deadLetters bool) {
		d := defaults() // DeadLetterPattern "%s_dlq"
		route := topology.Route{Topic: topic, Controller: ctrl, DisableDeadLetter: !deadLetters}
		got, err := topology.Resolve([]topology.Route{route}, d)

		dlq := topic + "_dlq"
		want := kafkaAcceptsTopic(topic) && (!deadLetters || kafkaAcceptsTopic(dlq))
		if (err == nil) != want {
			t.Fatalf("Resolve(topic %q, dead letters %v) = %v; want accepted: %v", topic, deadLetters, err, want)
		}
		if err == nil {
			if len(got) != 1 || got[0].Topic != topic {
				t.Fatalf("Resolve(topic %q) = %+v", topic, got)
			}
			if deadLetters && got[0].DeadLetter != dlq {
				t.Fatalf("Resolve(topic %q): dead letter %q, want %q", topic, got[0].DeadLetter, dlq)
			}
			return
		}
		if got != nil {
			t.Fatalf("Resolve(topic %q) returned routes with error %v", topic, err)
		}
		var re *topology.RouteError
		if !errors.As(err, &re) || re.Topic != topic || re.Index != 0 {
			t.Fatalf("Resolve(topic %q) = %v; want a *RouteError for route 0 naming the topic", topic, err)
		}
		if !errors.Is(err, topology.ErrInvalidRoute) || !errors.Is(err, responders.ErrInvalidTopicName) {
			t.Fatalf("Resolve(topic %q) = %v; want ErrInvalidRoute and ErrInvalidTopicName", topic, err)
		}
		if !strings.Contains(err.Error(), strconv.Quote(topic)) {
			t.Fatalf("Resolve(topic %q) = %q; does not quote the topic", topic, err)
		}
		if kafkaAcceptsTopic(topic) && !strings.Contains(err.Error(), "dead letter topic") {
			t.Fatalf("Resolve(topic %q) = %q; the topic is valid, so the error must be about the dead letter topic", topic, err)
		}
	})
}
