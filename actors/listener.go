package actors

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/topology"
)

// listener is the state of one route's listener; it outlives the listener
// actor's incarnations. Its consumer-group membership (shared with the other
// routes of the same group) asks the listener actor to spawn and stop the
// partition actors of the partitions it is assigned.
type listener struct {
	d     *deps
	route *topology.Resolved
	cfg   ConsumerConfig
	m     *membership
	pid   atomic.Pointer[actor.PID]
	parts map[*partition]struct{} // touched only by the listener actor
}

// messages to the listener actor
type (
	spawnPartition struct{ p *partition }
	stopPartition  struct{ p *partition }
)

func (l *listener) props() *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &listenerActor{l: l} },
		actor.WithSupervisor(routeStrategy(l.d, l.route)), actor.WithDispatcher(l.d.dispatch))
}

type listenerActor struct{ l *listener }

func (a *listenerActor) Receive(ctx actor.Context) {
	l := a.l
	switch m := ctx.Message().(type) {
	case *actor.Started:
		l.pid.Store(ctx.Self())
		// After a restart the partitions are still claimed: give each a new actor.
		for p := range l.parts {
			p.pid = ctx.SpawnPrefix(p.props(), fmt.Sprintf("%s-%d-", l.route.Topic, p.id))
		}
	case spawnPartition:
		m.p.pid = ctx.SpawnPrefix(m.p.props(), fmt.Sprintf("%s-%d-", l.route.Topic, m.p.id))
		l.parts[m.p] = struct{}{}
		ctx.Respond(m.p.pid)
	case stopPartition:
		delete(l.parts, m.p)
		if m.p.pid != nil {
			ctx.Stop(m.p.pid)
		}
		if ctx.Sender() != nil {
			ctx.Respond(true)
		}
	}
}

// errHalted answers requests once supervision gave up.
var errHalted = errors.New("actors: supervision gave up, the actor tree is stopping")

// request asks the listener's current incarnation and waits for its answer.
// Once supervision gave up it fails at once: the listener may be suspended
// and about to stop, which drops its mailbox and the request with it.
func (l *listener) request(msg any) (any, error) {
	if l.d.halted.Load() {
		return nil, errHalted
	}
	pid := l.pid.Load()
	if pid == nil {
		return nil, errors.New("actors: listener not started")
	}
	return l.d.sys.Root.RequestFuture(pid, msg, 30*time.Second).Result()
}

// tell sends msg to the listener's current incarnation without waiting.
func (l *listener) tell(msg any) {
	if pid := l.pid.Load(); pid != nil {
		l.d.sys.Root.Send(pid, msg)
	}
}
