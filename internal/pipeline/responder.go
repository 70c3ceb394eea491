package pipeline

import (
	"errors"
	"fmt"

	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// Respond runs the responder stage on one message's responses: r once per
// RespondWith, through responders.Deliver. It returns every message to
// produce, in order, only when every response is valid. A panic in r is
// recovered; a validation error (the responder's contract broken) is
// wrapped in supervision.Permanent since no retry can fix it; so is a
// record larger than limit bytes (producer.Size against
// producer.max_message_bytes; limit <= 0: none), which the producer would
// refuse: its error matches producer.ErrTooLarge.
func Respond(r responders.Responder, responses [][]any, limit int) ([]producer.Message, error) {
	// Deliver returns a fresh slice per call: with one RespondWith (the
	// common case) it is returned as is; several are gathered first, since
	// nothing is sent unless every one of them is valid.
	var out []producer.Message
	for i, args := range responses {
		var msgs []producer.Message
		err := supervision.Recover(func() error {
			var err error
			msgs, err = responders.Deliver(r, args...)
			return err
		})
		if err != nil {
			if permanentResponderError(err) {
				return nil, supervision.Permanent(err)
			}
			return nil, outageOr(err)
		}
		if i == 0 {
			out = msgs
		} else {
			out = append(out[:len(out):len(out)], msgs...)
		}
	}
	if err := fits(out, limit); err != nil {
		return nil, supervision.Permanent(err)
	}
	return out, nil
}

// fits reports the first of out larger than limit bytes (limit <= 0: none).
func fits(out []producer.Message, limit int) error {
	if limit <= 0 {
		return nil
	}
	for i := range out {
		if size := producer.Size(&out[i]); size > limit {
			return fmt.Errorf("%w: response to topic %q is %d bytes, more than producer.max_message_bytes (%d); nothing of this message was sent",
				producer.ErrTooLarge, out[i].Topic, size, limit)
		}
	}
	return nil
}

// validation errors are the responder's contract broken: retrying cannot fix them.
func permanentResponderError(err error) bool {
	return errors.Is(err, responders.ErrUnregisteredTopic) || errors.Is(err, responders.ErrMultipleUsage) ||
		errors.Is(err, responders.ErrRequiredTopicUnused) || errors.Is(err, responders.ErrEncode) ||
		errors.Is(err, responders.ErrSchema)
}
