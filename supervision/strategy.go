package supervision

import (
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/internal/bounds"
)

// Kind names a supervisor strategy.
type Kind string

// The strategies.
const (
	// OneForOne restarts only the failed child, at once.
	OneForOne Kind = "one_for_one"
	// AllForOne restarts every child of the supervisor when one fails.
	AllForOne Kind = "all_for_one"
	// ExponentialBackoff restarts the failed child after an exponentially
	// growing, capped, jittered delay.
	ExponentialBackoff Kind = "exponential_backoff"
)

// Kinds lists the strategies, for help texts and errors.
var Kinds = []Kind{OneForOne, AllForOne, ExponentialBackoff}

const allowedKinds = "one_for_one, all_for_one, exponential_backoff"

// ParseKind parses a strategy name.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("%w: strategy %q (allowed: %s)", ErrInvalidConfig, s, allowedKinds)
}

// Config chooses a strategy and its limits.
type Config struct {
	Strategy Kind
	// MaxRestarts is how many failures of one child are allowed within
	// Within; one more escalates to the supervisor's own supervisor.
	MaxRestarts int
	Within      time.Duration
	// Backoff is the restart delay of ExponentialBackoff.
	Backoff Backoff
}

// DefaultConfig is one-for-one, 10 restarts a minute.
func DefaultConfig() Config {
	return Config{Strategy: OneForOne, MaxRestarts: 10, Within: time.Minute, Backoff: DefaultBackoff()}
}

// Validate reports every invalid field, named under prefix.
func (c Config) Validate(prefix string) error {
	var errs []error
	if _, err := ParseKind(string(c.Strategy)); err != nil {
		errs = append(errs, fmt.Errorf("%w: %s.strategy: %q (allowed: %s)", ErrInvalidConfig, prefix, c.Strategy, allowedKinds))
	}
	if c.MaxRestarts < 0 {
		errs = append(errs, fmt.Errorf("%w: %s.max_restarts: %d must not be negative", ErrInvalidConfig, prefix, c.MaxRestarts))
	} else if c.MaxRestarts > bounds.MaxRestarts {
		// The limiter keeps up to 4*(MaxRestarts+1) failure times per child.
		errs = append(errs, fmt.Errorf("%w: %s.max_restarts: %d must be at most %d", ErrInvalidConfig, prefix, c.MaxRestarts, bounds.MaxRestarts))
	}
	if c.Within <= 0 {
		errs = append(errs, fmt.Errorf("%w: %s.within: %v must be positive", ErrInvalidConfig, prefix, c.Within))
	} else if c.Within > bounds.Duration {
		errs = append(errs, fmt.Errorf("%w: %s.within: %v must be at most %v", ErrInvalidConfig, prefix, c.Within, bounds.Duration))
	}
	if c.Strategy == ExponentialBackoff {
		errs = append(errs, c.Backoff.Validate(prefix+".backoff"))
	}
	return errors.Join(errs...)
}

// Hooks observe a strategy's decisions.
type Hooks struct {
	// OnRestart is called before a restart is ordered (delay 0: at once).
	OnRestart func(child *actor.PID, reason any, delay time.Duration, failures int)
	// OnEscalate is called when the restart limit is reached.
	OnEscalate func(child *actor.PID, reason any, failures int)
}

// Build returns the protoactor strategy c describes; Hooks may be zero.
// Call Validate first: an unknown Strategy builds one-for-one.
//
// (The method cannot be named Strategy: Config already has a field of
// that name.)
func (c Config) Build(h Hooks) actor.SupervisorStrategy {
	base := limiter{max: c.MaxRestarts, within: c.Within, hooks: h}
	switch c.Strategy {
	case AllForOne:
		return &allForOne{base}
	case ExponentialBackoff:
		return &exponential{limiter: base, backoff: c.Backoff}
	default:
		return &oneForOne{base}
	}
}
