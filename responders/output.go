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
	msgs []producer.Message
	errs []error // encoding failures, reported by validation
}

// RespondTo buffers a message for topic. []byte data is sent as is (not
// copied) and a string as its bytes; anything else is JSON encoded, and an
// encoding failure is reported by validation as an ErrEncode naming topic.
func (o *Output) RespondTo(topic string, data any, opts ...Option) {
	m := producer.Message{Topic: topic}
	switch d := data.(type) {
	case []byte:
		m.Value = d
	case string:
		m.Value = []byte(d)
	default:
		b, err := json.Marshal(d)
		if err != nil {
			o.errs = append(o.errs, &TopicError{Topic: topic, Err: fmt.Errorf("%w: %w", ErrEncode, err)})
		}
		m.Value = b
	}
	for _, opt := range opts {
		opt(&m)
	}
	o.msgs = append(o.msgs, m)
}
