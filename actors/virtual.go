package actors

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// Virtual partitions (topology.VirtualPartitions) run one claimed
// partition's controller stage on N child actors:
//
//	partition actor        the controller stage's queue holds what the claim
//	 │                     loop pushed; it only computes each message's
//	 │                     virtual key and hands the message to its virtual
//	 │                     actor (stage "partitioner")
//	 ├─ virtual actor × N  a stage of its own (queue, retry timer, restarts
//	 │                     under the route's supervision) and a controller
//	 │                     of its own: parse → before-filters → controller
//	 └─ responder          shared by the N: responder → validate → finisher
//
// Messages of one key go to one virtual actor and keep their order through
// it and through the responder, which takes them in the order the virtual
// actors hand them over. Messages of different virtual actors finish in any
// order; the finisher marks only up to the lowest unfinished offset, and
// backpressure (outstanding, waitBelow) counts from there, so a slow key
// holds back the partition's commit and, past max_in_flight, its fetching,
// but not the other keys. A failing message is retried, restarted and
// dead-lettered by its virtual actor: only the keys of that actor wait.
//
// Like every stage, a virtual actor keeps its queue in its stage, not in its
// mailbox, so a crash or a restart of the partition actor (which stops and
// respawns its children) loses nothing. Drain and hand-back need nothing of
// their own: they wait on the finisher, which counts every message of the
// partition whichever actor holds it, and stopping the partition actor stops
// its virtual actors.

// partitionerStage names the partition actor's stage with virtual
// partitions, in errors, events and dead letter headers: only the route's
// Key function can fail there.
const partitionerStage = "partitioner"

// virtualize gives p its virtual stages when its route has virtual partitions.
func (p *partition) virtualize() {
	n, ok := p.route.Virtual()
	if !ok {
		return
	}
	p.ctrl.name = partitionerStage
	p.virt = make([]stage, n)
	for i := range p.virt {
		p.virt[i].name = "controller"
		p.virt[i].gated = true
	}
	p.key = p.route.VirtualPartitions.Key
}

// startVirtual is start with virtual partitions: the partition actor has no
// controller of its own; it spawns the virtual actors and the responder.
func (a *partitionActor) startVirtual(ctx actor.Context) {
	p := a.p
	for i := range p.virt {
		s := &p.virt[i]
		ctx.SpawnPrefix(actor.PropsFromProducer(func() actor.Actor { return &virtualActor{a: partitionActor{p: p}, s: s} },
			actor.WithDispatcher(p.d.dispatch)), fmt.Sprintf("virtual-%d-", i))
	}
	a.startResponder(ctx)
}

// dispatch hands w to the virtual actor of its key.
func (a *partitionActor) dispatch(w *work) error {
	p := a.p
	key := w.msg.Key
	if p.key != nil {
		if w.params == nil {
			w.params = p.params(w)
		}
		if err := supervision.Recover(func() error { key = p.key(w.params); return nil }); err != nil {
			return fmt.Errorf("virtual partitions key: %w", err)
		}
		// A key read while the parser could not look at the payload (a
		// registry down) is no key: the message would go to the wrong
		// virtual actor, out of its key's order. It waits here instead.
		if oerr := w.params.TakeOutage(); oerr != nil {
			return supervision.Outage(fmt.Errorf("virtual partitions key: %w", oerr))
		}
	}
	w.attempts = 0 // the virtual actor counts its own tries
	p.virt[virtualIndex(key, len(p.virt))].in.push(p.d.sys, w)
	return nil
}

// virtualIndex is the virtual actor of key among n: FNV-1a of the key, so
// a key keeps its actor across restarts and owners. Empty keys all go to 0.
func virtualIndex(key []byte, n int) int {
	if len(key) == 0 || n == 1 {
		return 0
	}
	h := uint64(14695981039346656037)
	for _, b := range key {
		h ^= uint64(b)
		h *= 1099511628211
	}
	return int(h % uint64(n))
}

// virtualActor is one incarnation of a virtual partition: a stage s of its
// own, run with a controller of its own by the partition actor's handle.
type virtualActor struct {
	a partitionActor
	s *stage
}

func (v *virtualActor) Receive(ctx actor.Context) {
	v.s.receive(ctx, v.a.p, v.start, v.a.handle)
}

// start makes this incarnation's controller.
func (v *virtualActor) start(actor.Context) {
	p := v.a.p
	v.a.ctrl = pipeline.NewController(p.route, p.d.halt, p.d.log)
}
