package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// Batch is one incarnation of a batch route's controller stage: the batch
// controller made by the route's factory, the route's responder (made by
// its factory, when it has one) and the BatchContext reused for each try.
// It is used by one goroutine at a time; after a failed try the runtime
// makes a new one, as it restarts the actor that holds it.
type Batch struct {
	route      *topology.Resolved
	controller controllers.BatchController
	filterer   controllers.Filterer
	responder  responders.Responder
	bctx       *controllers.BatchContext
	kept       []*params.Params // the messages Consume gets
	index      []int            // kept[j] is message index[j] of the try
	outcomes   []BatchOutcome
	logged     *logMessage // what bctx.Logger's records name (logcontext.go)
	limit      int         // producer.max_message_bytes, for Respond (0: none)
}

// BatchOutcome is what became of one message of a successful try of a batch.
// At most one of Filtered and Malformed holds; otherwise Produce is what to
// send for the message, possibly nothing.
type BatchOutcome struct {
	// Filtered: a before-filter dropped the message; nothing is produced.
	Filtered bool
	// Malformed is the parser's error for a payload it rejects, already
	// marked supervision.Permanent: dead-letter the message (stage
	// "controller", attempt 1). Its responses, if any, are dropped.
	Malformed error
	// Produce is what the responder made of the message's responses,
	// validated, in order. The first message that Consume got (the batch's
	// first message) also carries the per-batch responses, after its own:
	// the runtime must not mark its offset, and so no later one, before
	// they are acknowledged.
	Produce []producer.Message
}

// NewBatch makes the route's batch controller (one BatchFactory call), its
// responder (one Responder call, when the route has one) and its
// BatchContext, whose logger writes to log naming the batch's topic,
// partition, first offset, size (messages) and group.
func NewBatch(route *topology.Resolved, log *slog.Logger) *Batch {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	logged := &logMessage{group: route.Group}
	b := &Batch{route: route, controller: route.BatchController(), logged: logged,
		bctx: controllers.NewBatchContext(context.Background(), nil, messageLogger(log, logged))}
	b.filterer, _ = b.controller.(controllers.Filterer)
	if route.Responder != nil {
		b.responder = route.Responder()
	}
	return b
}

// Limit makes b refuse responses larger than n bytes (see Respond); it
// returns b.
func (b *Batch) Limit(n int) *Batch {
	b.limit = n
	return b
}

// Try runs one try of msgs, the messages of one partition in offset order:
//
//  1. a message whose payload the parser rejected at ingest, and then each
//     message a before-filter drops, is left out (BatchOutcome.Malformed,
//     BatchOutcome.Filtered);
//  2. Consume gets the rest, if any, within the route's Timeout; its
//     context derives from base;
//  3. every message's payload is checked, filtered ones too: a malformed one
//     gets BatchOutcome.Malformed whatever the filters or Consume made of
//     it (and is left out of the next try at step 1, as params remembers
//     the check); a payload the parser could not look at (a registry down,
//     at the check or when a filter or Consume read it) makes the whole
//     try fail as a supervision.Outage, so the batch waits;
//  4. every response, per message and per batch, goes through the
//     responder with Respond; nothing is returned unless all are valid.
//
// It returns one BatchOutcome per message of msgs, valid until the next Try, or
// the error that failed the whole try: a before-filter's panic, Consume's
// error or panic, a timeout (wrapping ErrTimeout), responses without a
// responder, or the responder's error. Responder errors are marked so that
// Stage reports "responder"; those no retry can fix, and responses without a
// responder, are supervision.Permanent.
func (b *Batch) Try(base context.Context, msgs []*params.Params) ([]BatchOutcome, error) {
	if cap(b.outcomes) < len(msgs) {
		b.outcomes = make([]BatchOutcome, len(msgs))
	} else {
		b.outcomes = b.outcomes[:len(msgs)]
		clear(b.outcomes)
	}
	clear(b.kept)
	b.kept, b.index = b.kept[:0], b.index[:0]
	for _, prm := range msgs {
		if uerr := prm.Unavailable(); uerr != nil {
			return nil, supervision.Outage(uerr) // the whole batch waits
		}
	}
	for i, prm := range msgs {
		if rerr := prm.Rejected(); rerr != nil {
			b.outcomes[i].Malformed = supervision.Permanent(rerr)
			continue
		}
		keep, err := filter(b.route, b.filterer, prm)
		if err != nil {
			return nil, fmt.Errorf("offset %d: %w", prm.Metadata().Offset, err)
		}
		if !keep {
			b.outcomes[i].Filtered = true
			continue
		}
		b.kept = append(b.kept, prm)
		b.index = append(b.index, i)
	}
	var err error
	if len(b.kept) > 0 {
		err = b.consume(base)
	}
	// A message a filter or the controller read while its parser could
	// not look at it (kept or filtered out alike) makes the whole batch
	// wait: it was judged on fields it could not see. The notes are taken
	// now, so that none outlives this try.
	var oerr error
	for _, prm := range msgs {
		if e := prm.TakeOutage(); e != nil && oerr == nil {
			oerr = e
		}
	}
	// A malformed payload is dead-lettered whatever the filters or the
	// controller made of it, as on a per-message route: filtered ones are
	// checked too.
	for i, prm := range msgs {
		o := &b.outcomes[i]
		if o.Malformed != nil {
			continue
		}
		if verr := prm.Valid(); verr != nil {
			if verr = checkFailed(verr); supervision.IsOutage(verr) {
				return nil, verr // the whole batch waits
			}
			o.Malformed, o.Filtered = verr, false
		}
	}
	if oerr != nil {
		return nil, supervision.Outage(oerr)
	}
	if len(b.kept) == 0 {
		return b.outcomes, nil
	}
	if err != nil {
		return nil, outageOr(err)
	}
	if err := b.respond(); err != nil {
		return nil, err
	}
	return b.outcomes, nil
}

// consume runs the batch controller on the kept messages, within the
// route's timeout.
func (b *Batch) consume(base context.Context) error {
	b.logged.atBatch(b.kept[0].Metadata(), len(b.kept))
	timeout := b.route.Timeout
	if timeout <= 0 {
		b.bctx.Reset(base, b.kept)
		return supervision.Recover(func() error { return b.controller.Consume(b.bctx) })
	}
	ctx, cancel := context.WithTimeout(base, timeout)
	defer cancel()
	b.bctx.Reset(ctx, b.kept)
	err := supervision.Recover(func() error { return b.controller.Consume(b.bctx) })
	return timedOut(ctx, timeout, err)
}

// respond validates every response of the try and fills BatchOutcome.Produce.
func (b *Batch) respond() error {
	if b.responder == nil {
		if b.responded() {
			return supervision.Permanent(fmt.Errorf("%w (route %q, batch controller %s)", responders.ErrNoResponder, b.route.Topic, b.route.ControllerName))
		}
		return nil
	}
	carrier := -1 // the first kept message that is not malformed
	for j := range b.kept {
		o := &b.outcomes[b.index[j]]
		if o.Malformed != nil {
			continue
		}
		if carrier < 0 {
			carrier = j
		}
		if rs := b.bctx.Responses(j); len(rs) > 0 {
			msgs, err := Respond(b.responder, rs, b.limit)
			if err != nil {
				return responderError{fmt.Errorf("offset %d: %w", b.kept[j].Metadata().Offset, err)}
			}
			o.Produce = msgs
		}
	}
	if rs := b.bctx.BatchResponses(); len(rs) > 0 && carrier >= 0 {
		msgs, err := Respond(b.responder, rs, b.limit)
		if err != nil {
			return responderError{fmt.Errorf("per-batch response: %w", err)}
		}
		o := &b.outcomes[b.index[carrier]]
		o.Produce = append(o.Produce[:len(o.Produce):len(o.Produce)], msgs...)
	}
	return nil
}

// responded reports whether Consume responded for a well-formed message or
// for the batch.
func (b *Batch) responded() bool {
	if len(b.bctx.BatchResponses()) > 0 {
		return true
	}
	for j := range b.kept {
		if len(b.bctx.Responses(j)) > 0 && b.outcomes[b.index[j]].Malformed == nil {
			return true
		}
	}
	return false
}

// responderError marks an error of the responder stage within a try.
type responderError struct{ err error }

func (e responderError) Error() string { return e.err.Error() }
func (e responderError) Unwrap() error { return e.err }

// Stage names the stage of a failed try for its dead letter headers and
// events: "responder" when the responder failed, else "controller".
func Stage(err error) string {
	var re responderError
	if errors.As(err, &re) {
		return "responder"
	}
	return "controller"
}
