package actors

import (
	"sync"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// inbox hands work to an actor without keeping it in the actor's mailbox:
// producers append under a mutex and send a wake-up only when none is
// pending. The actor clears the flag before taking the items, so an append
// racing with a take is either taken now or followed by a new wake-up.
//
// pid is the current incarnation's PID; an actor stores it on Started before
// clearing the flag, so a wake-up sent to a stopped incarnation is harmless.
type inbox struct {
	mu    sync.Mutex
	items []*work
	woken atomic.Bool
	pid   atomic.Pointer[actor.PID]
}

// wake is the only message a stage's mailbox carries.
type wake struct{}

// push appends work and wakes the actor unless a wake-up is pending.
func (in *inbox) push(sys *actor.ActorSystem, batch ...*work) {
	in.mu.Lock()
	in.items = append(in.items, batch...)
	in.mu.Unlock()
	if in.woken.CompareAndSwap(false, true) {
		if pid := in.pid.Load(); pid != nil {
			sys.Root.Send(pid, wake{})
		}
	}
}

// take moves every pending item into dst and returns it.
func (in *inbox) take(dst []*work) []*work {
	in.woken.Store(false)
	in.mu.Lock()
	dst = append(dst, in.items...)
	clear(in.items)
	in.items = in.items[:0]
	in.mu.Unlock()
	return dst
}

// attach makes pid the receiver of wake-ups (called on Started).
func (in *inbox) attach(pid *actor.PID) {
	in.pid.Store(pid)
}
