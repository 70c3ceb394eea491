package responders

import (
	"encoding/json"
	"fmt"

	"github.com/karafka-actors/karafka-actors/producer"
)

// Output buffers the messages a Responder asks for. Nothing is sent from
// here: Deliver validates the buffer first. An Output is not safe for
// concurrent use.
type Output struct {
	msgs  []producer.Message
	errs  []error             // encoding failures, reported by validation
	first [1]producer.Message // msgs' storage for the common one-message response
}

// RespondTo buffers a message for topic. []byte data is sent as is (not
// copied) and a string as its bytes; anything else is JSON encoded, and an
// encoding failure is reported by validation as an ErrEncode naming topic.
func (o *Output) RespondTo(topic string, data any, opts ...Option) {
	var value []byte
	switch d := data.(type) {
	case []byte:
		value = d
	case string:
		value = []byte(d)
	default:
		b, err := json.Marshal(d)
		if err != nil {
			o.errs = append(o.errs, &TopicError{Topic: topic, Err: fmt.Errorf("%w: %w", ErrEncode, err)})
		}
		value = b
	}
	// Options apply to the buffered message in place: a local message whose
	// address went to them would escape, one allocation per response.
	o.msgs = append(o.msgs, producer.Message{Topic: topic, Value: value})
	m := &o.msgs[len(o.msgs)-1]
	for _, opt := range opts {
		opt(m)
	}
}
