package actors

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// pool is the protoactor Dispatcher of every actor of one runtime: it runs a
// mailbox on a goroutine that is already parked waiting for work, and starts
// a new goroutine only when none is idle.
//
// protoactor's default dispatcher starts a fresh goroutine (`go fn()`) each
// time an idle mailbox receives a message. At moderate rates every batch of
// messages wakes an idle actor, so every batch ran on a new 8 KiB stack that
// grew again (JSON decoding and sarama encoding are deep): runtime.newstack
// and copystack were 12% of the worker's CPU at 10k msg/s. Parked workers
// keep their grown stacks, and handing a mailbox run to one is a channel
// send to a waiting receiver, no more than a goroutine start.
type pool struct {
	work       chan func() // unbuffered: a send succeeds only when a worker is idle
	quit       chan struct{}
	idle       time.Duration // a worker with nothing to do for this long exits
	throughput int
	workers    atomic.Int64 // goroutines currently alive, busy or idle
	parked     atomic.Int64 // of which waiting for work
	closeOnce  sync.Once
}

var _ actor.Dispatcher = (*pool)(nil)

// poolIdle bounds how long a burst's extra workers outlive it.
const poolIdle = 5 * time.Second

// poolThroughput is how many messages one mailbox run processes before it
// yields the goroutine (protoactor's default).
const poolThroughput = 300

func newPool(idle time.Duration, throughput int) *pool {
	return &pool{work: make(chan func()), quit: make(chan struct{}), idle: idle, throughput: throughput}
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
	t := time.NewTimer(p.idle)
	defer t.Stop()
	for {
		p.parked.Add(1)
		select {
		case fn := <-p.work:
			p.parked.Add(-1)
			fn()
			t.Reset(p.idle)
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
