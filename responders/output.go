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
	msgs   []producer.Message
	errs   []error             // encoding failures, reported by validation
	first  [1]producer.Message // msgs' storage for the common one-message response
	topics []Topic             // the declarations, for their schemas (set by Deliver)
}

// RespondTo buffers a message for topic. When the declared topic has a
// Schema, a Go value is encoded by it and []byte data is checked by it;
// otherwise []byte data is sent as is (not copied) and a string as its
// bytes, and anything else is JSON encoded. An encoding failure is reported
// by validation, naming topic: ErrEncode for JSON, the schema's error
// (ErrSchema) for a schema.
func (o *Output) RespondTo(topic string, data any, opts ...Option) {
	var value []byte
	if s := o.schema(topic); s != nil {
		value = o.encode(s, topic, data)
	} else {
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
	}
	// Options apply to the buffered message in place: a local message whose
	// address went to them would escape, one allocation per response.
	o.msgs = append(o.msgs, producer.Message{Topic: topic, Value: value})
	m := &o.msgs[len(o.msgs)-1]
	for _, opt := range opts {
		opt(m)
	}
}

// schema returns the Schema declared for topic, or nil.
func (o *Output) schema(topic string) Schema {
	for i := range o.topics {
		if o.topics[i].Name == topic {
			return o.topics[i].Schema
		}
	}
	return nil
}

// encode encodes data for topic with s (or checks it, when already bytes),
// keeping a failure for validation.
func (o *Output) encode(s Schema, topic string, data any) []byte {
	var value []byte
	var err error
	switch d := data.(type) {
	case []byte:
		value, err = d, s.Check(topic, d)
	default:
		value, err = s.Encode(topic, d)
	}
	if err != nil {
		o.errs = append(o.errs, &TopicError{Topic: topic, Err: err})
	}
	return value
}
