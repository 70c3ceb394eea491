package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/responders"
)

// responderActor is one incarnation of a partition's responder stage: it
// runs the route's responder for each RespondWith, validates the whole
// response, and hands it to the partition's finisher without waiting for
// acknowledgements.
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

func (a *responderActor) handle(w *work) error {
	out, err := pipeline.Respond(a.responder, w.responses, a.p.d.maxMessageBytes)
	if err != nil {
		return err
	}
	w.responses = nil
	a.p.d.trace.responded(w, out)
	a.p.fin.respond(w, out)
	return nil
}
