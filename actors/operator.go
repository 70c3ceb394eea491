package actors

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/karafka-actors/karafka-actors/events"
)

// Operator actions: what a person running the application may do to a
// partition this process holds, through the App (PausePartition,
// ResumePartition, SkipRecord) and the console.
//
// Pause stops the partition where it starts work: its claim loop fetches
// and hands over nothing more (the client's fetching of it is paused too,
// whatever backpressure does meanwhile), and its controller stages (the
// controller, or the partitioner and the virtual actors; a batch route's
// next batch) start no message they hold. What is under way finishes and
// is committed: a try that runs, a failing message's retries, a batch
// begun, responses on their way. Messages fetched and not started wait,
// uncommitted, until Resume. The pause belongs to this claim of the
// partition: when it is handed back (a rebalance, shutdown) the pause ends,
// what the partition holds drains as usual, and its next owner starts
// unpaused.
//
// Skip finishes the record the partition is failing on, in place of its
// next try: a record whose try failed and waits for its next one (a retry,
// an outage's wait, or the retries of a record blocked without a dead
// letter topic). It is dead-lettered at once (stage "operator", error
// "skipped by an operator: REASON (last error: ...)"), or, without a dead
// letter topic, finished unprocessed so that its offset is committed. The
// stage that holds it goes on with the next record at once, whatever its
// retry timer said. The skip is done by the stage's own actor, between two
// tries: a skip asked while the record's try runs waits for the try (at
// most skipWait: past it nothing is skipped and Skip says so); if the try
// fails, the record is skipped instead of being tried again; if it
// succeeds, there is nothing left to skip and the skip is void
// (ErrNotFailing). A batch route's record can be skipped once the batch's
// tries isolate it (stage_batch.go: skipSpan).

// Errors of the operator actions.
var (
	// ErrNotHeld: the partition is not held by this process now (never
	// assigned to it, revoked, or being handed back).
	ErrNotHeld = errors.New("partition not held by this process")
	// ErrNotFailing: the offset named to Skip is not the record its
	// partition is failing on now.
	ErrNotFailing = errors.New("not the record its partition is failing on")
	// ErrNoReason: Skip was asked without a reason.
	ErrNoReason = errors.New("a skip needs a reason")
)

// OperatorStage is the stage a record skipped by an operator names: its
// dead letter's karafka.stage header, its events' Stage.
const OperatorStage = "operator"

// skipWait bounds how long Skip waits for the record's stage to take the
// skip: a try under way may run as long as the route's timeout allows.
const skipWait = 30 * time.Second

// operator is what the operator actions keep of one claimed partition.
type operator struct {
	// m is the membership whose member fetches the partition.
	m *membership
	// mu orders the decisions to pause or resume fetching the partition,
	// for backpressure (partition.paused) or an operator (paused).
	mu sync.Mutex
	// paused: an operator paused the partition. Read once per fetch by
	// the claim loop and once per message by the gated stages.
	paused atomic.Bool
	// released: the claim loop ended; the pause cannot change any more.
	// Guarded by mu.
	released bool
	// resumed wakes the claim loop (cap 1) when an operator resumed.
	resumed chan struct{}
	// skipMu lets one skip at a time ask the partition's stages.
	skipMu sync.Mutex
	// gone is closed once the partition was handed back.
	gone chan struct{}
}

func newOperator() operator {
	return operator{resumed: make(chan struct{}, 1), gone: make(chan struct{})}
}

// setPaused records that fetching p is paused (on) or not for backpressure
// (operator false) or by an operator, and pauses or resumes the partition
// in the client when whether either holds changes. It reports whether
// this changed anything, and ok false once the claim loop ended.
func (p *partition) setPaused(operator, on bool) (changed, ok bool) {
	o := &p.op
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.released {
		return false, false
	}
	was := p.paused.Load() || o.paused.Load()
	flag := &p.paused
	if operator {
		flag = &o.paused
	}
	if flag.Load() == on {
		return false, true
	}
	flag.Store(on)
	if now := p.paused.Load() || o.paused.Load(); now != was && o.m != nil {
		o.m.pause(p.topic, p.id, now)
	}
	return true, true
}

// release is called by the claim loop when it ends, before the partition
// drains: an operator's pause ends (what the partition holds drains as
// usual), the client's fetching of it is resumed if paused, and nothing may
// pause it again.
func (p *partition) release() {
	o := &p.op
	o.mu.Lock()
	if p.paused.Load() || o.paused.Load() {
		if o.m != nil {
			o.m.pause(p.topic, p.id, false)
		}
		p.paused.Store(false)
	}
	wasPaused := o.paused.Swap(false)
	o.released = true
	o.mu.Unlock()
	if wasPaused {
		p.d.log.Info("the operator's pause of the partition ends: it is handed back (its next owner starts unpaused)",
			"topic", p.topic, "partition", p.id, "group", p.group)
		p.wakeGated()
	}
}

// wakeGated wakes the stages that start messages, which stopped while an
// operator paused p.
func (p *partition) wakeGated() {
	p.ctrl.wakeUp(p)
	for i := range p.virt {
		p.virt[i].wakeUp(p)
	}
}

// wakeUp makes the stage's current incarnation run.
func (s *stage) wakeUp(p *partition) {
	if pid := s.in.pid.Load(); pid != nil {
		p.d.sys.Root.Send(pid, wake{})
	}
}

// held is the claimed partition id of topic, or nil.
func (c *claims) held(topic string, id int32) *partition {
	c.mu.Lock()
	defer c.mu.Unlock()
	for p := range c.live {
		if p.topic == topic && p.id == id {
			return p
		}
	}
	return nil
}

// PausePartition pauses partition id of topic for an operator (see the top
// of operator.go); pausing a paused partition changes nothing. It fails
// with ErrNotHeld when the partition is not held by this process.
func (r *Runtime) PausePartition(topic string, id int32) error {
	return r.d.operatorPause(topic, id, true)
}

// ResumePartition ends an operator's pause of partition id of topic;
// resuming a partition not paused changes nothing. It fails with
// ErrNotHeld when the partition is not held by this process.
func (r *Runtime) ResumePartition(topic string, id int32) error {
	return r.d.operatorPause(topic, id, false)
}

func (d *deps) operatorPause(topic string, id int32, on bool) error {
	p := d.claims.held(topic, id)
	if p == nil {
		return ErrNotHeld
	}
	changed, ok := p.setPaused(true, on)
	if !ok {
		return fmt.Errorf("%w: it is being handed back", ErrNotHeld)
	}
	kind, did, already := events.PartitionResumed, "partition resumed by an operator", "partition resumed by an operator: it was not paused by one"
	if on {
		kind, did, already = events.PartitionPaused, "partition paused by an operator", "partition paused by an operator: it already was"
	}
	if !changed {
		d.log.Info(already, "topic", topic, "partition", id, "group", p.group)
		return nil
	}
	if !on {
		select {
		case p.op.resumed <- struct{}{}:
		default:
		}
		p.wakeGated()
	}
	d.log.Info(did, "topic", topic, "partition", id, "group", p.group)
	d.bus.Publish(events.Event{Kind: kind, Topic: topic, Group: p.group, Partition: id, Operator: true})
	return nil
}

// holdWhilePaused waits while an operator pauses p; it reports false when
// done ends first.
func (p *partition) holdWhilePaused(done <-chan struct{}) bool {
	for p.op.paused.Load() {
		select {
		case <-p.op.resumed:
		case <-done:
			return false
		}
	}
	return true
}

// failing is what a stage keeps of its failing head for an operator's
// skip. on and err are the stage actor's own; at and skip are shared.
type failing struct {
	on  bool  // the head (span) failed and was not finished since
	err error // the last try's error
	// at is the record (span) failing, nil while none: what Skip reads.
	at atomic.Pointer[failingAt]
	// skip is the skip asked of the head, until the stage actor takes it.
	skip atomic.Pointer[skipRequest]
}

// failingAt names the record a stage fails on: n records from offset (n > 1
// only for a batch route's span).
type failingAt struct {
	offset int64
	n      int
}

// set records that the record at offset (a span of n from it) failed with err.
func (f *failing) set(offset int64, n int, err error) {
	f.on, f.err = true, err
	if a := f.at.Load(); a == nil || a.offset != offset || a.n != n {
		f.at.Store(&failingAt{offset: offset, n: n})
	}
}

// clear records that the failing head is finished (or moved on): a skip
// still asked of it is void.
func (f *failing) clear() {
	f.on, f.err = false, nil
	f.at.Store(nil)
	if r := f.skip.Swap(nil); r != nil {
		r.answer(skipVoid)
	}
}

// take takes the skip asked of the stage, if any; it must be answered.
func (f *failing) take() *skipRequest { return f.skip.Swap(nil) }

// skipRequest is one Skip, asked of the stage failing on offset.
type skipRequest struct {
	offset int64
	reason string
	done   chan skipOutcome // cap 1
}

type skipOutcome uint8

const (
	skipDone skipOutcome = iota + 1 // skipped
	skipVoid                        // not failing on that record (any more)
	skipGone                        // the partition is handed back, or supervision gave up
)

func (r *skipRequest) answer(o skipOutcome) { r.done <- o }

// skipError is the error a record skipped by an operator is dead-lettered
// with (karafka.error): "skipped by an operator: REASON (last error: ...)".
// It wraps the error of the record's last try.
type skipError struct {
	reason string
	last   error
}

func (e *skipError) Error() string {
	if e.last == nil {
		return "skipped by an operator: " + e.reason
	}
	return "skipped by an operator: " + e.reason + " (last error: " + e.last.Error() + ")"
}

func (e *skipError) Unwrap() error { return e.last }

// SkipRecord skips the record at offset of partition id of topic, which
// the partition is failing on now, for reason (see the top of operator.go).
// It returns once the record's stage skipped it: its dead letter is handed
// to the producer (the partition's offset moves past it once that is
// acknowledged), or, without a dead letter topic, it is finished. It fails
// with ErrNoReason without a reason, ErrNotHeld when the partition is not
// held by this process, and ErrNotFailing, saying what the partition is
// failing on, when that is not the record at offset (or no longer: its
// last try succeeded).
func (r *Runtime) SkipRecord(topic string, id int32, offset int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ErrNoReason
	}
	p := r.d.claims.held(topic, id)
	if p == nil {
		return ErrNotHeld
	}
	return p.skip(offset, reason)
}

// skip asks the stage failing on offset to skip it, and waits for its answer.
func (p *partition) skip(offset int64, reason string) error {
	p.op.skipMu.Lock()
	defer p.op.skipMu.Unlock()
	s := p.failingOn(offset)
	if s == nil {
		return p.notFailing()
	}
	req := &skipRequest{offset: offset, reason: reason, done: make(chan skipOutcome, 1)}
	s.failing.skip.Store(req)
	s.wakeUp(p)
	timeout := time.NewTimer(skipWait)
	defer timeout.Stop()
	var out skipOutcome
	select {
	case out = <-req.done:
	case <-p.op.gone:
	case <-p.d.halt.Done():
	case <-timeout.C:
	}
	if out == 0 && !s.failing.skip.CompareAndSwap(req, nil) {
		out = <-req.done // taken meanwhile: its answer comes at once
	}
	switch {
	case out == skipDone:
		return nil
	case out == skipVoid:
		return p.notFailing()
	case out == skipGone, p.stopped.Load():
		return fmt.Errorf("%w: it was handed back before the skip", ErrNotHeld)
	case p.d.halt.Err() != nil:
		return fmt.Errorf("%w: %w", ErrNotHeld, errHalted)
	case p.failingOn(offset) == nil:
		return p.notFailing()
	}
	return fmt.Errorf("the record's stage did not take the skip within %v (a try of it still runs): nothing was skipped", skipWait)
}

// stages are p's stages, in the order messages go through them.
func (p *partition) stages() []*stage {
	out := make([]*stage, 0, 2+len(p.virt))
	out = append(out, &p.ctrl)
	for i := range p.virt {
		out = append(out, &p.virt[i])
	}
	return append(out, &p.resp)
}

// failingOn is the stage failing on the record at offset alone, or nil.
func (p *partition) failingOn(offset int64) *stage {
	for _, s := range p.stages() {
		if a := s.failing.at.Load(); a != nil && a.n == 1 && a.offset == offset {
			return s
		}
	}
	return nil
}

// notFailing is ErrNotFailing, saying what p is failing on now.
func (p *partition) notFailing() error {
	var one []string
	var spans []string
	for _, s := range p.stages() {
		a := s.failing.at.Load()
		switch {
		case a == nil:
		case a.n == 1:
			one = append(one, fmt.Sprint(a.offset))
		default:
			spans = append(spans, fmt.Sprintf("a batch of %d records from offset %d", a.n, a.offset))
		}
	}
	switch {
	case len(spans) > 0:
		return fmt.Errorf("%w: partition %d is failing on %s; a record of a batch can be skipped once its tries isolate it",
			ErrNotFailing, p.id, strings.Join(spans, ", "))
	case len(one) == 1:
		return fmt.Errorf("%w: partition %d is failing on offset %s", ErrNotFailing, p.id, one[0])
	case len(one) > 1:
		return fmt.Errorf("%w: partition %d is failing on offsets %s", ErrNotFailing, p.id, strings.Join(one, ", "))
	}
	return fmt.Errorf("%w: partition %d is not failing", ErrNotFailing, p.id)
}

// skipRecord finishes w, skipped by an operator for reason after its last
// try failed with last (attempts tries of its own so far): dead-lettered,
// or without a dead letter topic finished unprocessed. Called by the stage
// actor that held w, which moved past it.
func (p *partition) skipRecord(w *work, attempts int, reason string, last error) {
	serr := &skipError{reason: reason, last: last}
	if p.dlq != "" {
		p.d.log.Warn("record skipped by an operator: dead-lettered", "topic", p.topic, "partition", p.id, "offset", w.msg.Offset,
			"reason", reason, "dead_letter_topic", p.dlq, "last_error", last)
		p.deadLetter(w, &ProcessingError{Topic: p.topic, Partition: p.id, Offset: w.msg.Offset, Stage: OperatorStage, Attempt: attempts, Err: serr})
		return
	}
	p.d.log.Warn("record skipped by an operator with no dead letter topic: finished unprocessed, its offset will be committed",
		"topic", p.topic, "partition", p.id, "offset", w.msg.Offset, "reason", reason, "last_error", last)
	w.params, w.responses = nil, nil
	p.d.trace.failed(w, serr)
	p.d.trace.finished(w)
	w.entry.outcome = events.OutcomeSkipped
	p.fin.done(w)
}
