package pipeline

import (
	"errors"

	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// Respond runs the responder stage on one message's responses: r once per
// RespondWith, through responders.Deliver. It returns every message to
// produce, in order, only when every response is valid. A panic in r is
// recovered; a validation error (the responder's contract broken) is
// wrapped in supervision.Permanent since no retry can fix it.
func Respond(r responders.Responder, responses [][]any) ([]producer.Message, error) {
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
			return nil, err
		}
		if i == 0 {
			out = msgs
		} else {
			out = append(out[:len(out):len(out)], msgs...)
		}
	}
	return out, nil
}

// validation errors are the responder's contract broken: retrying cannot fix them.
func permanentResponderError(err error) bool {
	return errors.Is(err, responders.ErrUnregisteredTopic) || errors.Is(err, responders.ErrMultipleUsage) ||
		errors.Is(err, responders.ErrRequiredTopicUnused) || errors.Is(err, responders.ErrEncode)
}
