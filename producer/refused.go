package producer

import (
	"errors"
	"fmt"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
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

// refusal describes err, carrying Kafka error code (0: none), when the
// broker refused a record of size bytes to topic for good, or returns nil.
// Kafka answers MESSAGE_TOO_LARGE for a record (or batch) above the
// broker's or topic's limit, RECORD_LIST_TOO_LARGE for a batch above the
// segment size, INVALID_RECORD for a record the topic cannot take (a record
// without a key on a compacted topic). err is returned carrying the code.
func refusal(topic string, size int, code client.Code, err error) error {
	switch code {
	case client.ErrMessageTooLarge, client.ErrRecordListTooLarge:
		return &topicError{
			msg: fmt.Sprintf("producer: topic %q refused a record of %d bytes as too large (MESSAGE_TOO_LARGE: over the broker's message.max.bytes or the topic's max.message.bytes): %v",
				topic, size, err),
			errs: []error{ErrTooLarge, ErrRefused, client.Coded(err, int16(code))},
		}
	case client.ErrInvalidRecord:
		return &topicError{
			msg:  fmt.Sprintf("producer: topic %q refused a record as invalid (INVALID_RECORD: a compacted topic needs a key): %v", topic, err),
			errs: []error{ErrRefused, client.Coded(err, int16(code))},
		}
	}
	return nil
}

// unknownTopic is the error of a record to topic, which does not exist
// (err carries UNKNOWN_TOPIC_OR_PARTITION).
func unknownTopic(topic string, err error) error {
	return &topicError{
		msg:  fmt.Sprintf("producer: topic %q does not exist (UNKNOWN_TOPIC_OR_PARTITION)", topic),
		errs: []error{ErrUnknownTopic, client.Coded(err, int16(client.ErrUnknownTopicOrPartition))},
	}
}

// codeOf is the Kafka error code err carries, whichever library made it;
// 0 when none.
func codeOf(err error) client.Code {
	code, _ := kafkaError(err)
	return code
}

// kafkaError finds the Kafka error in err's chain: its code and the
// library's error value itself (nil when none), without what wraps it.
func kafkaError(err error) (client.Code, error) {
	if ce, ok := errors.AsType[*client.Error](err); ok {
		return ce.Code, ce
	}
	if ke, ok := errors.AsType[*kerr.Error](err); ok {
		return client.Code(ke.Code), ke
	}
	if code, ok := kafka.SaramaCode(err); ok {
		return client.Code(code), sarama.KError(code)
	}
	return 0, nil
}
