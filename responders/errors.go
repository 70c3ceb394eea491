package responders

import (
	"errors"
	"fmt"
	"strings"

	"github.com/karafka-actors/karafka-actors/kafka"
)

var (
	// ErrUnregisteredTopic reports RespondTo on a topic the responder did
	// not declare.
	ErrUnregisteredTopic = errors.New("responders: unregistered topic")

	// ErrMultipleUsage reports a single-use topic used more than once.
	ErrMultipleUsage = errors.New("responders: multiple usage of a single-use topic")

	// ErrRequiredTopicUnused reports a required topic the response never
	// used.
	ErrRequiredTopicUnused = errors.New("responders: required topic not used")

	// ErrEncode reports data that could not be JSON encoded.
	ErrEncode = errors.New("responders: cannot encode data as JSON")

	// ErrSchema reports a value that does not fit its topic's declared
	// Schema (or that the schema cannot encode).
	ErrSchema = errors.New("responders: value does not fit the topic's schema")

	// ErrNoResponder reports RespondWith on a route without a responder.
	ErrNoResponder = errors.New("responders: RespondWith called but the route has no responder")

	// ErrInvalidTopicName reports a topic name Kafka would refuse; it is
	// kafka.ErrInvalidTopicName (the rule lives in kafka.CheckTopicName).
	ErrInvalidTopicName = kafka.ErrInvalidTopicName

	// ErrDuplicateTopic reports a topic declared more than once.
	ErrDuplicateTopic = errors.New("responders: duplicate topic declaration")

	// ErrInvalidRegistration reports a registration with an empty name or a
	// nil factory.
	ErrInvalidRegistration = errors.New("responders: invalid responder registration")

	// ErrDuplicateResponder reports a responder name registered twice.
	ErrDuplicateResponder = errors.New("responders: responder already registered")
)

// TopicError is a problem with one topic of a response or of a declaration.
// It unwraps to Err, which wraps one of the sentinels above.
type TopicError struct {
	Topic string
	Err   error
}

// Error reads like `responders: topic "x": unregistered topic (declared: a, b)`.
func (e *TopicError) Error() string {
	return fmt.Sprintf("responders: topic %q: %s", e.Topic, strings.TrimPrefix(e.Err.Error(), "responders: "))
}

// Unwrap returns Err.
func (e *TopicError) Unwrap() error { return e.Err }
