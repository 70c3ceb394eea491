package responders

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// kafkaTopicName is Kafka's own rule, written independently of
// CheckTopicName (Kafka's Topic.validate): the grammar, at most 249
// characters, and neither "." nor "..".
var kafkaTopicGrammar = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

func kafkaAcceptsTopic(name string) bool {
	return kafkaTopicGrammar.MatchString(name) && len(name) <= 249 && name != "." && name != ".."
}

// topicNameSeeds are the edges of the rule: lengths around the limit, the
// two reserved names, each allowed punctuation, and bytes just outside the
// allowed ranges.
func topicNameSeeds() []string {
	return []string{
		"", "a", "users_created", "A-z.0_9", ".", "..", "...", ".a", "-", "_",
		strings.Repeat("a", 248), strings.Repeat("a", 249), strings.Repeat("a", 250),
		strings.Repeat(".", 249), strings.Repeat("a", 248) + " ",
		"a b", "a/b", "a\x00", "topic\n", "\ntopic", "café", "\xff", "a:b", "@", "[", "`", "{", "/", ":",
	}
}

func FuzzCheckTopicName(f *testing.F) {
	for _, s := range topicNameSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := CheckTopicName(name)
		if want := kafkaAcceptsTopic(name); (err == nil) != want {
			t.Fatalf("CheckTopicName(%q) = %v; Kafka accepts it: %v", name, err, want)
		}
		if err == nil {
			return
		}
		if !errors.Is(err, ErrInvalidTopicName) {
			t.Fatalf("CheckTopicName(%q) = %v; not ErrInvalidTopicName", name, err)
		}
		if !strings.Contains(err.Error(), strconv.Quote(name)) {
			t.Fatalf("CheckTopicName(%q) = %q; does not quote the name", name, err)
		}
	})
}
