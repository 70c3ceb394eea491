package supervision

import (
	"errors"
	"fmt"
	"time"

	"github.com/karafka-actors/karafka-actors/internal/bounds"
)

// RetryPolicy says how often a failed message is tried and how long to wait.
type RetryPolicy struct {
	// Attempts is the total number of tries, the first included (≥ 1).
	Attempts int
	Backoff  Backoff
}

// DefaultRetryPolicy is 3 tries, 100ms doubling to 5s, ±20%.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{Attempts: 3, Backoff: Backoff{Initial: 100 * time.Millisecond, Max: 5 * time.Second, Multiplier: 2, Jitter: 0.2}}
}

// Validate reports every invalid field, named under "retry".
func (p RetryPolicy) Validate() error {
	var errs []error
	if p.Attempts < 1 {
		errs = append(errs, fmt.Errorf("%w: retry.attempts: %d must be at least 1", ErrInvalidConfig, p.Attempts))
	} else if p.Attempts > bounds.Attempts {
		errs = append(errs, fmt.Errorf("%w: retry.attempts: %d must be at most %d", ErrInvalidConfig, p.Attempts, bounds.Attempts))
	}
	errs = append(errs, p.Backoff.Validate("retry.backoff"))
	return errors.Join(errs...)
}

// Decision is what happens to a message after a failed try.
type Decision int

const (
	// Retry the message after the returned delay.
	Retry Decision = iota
	// DeadLetter the message and move on.
	DeadLetter
	// RetryBlocked: retries ran out but there is no dead letter topic; the
	// message is retried after the (capped) delay and its partition waits.
	RetryBlocked
	// Wait: an outage (see Outage), not the message's fault: the message is
	// retried after the (capped) delay, its partition waiting, however
	// many tries failed; it is never dead-lettered for it.
	Wait
)

func (d Decision) String() string {
	switch d {
	case Retry:
		return "retry"
	case DeadLetter:
		return "dead_letter"
	case RetryBlocked:
		return "retry_blocked"
	case Wait:
		return "wait"
	}
	return fmt.Sprintf("Decision(%d)", int(d))
}

// Decide what to do after the attempt-th failed try (from 1) of a message.
// Permanent errors are dead-lettered at once; outages (Outage) wait, retried
// in place with capped backoff for as long as they last; others are retried
// until Attempts tries failed, then dead-lettered — or, with no dead letter
// topic, retried in place with capped backoff.
func (p RetryPolicy) Decide(attempt int, err error, deadLetterEnabled bool) (Decision, time.Duration) {
	if IsOutage(err) {
		return Wait, p.Backoff.Delay(attempt)
	}
	exhausted := IsPermanent(err) || attempt >= p.Attempts
	switch {
	case !exhausted:
		return Retry, p.Backoff.Delay(attempt)
	case deadLetterEnabled:
		return DeadLetter, 0
	default:
		return RetryBlocked, p.Backoff.Delay(attempt)
	}
}
