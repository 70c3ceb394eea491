package pipeline

import (
	"fmt"
	"time"

	"github.com/karafka-actors/karafka-actors/supervision"
)

// Isolation decides the tries of one batch of n messages, so that a poison
// message costs only itself: the batch is tried whole under the route's
// retry policy; when its tries run out it is split in halves, tried left to
// right; a part of more than one message that fails is split again at once
// (its failure is already suspect, so it is not retried), and a single
// message gets the whole retry policy of its own before it is dead-lettered.
// Every message is thus either answered by a successful try of a part that
// holds it or, alone, dead-lettered (or blocked, with no dead letter
// topic); parts complete in offset order.
//
// It is plain state with no goroutines or timers, kept by whoever runs the
// batch across restarts of the actor that runs it: the caller tries Span,
// reports the result with Succeeded or Failed and acts on the Step (waiting
// Step.Delay, restarting, dead-lettering), until Done.
//
// With n messages and one poison among them, a batch costs the policy's
// tries twice (the whole batch, then the poison alone) plus about log2(n)
// failed tries of parts in between.
type Isolation struct {
	policy     supervision.RetryPolicy
	deadLetter bool
	n          int
	lo, hi     int   // the span tried next, messages [lo, hi)
	ends       []int // ends of the spans after it, the next one last
	attempts   int   // failed tries of the current span, outages left out
	waits      int   // tries in a row the current span waited out an outage
}

// Action is what a Step asks of the runner after a failed try.
type Action int

const (
	// RetrySpan: try the same span again after Step.Delay (restarting what
	// the failed try may have broken first).
	RetrySpan Action = iota
	// SplitSpan: the span's tries ran out; its first half is the new Span,
	// tried after Step.Delay.
	SplitSpan
	// DeadLetterMessage: message Step.Index failed alone until its tries ran
	// out (or with a permanent error): dead-letter it with Step.Attempt. The
	// next Span, if any, is tried at once.
	DeadLetterMessage
	// BlockMessage: message Step.Index failed alone until its tries ran out
	// and there is no dead letter topic: try it again after Step.Delay; its
	// partition waits.
	BlockMessage
	// WaitSpan: the span failed for an outage (supervision.Outage), not
	// for any message of it: try the same span again after Step.Delay,
	// unsplit and without a restart, for as long as the outage lasts.
	WaitSpan
)

func (a Action) String() string {
	switch a {
	case RetrySpan:
		return "retry_span"
	case SplitSpan:
		return "split_span"
	case DeadLetterMessage:
		return "dead_letter_message"
	case BlockMessage:
		return "block_message"
	case WaitSpan:
		return "wait_span"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Step is the decision after a failed try.
type Step struct {
	Action Action
	// Index is the message of DeadLetterMessage and BlockMessage.
	Index int
	// Attempt counts the failed tries of the span that failed, this one
	// included (a dead letter's karafka.attempts header).
	Attempt int
	// Delay is the wait before the next try (RetrySpan, SplitSpan,
	// BlockMessage): the policy's backoff for the span's attempt, or its
	// first delay after a split.
	Delay time.Duration
}

// NewIsolation starts the tries of a batch of n ≥ 1 messages under policy;
// deadLetter says whether the route has a dead letter topic.
func NewIsolation(n int, policy supervision.RetryPolicy, deadLetter bool) Isolation {
	return Isolation{policy: policy, deadLetter: deadLetter, n: n, hi: n}
}

// Span returns the messages to try next, [lo, hi) of the batch.
func (s *Isolation) Span() (lo, hi int) { return s.lo, s.hi }

// Done reports whether every message of the batch is answered or
// dead-lettered.
func (s *Isolation) Done() bool { return s.lo >= s.n }

// Succeeded records that the span's try succeeded: its messages are
// answered, and the next span (if any) is tried at once.
func (s *Isolation) Succeeded() { s.advance() }

// Failed records that the span's try failed with err and returns what to do.
func (s *Isolation) Failed(err error) Step {
	if supervision.IsOutage(err) {
		// Not a message's fault: the whole span waits, unsplit, for as
		// long as the outage lasts, without spending the span's tries
		// (Step.Attempt counts the waits in a row).
		s.waits++
		_, delay := s.policy.Decide(s.waits, err, s.deadLetter)
		return Step{Action: WaitSpan, Attempt: s.waits, Delay: delay}
	}
	s.waits = 0
	s.attempts++
	attempt := s.attempts
	size := s.hi - s.lo
	exhausted := supervision.IsPermanent(err)
	if !exhausted && size > 1 && s.split() {
		exhausted = true // a part of a split batch gets one try
	}
	if !exhausted {
		decision, delay := s.policy.Decide(attempt, err, s.deadLetter)
		switch {
		case decision == supervision.Retry:
			return Step{Action: RetrySpan, Attempt: attempt, Delay: delay}
		case size == 1 && decision == supervision.RetryBlocked:
			return Step{Action: BlockMessage, Index: s.lo, Attempt: attempt, Delay: delay}
		}
	}
	if size > 1 {
		s.ends = append(s.ends, s.hi)
		s.hi = s.lo + size/2
		s.attempts = 0
		return Step{Action: SplitSpan, Attempt: attempt, Delay: s.policy.Backoff.Delay(1)}
	}
	if !s.deadLetter {
		// A permanent error and no dead letter topic: blocked, like any
		// exhausted message of a per-message route.
		_, delay := s.policy.Decide(attempt, err, false)
		return Step{Action: BlockMessage, Index: s.lo, Attempt: attempt, Delay: delay}
	}
	i := s.lo
	s.advance()
	return Step{Action: DeadLetterMessage, Index: i, Attempt: attempt}
}

// Skipped records that the span, one message, was skipped by an operator
// (it is finished by the caller, like a dead-lettered one): the next span,
// if any, is tried at once. A span of more messages is left as it is.
func (s *Isolation) Skipped() {
	if s.hi-s.lo == 1 {
		s.advance()
	}
}

// Attempts is the number of failed tries of the current span, outages left
// out (a dead letter's karafka.attempts).
func (s *Isolation) Attempts() int { return s.attempts }

// split reports whether the current span is a part of a split batch.
func (s *Isolation) split() bool { return s.lo > 0 || s.hi < s.n }

// advance moves to the span after the current one.
func (s *Isolation) advance() {
	s.lo, s.attempts, s.waits = s.hi, 0, 0
	if k := len(s.ends); k > 0 {
		s.hi = s.ends[k-1]
		s.ends = s.ends[:k-1]
	} else {
		s.hi = s.n
	}
}
