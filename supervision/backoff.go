package supervision

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/karafka-actors/karafka-actors/internal/bounds"
)

// Backoff computes truly exponential, capped, jittered delays.
type Backoff struct {
	// Initial is the delay before the first retry.
	Initial time.Duration
	// Max caps every delay, jitter included.
	Max time.Duration
	// Multiplier grows the delay per attempt (≥ 1; 2 doubles it).
	Multiplier float64
	// Jitter spreads each delay by ±Jitter·delay (0..1).
	Jitter float64
}

// DefaultBackoff is 100ms doubling to 10s, ±20%.
func DefaultBackoff() Backoff {
	return Backoff{Initial: 100 * time.Millisecond, Max: 10 * time.Second, Multiplier: 2, Jitter: 0.2}
}

// Delay returns the delay after the attempt-th failure (attempt counts from
// 1): Initial·Multiplier^(attempt-1), jittered, never above Max nor below 0.
func (b Backoff) Delay(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	m := b.Multiplier
	if m < 1 {
		m = 1
	}
	d := float64(b.Initial) * math.Pow(m, float64(attempt-1))
	if math.IsNaN(d) || d > float64(b.Max) {
		d = float64(b.Max) // also catches +Inf from a huge attempt
	}
	if b.Jitter > 0 {
		d += d * b.Jitter * (2*rand.Float64() - 1)
	}
	switch {
	case d >= float64(b.Max):
		// float64(Max) may round above MaxInt64: never convert it back.
		return max(b.Max, 0)
	case d <= 0:
		return 0
	}
	return time.Duration(d)
}

// Validate reports every invalid field, each named under prefix.
func (b Backoff) Validate(prefix string) error {
	var errs []error
	if b.Initial <= 0 {
		errs = append(errs, fmt.Errorf("%w: %s.initial: %v must be positive", ErrInvalidConfig, prefix, b.Initial))
	} else if b.Initial > bounds.Duration {
		errs = append(errs, fmt.Errorf("%w: %s.initial: %v must be at most %v", ErrInvalidConfig, prefix, b.Initial, bounds.Duration))
	}
	if b.Max < b.Initial {
		errs = append(errs, fmt.Errorf("%w: %s.max: %v must be at least initial (%v)", ErrInvalidConfig, prefix, b.Max, b.Initial))
	} else if b.Max > bounds.Duration {
		errs = append(errs, fmt.Errorf("%w: %s.max: %v must be at most %v", ErrInvalidConfig, prefix, b.Max, bounds.Duration))
	}
	// Written so that NaN fails too.
	if !(b.Multiplier >= 1) {
		errs = append(errs, fmt.Errorf("%w: %s.multiplier: %v must be at least 1", ErrInvalidConfig, prefix, b.Multiplier))
	} else if b.Multiplier > bounds.Multiplier {
		errs = append(errs, fmt.Errorf("%w: %s.multiplier: %v must be at most %v", ErrInvalidConfig, prefix, b.Multiplier, bounds.Multiplier))
	}
	if !(b.Jitter >= 0 && b.Jitter <= 1) {
		errs = append(errs, fmt.Errorf("%w: %s.jitter: %v must be between 0 and 1", ErrInvalidConfig, prefix, b.Jitter))
	}
	return errors.Join(errs...)
}
