package actors

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/producer"
)

// TxnProducer is what exactly-once finishing needs of a transactional
// producer; *producer.Transactional implements it. Its methods are called
// from one goroutine at a time, never SendAsync during CommitTxn or AbortTxn.
type TxnProducer interface {
	Sender
	BeginTxn() error
	// AddOffsets adds offsets to commit for the group member in group to
	// the open transaction.
	AddOffsets(offsets []client.Offset, member client.Member) error
	// CommitTxn waits for the transaction's records, then commits it.
	CommitTxn() error
	// AbortTxn waits for the transaction's records, then aborts it.
	AbortTxn() error
	// Fatal reports that the producer cannot go on (fenced): it is closed,
	// and the next session makes a new one.
	Fatal() bool
	Close() error
}

var _ TxnProducer = (*producer.Transactional)(nil)

// errTxnAborted is wrapped by the error that ends a session whose
// transaction was aborted: its partitions are consumed again from the last
// committed offsets.
var errTxnAborted = errors.New("actors: transaction aborted")

// exactlyOnceSession is the exactly-once sessionFinisher: one transactional
// producer for the session (made by membership.finishing), one open
// transaction at a time. Finished messages are handed to it in offset order
// per partition (exactlyOnce): their responses and dead letters are sent in
// the open transaction and their next offset noted; the transaction carries
// those offsets with the session's group metadata (member id and
// generation, so a stale member is fenced) and is committed after
// maxMessages messages or interval, whichever comes first, and at the end
// of the session. Nothing is marked or committed through the session's offset
// manager.
//
// When a send, adding the offsets or the commit fails, the transaction is
// aborted (or, when the producer is fenced, dropped with it) and the session
// ends (fail): nothing of the transaction is visible to read_committed
// readers, and the session's partitions are consumed again from the last
// committed offsets in the next session. Messages finished after the
// failure are dropped the same way.
type exactlyOnceSession struct {
	m        *membership
	prod     TxnProducer
	send     Sender // prod, traced when the runtime traces: a send span per record
	member   client.Member
	max      int
	interval time.Duration
	kick     chan struct{} // (cap 1) commit now: max reached, or a send failed
	stop     chan struct{}
	dead     chan struct{} // closed by fail
	loop     sync.WaitGroup
	events   bool // MessageProcessed is subscribed

	errMu   sync.Mutex
	sendErr error // the first send of the open transaction that failed

	mu      sync.Mutex // one transaction operation at a time
	open    bool
	n       int                  // messages in the open transaction
	offsets map[*partition]int64 // the next offset of each partition in it
	after   []func()             // run once it committed
	failed  error                // set by fail: nothing more goes in
	ended   bool                 // end ran: the producer is the member's again
	spoiled bool                 // the producer is fenced, or a transaction of it could not be aborted
}

var _ sessionFinisher = (*exactlyOnceSession)(nil)

// newExactlyOnceSession starts the commit loop of a session whose
// transactions prod runs for the group member member.
func newExactlyOnceSession(m *membership, prod TxnProducer, member client.Member, maxMessages int, interval time.Duration) *exactlyOnceSession {
	s := &exactlyOnceSession{m: m, prod: prod, send: m.d.trace.sender(prod), member: member, max: maxMessages, interval: interval,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), dead: make(chan struct{}),
		offsets: map[*partition]int64{}, events: m.d.bus.Active(events.MessageProcessed)}
	s.loop.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.kick:
			case <-t.C:
			case <-s.stop:
				return
			}
			s.mu.Lock()
			s.commit()
			s.mu.Unlock()
		}
	})
	return s
}

func (s *exactlyOnceSession) partition(p *partition) finisher {
	return &exactlyOnce{s: s, p: p, changed: make(chan struct{}, 1)}
}

// end commits the open transaction (or aborts it, when it failed) before
// the session's partitions are handed back, and leaves the producer to the
// member: kept for the next session, or closed when it cannot go on.
func (s *exactlyOnceSession) end() {
	close(s.stop)
	s.loop.Wait()
	s.mu.Lock()
	s.commit() // leaves no transaction open: committed, or failed (aborted, or the producer spoiled)
	s.ended = true
	keep := !s.spoiled
	s.mu.Unlock()
	s.m.releaseProducer(keep)
}

// add puts ready, the next finished messages of p in offset order, into the
// open transaction (opening one if none is).
func (s *exactlyOnceSession) add(p *partition, ready []*txnItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed != nil || s.ended {
		return // consumed again from the last committed offset
	}
	if !s.open {
		if err := s.prod.BeginTxn(); err != nil {
			s.fail(err)
			return
		}
		s.open = true
	}
	for _, it := range ready {
		for i := range it.out {
			s.send.SendAsync(&it.out[i], s.result)
		}
		if it.dead != nil {
			s.send.SendAsync(it.dead, s.result)
		}
		if it.acked != nil {
			s.after = append(s.after, it.acked)
		}
		if s.events {
			offset, outcome, start := it.offset, it.outcome, it.start
			s.after = append(s.after, func() {
				now := time.Now()
				ev := events.Event{Kind: events.MessageProcessed, Time: now, Topic: p.topic, Group: p.group, Partition: p.id,
					Offset: offset, Outcome: outcome}
				if !start.IsZero() {
					ev.Duration = now.Sub(start)
				}
				s.m.d.bus.Publish(ev)
			})
		}
	}
	next := ready[len(ready)-1].offset + 1
	s.offsets[p] = next
	p.marked.Store(next) // committed with the transaction (State)
	s.n += len(ready)
	if s.n >= s.max {
		s.poke()
	}
}

func (s *exactlyOnceSession) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// result notes a failed send of the open transaction, which then cannot
// commit. It runs on the producer's result goroutine.
func (s *exactlyOnceSession) result(r producer.Result) {
	if r.Err == nil {
		return
	}
	s.errMu.Lock()
	if s.sendErr == nil {
		s.sendErr = r.Err
	}
	s.errMu.Unlock()
	s.poke()
}

// commit commits the open transaction, with its offsets; on failure it
// aborts and ends the session. s.mu is held.
func (s *exactlyOnceSession) commit() {
	if !s.open || s.failed != nil {
		return
	}
	s.errMu.Lock()
	err := s.sendErr
	s.errMu.Unlock()
	if err != nil {
		s.fail(fmt.Errorf("a record of the transaction was not written: %w", err))
		return
	}
	offsets := make([]client.Offset, 0, len(s.offsets))
	for p, next := range s.offsets {
		offsets = append(offsets, client.Offset{Topic: p.topic, Partition: p.id, Offset: next})
	}
	if err := s.prod.AddOffsets(offsets, s.member); err != nil {
		s.fail(err)
		return
	}
	if err := s.prod.CommitTxn(); err != nil {
		s.fail(err)
		return
	}
	s.open = false
	s.n = 0
	// The group's offsets are the transaction's now: State (its committed
	// offsets and lag, and the metrics and web view made of it) follows them
	// as it follows the at-least-once commits.
	for p, next := range s.offsets {
		p.committed.Store(next)
	}
	clear(s.offsets)
	after := s.after
	s.after = nil
	s.m.committed()
	for _, f := range after {
		f()
	}
	s.m.d.bus.Publish(events.Event{Kind: events.OffsetsCommitted, Group: s.m.group})
}

// fail aborts the open transaction (unless the producer is fenced: then
// the broker aborts it) and ends the session, whose partitions are consumed
// again from the last committed offsets. s.mu is held.
func (s *exactlyOnceSession) fail(cause error) {
	if s.failed != nil {
		return
	}
	s.failed = cause
	close(s.dead)
	s.after = nil
	clear(s.offsets)
	s.n = 0
	log := s.m.d.log.With("group", s.m.group)
	switch {
	case s.prod.Fatal() || errors.Is(cause, producer.ErrFenced):
		s.spoiled = true
		log.Error("transactional producer cannot go on (fenced, or unknown to the broker); its transaction is dropped, the session ends "+
			"and its partitions are consumed again from the last committed offsets with a new producer", "error", cause)
	case s.open:
		if err := s.prod.AbortTxn(); err != nil {
			s.spoiled = true
			log.Error("aborting the transaction failed; the producer is closed, and the next session's new one aborts it (or the broker, when it times out)", "error", err, "cause", cause)
		} else {
			log.Warn("transaction aborted: nothing of it is visible to read_committed readers; the session ends and its partitions "+
				"are consumed again from the last committed offsets", "error", cause)
		}
	default:
		s.spoiled = true
		log.Error("opening a transaction failed; the session ends and the next one makes a new producer", "error", cause)
	}
	s.open = false
	s.m.endSession(fmt.Errorf("%w: %w", errTxnAborted, cause))
}

// exactlyOnce is the exactly-once finisher of one partition. Messages may
// finish in any order; they are handed to the session's transaction in
// offset order, each once it and every message before it finished, so a
// transaction holds a partition's responses in input order and never a
// response without its offset.
type exactlyOnce struct {
	s       *exactlyOnceSession
	p       *partition
	mu      sync.Mutex
	items   []*txnItem // items[head:] are unfinished or not handed yet
	head    int
	handed  int64         // items handed to the session's transactions, for State
	frozen  bool          // handed back: nothing more goes in
	handing sync.Mutex    // keeps hand-overs in offset order
	changed chan struct{} // (cap 1) items were handed over
}

var _ finisher = (*exactlyOnce)(nil)

// txnItem is one consumed message until it is in a transaction.
type txnItem struct {
	offset  int64
	outcome events.Outcome // how it finished, for MessageProcessed
	start   time.Time      // when it was consumed, when someone listens
	done    bool
	out     []producer.Message
	dead    *producer.Message
	acked   func()
}

func (f *exactlyOnce) consumed(w *work) {
	w.txn = &txnItem{offset: w.msg.Offset}
	f.mu.Lock()
	f.items = append(f.items, w.txn)
	f.mu.Unlock()
}

func (f *exactlyOnce) respond(w *work, out []producer.Message) {
	w.txn.outcome, w.txn.start = w.entry.outcome, w.entry.start
	f.finish(w.txn, out, nil, nil)
}

func (f *exactlyOnce) deadLetter(w *work, msg *producer.Message, acked func()) {
	w.txn.outcome, w.txn.start = w.entry.outcome, w.entry.start
	f.finish(w.txn, nil, msg, acked)
}

func (f *exactlyOnce) done(w *work) {
	w.txn.outcome, w.txn.start = w.entry.outcome, w.entry.start
	f.finish(w.txn, nil, nil, nil)
}

// finish records what it sends and hands the finished run from the oldest
// item on to the transaction.
func (f *exactlyOnce) finish(it *txnItem, out []producer.Message, dead *producer.Message, acked func()) {
	f.mu.Lock()
	it.done, it.out, it.dead, it.acked = true, out, dead, acked
	var ready []*txnItem
	for f.head < len(f.items) && f.items[f.head].done {
		ready = append(ready, f.items[f.head])
		f.items[f.head] = nil
		f.head++
	}
	f.handed += int64(len(ready))
	f.items, f.head = compactFront(f.items, f.head)
	if len(ready) == 0 {
		f.mu.Unlock()
		return
	}
	f.p.unstick()
	frozen := f.frozen
	// Take the hand-over lock before dropping the state lock: runs are
	// handed over in the order they were taken.
	f.handing.Lock()
	f.mu.Unlock()
	if !frozen {
		f.s.add(f.p, ready)
	}
	f.handing.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// counts: a message counts as finished once it is in a transaction (it is
// committed with it, or consumed again after an abort).
func (f *exactlyOnce) counts() (finished int64, outstanding int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.handed, len(f.items) - f.head
}

func (f *exactlyOnce) outstanding() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.items) - f.head
}

// waitBelow waits until fewer than limit messages are outstanding. Once
// the session failed it returns at once: what is outstanding is dropped.
func (f *exactlyOnce) waitBelow(ctx context.Context, limit int) error {
	for f.outstanding() >= limit {
		select {
		case <-f.changed:
		case <-f.s.dead:
			return errTxnAborted
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (f *exactlyOnce) handBack() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.frozen = true
	return len(f.items) - f.head
}
