package responders

import (
	"errors"
	"fmt"

	"github.com/karafka-actors/karafka-actors/kafka"
)

// CheckTopicName reports whether Kafka accepts name as a topic name; it is
// [kafka.CheckTopicName], where the rule lives. The error wraps
// ErrInvalidTopicName (which is kafka.ErrInvalidTopicName).
func CheckTopicName(name string) error { return kafka.CheckTopicName(name) }

// ValidateTopics checks a responder's declarations: every name passes
// CheckTopicName, no name is declared twice, and a topic's Schema that
// needs a registry has one. It returns errors.Join of
// every problem, each naming its topic, or nil.
func ValidateTopics(topics []Topic) error {
	var errs []error
	for i, t := range topics {
		if err := CheckTopicName(t.Name); err != nil {
			errs = append(errs, err)
		}
		n, first := 0, -1
		for j, u := range topics {
			if u.Name == t.Name {
				n++
				if first < 0 {
					first = j
				}
			}
		}
		if n > 1 && first == i {
			errs = append(errs, &TopicError{Topic: t.Name,
				Err: fmt.Errorf("%w (declared %d times)", ErrDuplicateTopic, n)})
		}
		// A schema that needs something set up (a registry) says whether
		// it is.
		if u, ok := t.Schema.(interface{ Usable() error }); ok {
			if err := u.Usable(); err != nil {
				errs = append(errs, &TopicError{Topic: t.Name, Err: fmt.Errorf("schema %s: %w", t.Schema.Describe(t.Name), err)})
			}
		}
	}
	return errors.Join(errs...)
}
