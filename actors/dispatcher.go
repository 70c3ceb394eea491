package actors

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// pool is the protoactor Dispatcher of every actor of one runtime: it runs a
// mailbox on a goroutine that is parked waiting for work, and starts a new
// goroutine only when none is idle.
//
// protoactor's default dispatcher starts a fresh goroutine (`go fn()`) each
// time an idle mailbox receives a message. At moderate rates every batch of
// messages wakes an idle actor, so every batch ran on a new small stack that
// grew again (JSON decoding and sarama encoding are deep): runtime.newstack
// and copystack were 12% of the worker's CPU at 10k msg/s. A parked worker
// keeps its grown stack until a garbage collection finds it mostly unused
// and halves it, so a busy worker regrows at most once per GC, not once per
// batch.
//
// Idle workers are reused last in, first out: the one that ran most
// recently (warmest stack) runs the next mailbox, and the extra workers of a
// burst stay idle and exit after the idle timeout even while traffic goes
// on. (A shared channel would hand work to the longest-waiting worker, in
// rotation, so none of them would ever be idle long enough to exit.)
type pool struct {
	mu         sync.Mutex
	idle       []*poolWorker // parked workers, most recently parked last
	closed     bool
	timeout    time.Duration // a worker idle this long exits
	throughput int
	workers    atomic.Int64 // goroutines alive, busy or idle
}

// poolWorker is one parked goroutine's hand-off slot: whoever takes it off
// the idle stack sends it exactly one run (or closes it), so the buffer of
// one never blocks the sender.
type poolWorker struct{ run chan func() }

var _ actor.Dispatcher = (*pool)(nil)

// poolIdle bounds how long a burst's extra workers outlive it.
const poolIdle = 5 * time.Second

// poolThroughput is how many messages one mailbox run processes before it
// yields the goroutine (protoactor's default).
const poolThroughput = 300

func newPool(timeout time.Duration, throughput int) *pool {
	return &pool{timeout: timeout, throughput: throughput}
}

// Schedule runs fn on the most recently parked worker, or on a new one when
// none is idle. It never blocks: a mailbox is never kept waiting for a slot.
func (p *pool) Schedule(fn func()) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		w.run <- fn
		return
	}
	p.mu.Unlock()
	p.workers.Add(1)
	go p.worker(&poolWorker{run: make(chan func(), 1)}, fn)
}

// Throughput implements actor.Dispatcher.
func (p *pool) Throughput() int { return p.throughput }

func (p *pool) worker(w *poolWorker, fn func()) {
	defer p.workers.Add(-1)
	t := time.NewTimer(p.timeout)
	defer t.Stop()
	for {
		fn()
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return
		}
		p.idle = append(p.idle, w)
		p.mu.Unlock()
		t.Reset(p.timeout)
		var ok bool
		select {
		case fn, ok = <-w.run:
		case <-t.C:
			if p.leave(w) {
				return
			}
			// Taken off the stack just as the timer fired: its run is on the way.
			fn, ok = <-w.run
		}
		if !ok { // closed by close
			return
		}
	}
}

// leave takes w off the idle stack; false when a Schedule or close already did.
func (p *pool) leave(w *poolWorker) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := slices.Index(p.idle, w)
	if i < 0 {
		return false
	}
	p.idle = slices.Delete(p.idle, i, i+1)
	return true
}

// parked is the number of idle workers.
func (p *pool) parked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// close makes idle workers exit, and busy ones once their current run ends.
// It does not wait for them: a controller that ignores its context must not
// hold up shutdown. Work scheduled afterwards still runs, each on a
// goroutine that exits when done.
func (p *pool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, w := range idle {
		close(w.run)
	}
}
