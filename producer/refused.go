package producer

import (
	"errors"
	"fmt"

	"github.com/IBM/sarama"
)

var (
	// ErrRefused is wrapped by the Result error of a record the cluster
	// refuses for good: sending the same record again cannot succeed, so
	// it must not be retried (see ErrTooLarge). Check with errors.Is.
	ErrRefused = errors.New("producer: record refused")

	// ErrTooLarge is wrapped by the Result error of a record larger than
	// Config.MaxMessageBytes (producer.max_message_bytes), refused before
	// it is sent, or than a broker's message.max.bytes or its topic's
	// max.message.bytes (Kafka's MESSAGE_TOO_LARGE). Such errors match
	// ErrRefused as well.
	ErrTooLarge = errors.New("producer: record too large")
)

// Refused reports whether err is a permanent refusal of one record
// (errors.Is(err, ErrRefused)): a record that sending again cannot deliver.
func Refused(err error) bool { return errors.Is(err, ErrRefused) }

// tooLarge is the error of msg, of size bytes, over the producer's limit.
func tooLarge(msg *Message, size, limit int) error {
	return &topicError{
		msg: fmt.Sprintf("producer: record to topic %q is %d bytes, more than producer.max_message_bytes (%d): not sent",
			msg.Topic, size, limit),
		errs: []error{ErrTooLarge, ErrRefused},
	}
}

// refusal describes err when the broker refused pm for good, or returns nil.
// Kafka answers MESSAGE_TOO_LARGE for a record (or batch) above the
// broker's or topic's limit, RECORD_LIST_TOO_LARGE for a batch above the
// segment size, INVALID_RECORD for a record the topic cannot take (a record
// without a key on a compacted topic).
func refusal(pm *sarama.ProducerMessage, err error) error {
	switch {
	case errors.Is(err, sarama.ErrMessageSizeTooLarge), errors.Is(err, sarama.ErrMessageSetSizeTooLarge):
		return &topicError{
			msg: fmt.Sprintf("producer: topic %q refused a record of %d bytes as too large (MESSAGE_TOO_LARGE: over the broker's message.max.bytes or the topic's max.message.bytes): %v",
				pm.Topic, pm.ByteSize(2), err),
			errs: []error{ErrTooLarge, ErrRefused, err},
		}
	case errors.Is(err, sarama.ErrInvalidRecord):
		return &topicError{
			msg:  fmt.Sprintf("producer: topic %q refused a record as invalid (INVALID_RECORD: a compacted topic needs a key): %v", pm.Topic, err),
			errs: []error{ErrRefused, err},
		}
	}
	return nil
}
