package kafka

import (
	"errors"
	"fmt"
)

// ErrInvalidTopicName reports a topic name Kafka would refuse.
var ErrInvalidTopicName = errors.New("kafka: invalid topic name")

// MaxTopicNameLen is Kafka's limit on a topic name's length.
const MaxTopicNameLen = 249

// CheckTopicName reports whether Kafka accepts name as a topic name: not
// empty, at most 249 characters, only ASCII letters, digits, '.', '_' and '-',
// and not "." or ".." (Kafka's Topic.validate). The error wraps
// ErrInvalidTopicName, quotes the name and says which rule it breaks. This is
// the one place of the rule: responders, topology and topicsync use it.
func CheckTopicName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w %q: must not be empty", ErrInvalidTopicName, name)
	case len(name) > MaxTopicNameLen:
		return fmt.Errorf("%w %q: is %d characters long, the limit is %d",
			ErrInvalidTopicName, name, len(name), MaxTopicNameLen)
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
