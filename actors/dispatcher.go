package actors

import (
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
// Parked workers wait on one unbuffered channel, so Go hands work to the
// longest-waiting one: they are used in rotation. A last-in-first-out stack
// of workers was tried and measured slower under a backlog (rotation won 9
// of 10 interleaved throughput rounds, by 5-15%). Rotation keeps every parked
// worker busy enough that the idle timeout alone would never shrink the pool
// after a burst, so at most maxIdle workers park: the others exit as soon as
// their run ends.
type pool struct {
	work       chan func() // unbuffered: a send succeeds only when a worker is idle
	quit       chan struct{}
	timeout    time.Duration // a worker idle this long exits
	maxIdle    int64         // workers beyond this many parked exit instead of parking
	throughput int
	workers    atomic.Int64 // goroutines alive, busy or idle
	parked     atomic.Int64 // of which waiting for work (or about to)
	closeOnce  sync.Once
}

var _ actor.Dispatcher = (*pool)(nil)

const (
	// poolIdle bounds how long an unused parked worker lives.
	poolIdle = 5 * time.Second
	// poolMaxIdle bounds the parked workers: more than enough for the
	// mailboxes that run at once on a machine (runs are short), few enough
	// that a rebalance waking a thousand partitions leaves no crowd behind.
	poolMaxIdle = 64
	// poolThroughput is how many messages one mailbox run processes before
	// it yields the goroutine (protoactor's default).
	poolThroughput = 300
)

func newPool(timeout time.Duration, maxIdle, throughput int) *pool {
	return &pool{work: make(chan func()), quit: make(chan struct{}), timeout: timeout, maxIdle: int64(maxIdle), throughput: throughput}
}

// Schedule runs fn on an idle worker, or on a new one when all are busy. It
// never blocks: a mailbox is never kept waiting for a slot.
func (p *pool) Schedule(fn func()) {
	select {
	case p.work <- fn:
	default:
		p.workers.Add(1)
		go p.worker(fn)
	}
}

// Throughput implements actor.Dispatcher.
func (p *pool) Throughput() int { return p.throughput }

func (p *pool) worker(fn func()) {
	defer p.workers.Add(-1)
	fn()
	t := time.NewTimer(p.timeout)
	defer t.Stop()
	for {
		if p.parked.Add(1) > p.maxIdle {
			p.parked.Add(-1)
			return
		}
		select {
		case fn = <-p.work:
			p.parked.Add(-1)
			fn()
			t.Reset(p.timeout)
		case <-t.C:
			p.parked.Add(-1)
			return
		case <-p.quit:
			p.parked.Add(-1)
			return
		}
	}
}

// close makes idle workers exit, and busy ones once their current run ends.
// It does not wait for them: a controller that ignores its context must not
// hold up shutdown. Work scheduled afterwards still runs, each on a
// goroutine that exits when done.
func (p *pool) close() {
	p.closeOnce.Do(func() { close(p.quit) })
}
