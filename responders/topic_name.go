package responders

import (
	"errors"
	"fmt"
)

// maxTopicNameLen is Kafka's limit on a topic name's length.
const maxTopicNameLen = 249

// CheckTopicName reports whether Kafka accepts name as a topic name: not
// empty, at most 249 characters, only ASCII letters, digits, '.', '_' and '-',
// and not "." or "..". The error wraps ErrInvalidTopicName, quotes the name
// and says which rule it breaks.
func CheckTopicName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w %q: must not be empty", ErrInvalidTopicName, name)
	case len(name) > maxTopicNameLen:
		return fmt.Errorf("%w %q: is %d characters long, the limit is %d",
			ErrInvalidTopicName, name, len(name), maxTopicNameLen)
	case name == "." || name == "..":
		return fmt.Errorf("%w %q: must not be \".\" or \"..\"", ErrInvalidTopicName, name)
	}
	for i := 0; i < len(name); i++ {
		if !validTopicChar(name[i]) {
			return fmt.Errorf("%w %q: byte %d (%q) does not match ^[A-Za-z0-9._-]+$",
				ErrInvalidTopicName, name, i, name[i])
		}
	}
	return nil
}

func validTopicChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}

// ValidateTopics checks a responder's declarations: every name passes
// CheckTopicName and no name is declared twice. It returns errors.Join of
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
	}
	return errors.Join(errs...)
}
