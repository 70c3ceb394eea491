package actors

import (
	"context"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// partition is the state of one claimed partition. It outlives the
// incarnations of its partition and responder actors.
type partition struct {
	d     *deps
	route *topology.Resolved
	topic string
	group string
	id    int32
	retry supervision.RetryPolicy
	dlq   string
	// fin finishes the partition's messages: sends their responses and
	// dead letters, marks and commits (see finish.go).
	fin  finisher
	ctrl stage // parse → filters → controller
	resp stage // responder → validate → produce
	// virt are the stages of the virtual actors, which run the controller
	// when the route has virtual partitions (ctrl then only dispatches);
	// key is the route's Key function, nil for the record key (virtual.go).
	virt []stage
	key  func(*params.Params) []byte
	pid  *actor.PID
	// stopped is set when the partition is handed back: its stages stop
	// taking queued messages, which the partition's next owner consumes.
	stopped atomic.Bool
	// batch is the batch under way of a batch route (stage_batch.go).
	batch *batchState
	// What State reports (state.go): the claim (its high watermark), the
	// offset to resume from last marked and last committed (-1: none), the
	// first offset consumed (-1: none yet), and whether fetching is paused
	// for backpressure (changed under op.mu: setPaused).
	claim     client.Claim
	marked    atomic.Int64
	committed atomic.Int64
	first     atomic.Int64
	paused    atomic.Bool
	// stuck says why the partition cannot move on, nil while it can (stuck.go).
	stuck atomic.Pointer[stuck]
	// op is what the operator actions keep (operator.go).
	op operator
}

// newPartition makes the state of partition id of route; its finisher
// comes from the session that claimed it.
func newPartition(d *deps, route *topology.Resolved, id int32, sess sessionFinisher) *partition {
	p := &partition{
		d: d, route: route, topic: route.Topic, group: route.Group, id: id,
		retry: route.RetryPolicy, dlq: route.DeadLetter,
		ctrl: stage{name: "controller", gated: true}, resp: stage{name: "responder"},
		op: newOperator(),
	}
	if route.Batch() {
		p.batch = &batchState{}
	}
	p.marked.Store(-1)
	p.committed.Store(-1)
	p.first.Store(-1)
	p.virtualize()
	p.fin = sess.partition(p)
	return p
}

// accept registers a consumed record (copied into its work); it must be
// called in offset order.
func (p *partition) accept(r *client.Record) *work {
	w := &work{msg: *r}
	bound(w, p.d.maxRecordBytes)
	p.fin.consumed(w)
	return w
}

func (p *partition) props() *actor.Props {
	strategy := routeStrategy(p.d, p.route)
	if p.batch != nil {
		return actor.PropsFromProducer(func() actor.Actor { return &batchActor{p: p} }, actor.WithSupervisor(strategy), actor.WithDispatcher(p.d.dispatch))
	}
	return actor.PropsFromProducer(func() actor.Actor { return &partitionActor{p: p} }, actor.WithSupervisor(strategy), actor.WithDispatcher(p.d.dispatch))
}

// partitionActor is one incarnation of a partition's controller stage.
type partitionActor struct {
	p         *partition
	ctrl      *pipeline.Controller
	responder *actor.PID
}

func (a *partitionActor) Receive(ctx actor.Context) {
	if a.p.virt != nil {
		a.p.ctrl.receive(ctx, a.p, a.startVirtual, a.dispatch)
		return
	}
	a.p.ctrl.receive(ctx, a.p, a.start, a.handle)
}

// start makes this incarnation's controller and its responder child.
func (a *partitionActor) start(ctx actor.Context) {
	a.ctrl = pipeline.NewController(a.p.route, a.p.d.halt, a.p.d.log)
	a.startResponder(ctx)
}

// startResponder spawns this incarnation's responder child, if the route has one.
func (a *partitionActor) startResponder(ctx actor.Context) {
	if a.p.route.Responder != nil {
		a.responder = ctx.SpawnPrefix(actor.PropsFromProducer(func() actor.Actor { return &responderActor{p: a.p} }, actor.WithDispatcher(a.p.d.dispatch)), "responder-")
	}
}

func (a *partitionActor) handle(w *work) error {
	p := a.p
	if w.params == nil {
		w.params = p.params(w)
	}
	p.d.trace.start(p, w)
	keep, err := a.ctrl.Handle(p.d.halt, w.params)
	if err != nil {
		return err
	}
	if !keep {
		p.d.log.Debug("message dropped by before-filter", "topic", p.topic, "partition", p.id, "offset", w.msg.Offset)
		p.d.bus.Publish(events.Event{Kind: events.MessageFiltered, Topic: p.topic, Group: p.group, Partition: p.id, Offset: w.msg.Offset})
		w.params = nil
		p.d.trace.finished(w)
		w.entry.outcome = events.OutcomeFiltered
		p.fin.done(w)
		return nil
	}
	responses := a.ctrl.Responses()
	if len(responses) == 0 {
		w.params = nil
		p.d.trace.finished(w)
		p.fin.done(w)
		return nil
	}
	w.responses = append(w.responses[:0], responses...)
	w.params = nil
	w.attempts, w.waits = 0, 0 // the responder stage counts its own tries
	// Hand over at once: a push costs a mutex, and a wake-up is sent only
	// when the responder has taken everything before, so a busy responder
	// receives batches while an idle one is never kept waiting.
	a.p.resp.in.push(a.p.d.sys, w)
	return nil
}

func metadata(m *client.Record) params.Metadata {
	md := params.Metadata{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Key: m.Key, Timestamp: m.Timestamp}
	if len(m.Headers) > 0 {
		md.Headers = make([]params.Header, len(m.Headers))
		for i, h := range m.Headers {
			md.Headers[i] = params.Header(h)
		}
	}
	return md
}

// drain waits until every accepted message is finished, or ctx ends.
func (p *partition) drain(ctx context.Context) error {
	return p.fin.waitBelow(ctx, 1)
}
