package actors

import (
	"errors"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// responderActor is one incarnation of a partition's responder stage: it
// runs the route's responder for each RespondWith, validates the whole
// response, and produces it through the partition's outbox without waiting
// for acknowledgements (they release the message's tracker entry).
type responderActor struct {
	p         *partition
	responder responders.Responder
}

func (a *responderActor) Receive(ctx actor.Context) {
	a.p.resp.receive(ctx, a.p, a.start, a.handle)
}

// start makes this incarnation's responder.
func (a *responderActor) start(actor.Context) {
	a.responder = a.p.route.Responder()
}

// validation errors are the responder's contract broken: retrying cannot fix them.
func permanentResponderError(err error) bool {
	return errors.Is(err, responders.ErrUnregisteredTopic) || errors.Is(err, responders.ErrMultipleUsage) ||
		errors.Is(err, responders.ErrRequiredTopicUnused) || errors.Is(err, responders.ErrEncode)
}

func (a *responderActor) handle(w *work) error {
	// Deliver returns a fresh slice per call: with one RespondWith (the
	// common case) it is produced as is; several are gathered first, since
	// nothing is sent unless every one of them is valid.
	var out []producer.Message
	for i, args := range w.responses {
		var msgs []producer.Message
		err := supervision.Recover(func() error {
			var err error
			msgs, err = responders.Deliver(a.responder, args...)
			return err
		})
		if err != nil {
			if permanentResponderError(err) {
				return supervision.Permanent(err)
			}
			return err
		}
		if i == 0 {
			out = msgs
		} else {
			out = append(out[:len(out):len(out)], msgs...)
		}
	}
	w.responses = nil
	e := &w.entry
	e.hold(len(out))
	a.p.out.send(out, e)
	e.release()
	return nil
}
