package pipeline_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/supervision"
)

var errPoison = errors.New("poison")

func policy(attempts int) supervision.RetryPolicy {
	return supervision.RetryPolicy{Attempts: attempts, Backoff: supervision.Backoff{Initial: 10 * time.Millisecond, Max: time.Second, Multiplier: 2}}
}

// run is what became of a batch driven by Isolation to the end.
type run struct {
	answered    []int       // messages of successful tries, in the order answered
	deadLetters map[int]int // message → attempts in its dead letter
	blocked     int         // index of the blocked message, -1 when none
	tries       int
	actions     []pipeline.Action
	delays      []time.Duration
}

// drive runs Isolation over n messages whose try fails while try says so,
// as a runner would (without waiting the delays). It stops at the first
// BlockMessage or after 10000 tries.
func drive(t *testing.T, n int, p supervision.RetryPolicy, deadLetter bool, try func(lo, hi int) error) run {
	t.Helper()
	iso := pipeline.NewIsolation(n, p, deadLetter)
	r := run{deadLetters: map[int]int{}, blocked: -1}
	for !iso.Done() {
		if r.tries++; r.tries > 10000 {
			t.Fatal("isolation does not end")
		}
		lo, hi := iso.Span()
		if lo < 0 || hi > n || lo >= hi {
			t.Fatalf("span [%d, %d) of %d messages", lo, hi, n)
		}
		err := try(lo, hi)
		if err == nil {
			for i := lo; i < hi; i++ {
				r.answered = append(r.answered, i)
			}
			iso.Succeeded()
			continue
		}
		step := iso.Failed(err)
		r.actions = append(r.actions, step.Action)
		r.delays = append(r.delays, step.Delay)
		switch step.Action {
		case pipeline.DeadLetterMessage:
			if lo != step.Index || hi != lo+1 {
				t.Fatalf("dead letter of message %d from span [%d, %d)", step.Index, lo, hi)
			}
			r.deadLetters[step.Index] = step.Attempt
		case pipeline.BlockMessage:
			r.blocked = step.Index
			return r
		}
	}
	return r
}

// poison fails a span that holds one of the poison messages.
func poison(bad ...int) func(lo, hi int) error {
	return func(lo, hi int) error {
		for _, b := range bad {
			if b >= lo && b < hi {
				return fmt.Errorf("message %d: %w", b, errPoison)
			}
		}
		return nil
	}
}

func without(n int, bad ...int) []int {
	var out []int
	for i := range n {
		if !slices.Contains(bad, i) {
			out = append(out, i)
		}
	}
	return out
}

func TestIsolation_poisonMessages(t *testing.T) {
	cases := []struct {
		name string
		n    int
		bad  []int
	}{
		{"none", 8, nil},
		{"one of one", 1, []int{0}},
		{"one of eight, in the middle", 8, []int{5}},
		{"the first", 8, []int{0}},
		{"the last", 8, []int{7}},
		{"two of eight", 8, []int{2, 5}},
		{"two neighbours", 8, []int{3, 4}},
		{"two of an odd batch", 7, []int{0, 6}},
		{"all of four", 4, []int{0, 1, 2, 3}},
		{"one of 500", 500, []int{321}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := drive(t, c.n, policy(3), true, poison(c.bad...))
			if want := without(c.n, c.bad...); !slices.Equal(r.answered, want) {
				t.Fatalf("answered %v, want %v in offset order", r.answered, want)
			}
			if len(r.deadLetters) != len(c.bad) {
				t.Fatalf("dead letters %v, want %v", r.deadLetters, c.bad)
			}
			for _, b := range c.bad {
				// A single message gets the whole policy of its own.
				if r.deadLetters[b] != 3 {
					t.Fatalf("dead letters %v: message %d not dead-lettered after 3 attempts", r.deadLetters, b)
				}
			}
		})
	}
}

// One poison among n costs the policy's tries for the batch, one failed try
// per halving and the policy's tries for the poison alone.
func TestIsolation_onePoisonCostsAboutLog2Tries(t *testing.T) {
	r := drive(t, 512, policy(3), true, poison(300))
	failed := len(r.actions)
	// 3 tries of the batch (the last splits it), one failed try of each
	// half of 256, 128, ..., 2 messages that holds the poison (8), 3 tries
	// of the poison alone.
	if want := 3 + 8 + 3; failed != want {
		t.Fatalf("%d failed tries (%v), want %d", failed, r.actions, want)
	}
}

// A transient failure of the whole batch is retried as the policy says,
// with its backoff, and nothing is split.
func TestIsolation_transientFailureRetriesTheWholeBatch(t *testing.T) {
	fails := 2
	r := drive(t, 8, policy(3), true, func(lo, hi int) error {
		if fails > 0 {
			fails--
			return errors.New("broker busy")
		}
		return nil
	})
	if !slices.Equal(r.actions, []pipeline.Action{pipeline.RetrySpan, pipeline.RetrySpan}) || r.tries != 3 || len(r.answered) != 8 {
		t.Fatalf("actions %v tries %d answered %v", r.actions, r.tries, r.answered)
	}
	if r.delays[0] != 10*time.Millisecond || r.delays[1] != 20*time.Millisecond {
		t.Fatalf("delays %v, want the policy's backoff", r.delays)
	}
}

// An outage (supervision.Outage) is no message's fault: the whole batch
// waits and is tried again, unsplit, past the policy's attempts, and
// nothing is dead-lettered for it.
func TestIsolation_outageWaitsUnsplit(t *testing.T) {
	outages := 6
	r := drive(t, 8, policy(2), true, func(lo, hi int) error {
		if outages > 0 {
			outages--
			return supervision.Outage(errors.New("registry down"))
		}
		return nil
	})
	want := slices.Repeat([]pipeline.Action{pipeline.WaitSpan}, 6)
	if !slices.Equal(r.actions, want) || r.tries != 7 || len(r.answered) != 8 || len(r.deadLetters) != 0 {
		t.Fatalf("actions %v tries %d answered %v dead letters %v", r.actions, r.tries, r.answered, r.deadLetters)
	}
	if r.delays[0] != 10*time.Millisecond || r.delays[5] != 320*time.Millisecond {
		t.Fatalf("delays %v, want the policy's backoff growing past its attempts", r.delays)
	}
}

// Waiting out an outage spends none of the span's tries: a failure of the
// message's own after it still gets the whole retry policy.
func TestIsolation_outageSpendsNoTries(t *testing.T) {
	tries := 0
	r := drive(t, 1, policy(3), true, func(lo, hi int) error {
		tries++
		switch {
		case tries <= 5:
			return supervision.Outage(errors.New("registry down"))
		case tries <= 7:
			return errors.New("database starting")
		}
		return nil
	})
	want := append(slices.Repeat([]pipeline.Action{pipeline.WaitSpan}, 5), pipeline.RetrySpan, pipeline.RetrySpan)
	if !slices.Equal(r.actions, want) || len(r.deadLetters) != 0 || len(r.answered) != 1 {
		t.Fatalf("actions %v dead letters %v answered %v", r.actions, r.deadLetters, r.answered)
	}
	if r.delays[5] != 10*time.Millisecond {
		t.Fatalf("first failure after the outage waited %v, want the policy's first backoff", r.delays[5])
	}
}

// A permanent error needs no retry: the batch is split at once and the
// poison dead-lettered after its first try alone.
func TestIsolation_permanentErrorSplitsAtOnce(t *testing.T) {
	r := drive(t, 4, policy(5), true, func(lo, hi int) error {
		if 2 >= lo && 2 < hi {
			return supervision.Permanent(errPoison)
		}
		return nil
	})
	if r.deadLetters[2] != 1 || len(r.deadLetters) != 1 || !slices.Equal(r.answered, []int{0, 1, 3}) {
		t.Fatalf("dead letters %v answered %v", r.deadLetters, r.answered)
	}
	if r.actions[0] != pipeline.SplitSpan || r.delays[0] != 10*time.Millisecond {
		t.Fatalf("first action %v after %v, want a split after the first backoff", r.actions[0], r.delays[0])
	}
}

// Without a dead letter topic the poison blocks, as on a per-message route:
// the messages before it are answered, none after it.
func TestIsolation_noDeadLetterBlocksOnThePoison(t *testing.T) {
	for _, perm := range []bool{false, true} {
		t.Run(fmt.Sprint("permanent ", perm), func(t *testing.T) {
			iso := pipeline.NewIsolation(8, policy(2), false)
			var answered []int
			var step pipeline.Step
			for range 100 {
				lo, hi := iso.Span()
				if 5 < lo || 5 >= hi {
					for i := lo; i < hi; i++ {
						answered = append(answered, i)
					}
					iso.Succeeded()
					continue
				}
				err := error(errPoison)
				if perm {
					err = supervision.Permanent(err)
				}
				if step = iso.Failed(err); step.Action == pipeline.BlockMessage {
					break
				}
			}
			if step.Action != pipeline.BlockMessage || step.Index != 5 || step.Delay <= 0 || !slices.Equal(answered, []int{0, 1, 2, 3, 4}) {
				t.Fatalf("step %+v answered %v", step, answered)
			}
			// Blocked, it stays blocked: the same message, tried again and again.
			for range 3 {
				if lo, hi := iso.Span(); lo != 5 || hi != 6 || iso.Done() {
					t.Fatalf("span [%d, %d) after blocking", lo, hi)
				}
				if s := iso.Failed(errPoison); s.Action != pipeline.BlockMessage || s.Index != 5 {
					t.Fatalf("step %+v", s)
				}
			}
		})
	}
}

// Whatever the batch and its poison messages, every message is settled once:
// answered in offset order, or dead-lettered.
func TestIsolation_everyMessageSettledOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		n := 1 + rng.IntN(64)
		var bad []int
		for i := range n {
			if rng.IntN(8) == 0 {
				bad = append(bad, i)
			}
		}
		r := drive(t, n, policy(1+rng.IntN(3)), true, poison(bad...))
		if want := without(n, bad...); !slices.Equal(r.answered, want) {
			t.Fatalf("n=%d bad=%v: answered %v", n, bad, r.answered)
		}
		for _, b := range bad {
			if _, ok := r.deadLetters[b]; !ok {
				t.Fatalf("n=%d bad=%v: %d not dead-lettered (%v)", n, bad, b, r.deadLetters)
			}
		}
	}
}

// An operator's skip of a span of one message moves on to the next span,
// its tries starting over; a span of more is left as it is.
func TestIsolation_skippedMovesPastOneMessage(t *testing.T) {
	iso := pipeline.NewIsolation(4, policy(2), true)
	iso.Failed(errPoison)
	if got := iso.Attempts(); got != 1 {
		t.Fatalf("attempts %d after a failed try, want 1", got)
	}
	iso.Skipped() // a span of 4: nothing changes
	if lo, hi := iso.Span(); lo != 0 || hi != 4 || iso.Attempts() != 1 {
		t.Fatalf("span [%d, %d) with %d attempts after skipping a span of 4, want [0, 4) with 1", lo, hi, iso.Attempts())
	}
	iso.Failed(errPoison) // split: [0, 2)
	iso.Failed(errPoison) // split: [0, 1)
	if lo, hi := iso.Span(); lo != 0 || hi != 1 {
		t.Fatalf("span [%d, %d), want [0, 1)", lo, hi)
	}
	iso.Failed(errPoison)
	iso.Skipped()
	if lo, hi := iso.Span(); lo != 1 || hi != 2 || iso.Attempts() != 0 {
		t.Fatalf("span [%d, %d) with %d attempts after the skip, want [1, 2) with 0", lo, hi, iso.Attempts())
	}
}
