package kafka

import (
	"errors"

	"github.com/IBM/sarama"
)

// saramaFound are the Kafka errors sarama may return inside its own
// sentinel wrapping (sarama.Wrap: ErrOutOfBrokers around a failed SASL
// login), whose Is method finds them but which has no Unwrap, so that
// errors.As does not: they are looked for one by one.
var saramaFound = []sarama.KError{
	sarama.ErrSASLAuthenticationFailed,
	sarama.ErrUnsupportedSASLMechanism,
	sarama.ErrIllegalSASLState,
	sarama.ErrClusterAuthorizationFailed,
	sarama.ErrTopicAuthorizationFailed,
	sarama.ErrGroupAuthorizationFailed,
}

// SaramaCode returns the Kafka error code a sarama error carries, and
// whether it carries one.
func SaramaCode(err error) (int16, bool) {
	if err == nil {
		return 0, false
	}
	if ke, ok := errors.AsType[sarama.KError](err); ok && ke != sarama.ErrNoError {
		return int16(ke), true
	}
	for _, ke := range saramaFound {
		if errors.Is(err, ke) {
			return int16(ke), true
		}
	}
	return 0, false
}
