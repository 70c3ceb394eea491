package producer

import (
	"errors"
	"fmt"

	"github.com/IBM/sarama"
	"github.com/eapache/go-resiliency/breaker"

	"github.com/karafka-actors/karafka-actors/client"
)

// failures turns sarama's delivery errors into Result errors a user can act
// on. sarama gives up on a topic's metadata after three failures in a row and
// then, for ten seconds, fails every record of the topic with a bare
// "circuit breaker is open", which names neither the topic nor the cause:
// failures keeps the last cause per topic to say both. It is used only by
// the producer's result goroutine, and costs nothing while nothing fails.
type failures struct {
	last map[string]error // by topic: the last cause seen before a success
}

// describe returns the Result error of pm failing with err.
func (f *failures) describe(pm *sarama.ProducerMessage, err error) error {
	topic := pm.Topic
	code := codeOf(err)
	if refused := refusal(topic, pm.ByteSize(2), code, err); refused != nil {
		return refused // about this record, not its topic: nothing to remember
	}
	err = client.Coded(err, int16(code))
	switch {
	case code == client.ErrUnknownTopicOrPartition:
		err = unknownTopic(topic, err)
		f.remember(topic, err)
		return err
	case errors.Is(err, breaker.ErrBreakerOpen):
		if cause := f.last[topic]; cause != nil {
			return &topicError{
				msg:  fmt.Sprintf("%v (sarama's circuit breaker is open: it asks the cluster about topic %q again within 10s)", cause, topic),
				errs: []error{cause, err},
			}
		}
		return fmt.Errorf("producer: deliver to topic %q: %w (sarama stopped asking the cluster about it for up to 10s after repeated failures)", topic, err)
	case errors.Is(err, sarama.ErrInvalidPartition):
		return fmt.Errorf("producer: deliver to topic %q partition %d: %w: %w", topic, pm.Partition, ErrInvalidPartition, err)
	default:
		err = fmt.Errorf("producer: deliver to topic %q partition %d: %w", topic, pm.Partition, err)
		f.remember(topic, err)
		return err
	}
}

func (f *failures) remember(topic string, err error) {
	if f.last == nil {
		f.last = map[string]error{}
	}
	f.last[topic] = err
}

// succeeded forgets the cause of topic's earlier failures.
func (f *failures) succeeded(topic string) {
	if len(f.last) > 0 {
		delete(f.last, topic)
	}
}

// topicError is a described failure; it matches each of errs.
type topicError struct {
	msg  string
	errs []error
}

func (e *topicError) Error() string   { return e.msg }
func (e *topicError) Unwrap() []error { return e.errs }
