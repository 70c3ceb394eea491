package supervision

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// RestartLimitError is what a supervisor escalates when a child failed more
// than MaxRestarts times within the window.
type RestartLimitError struct {
	Child    *actor.PID
	Failures int
	Reason   any
}

func (e *RestartLimitError) Error() string {
	id := "?"
	if e.Child != nil {
		id = e.Child.Id
	}
	return fmt.Sprintf("supervision: restart limit reached: %s failed %d times: %v", id, e.Failures, e.Reason)
}

// Unwrap matches ErrRestartLimit and the reason, when it is an error.
func (e *RestartLimitError) Unwrap() []error {
	if err, ok := e.Reason.(error); ok {
		return []error{ErrRestartLimit, err}
	}
	return []error{ErrRestartLimit}
}

// limiter counts failures and escalates past the limit; it is shared by the strategies.
type limiter struct {
	max    int
	within time.Duration
	hooks  Hooks
}

// fail records a failure; it returns the count in the window and whether
// the supervisor escalated instead of restarting.
func (l *limiter) fail(supervisor actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason, message any) (int, bool) {
	rs.Fail()
	n := rs.NumberOfFailures(l.within)
	if n <= l.max {
		// protoactor keeps every failure time until Reset: bound the list by
		// keeping only the n failures still in the window (re-stamped now,
		// which can only make the limit stricter).
		if rs.FailureCount() > 4*(l.max+1) {
			rs.Reset()
			for range n {
				rs.Fail()
			}
		}
		return n, false
	}
	rs.Reset()
	if l.hooks.OnEscalate != nil {
		l.hooks.OnEscalate(child, reason, n)
	}
	supervisor.EscalateFailure(&RestartLimitError{Child: child, Failures: n, Reason: reason}, message)
	return n, true
}

func (l *limiter) restarting(child *actor.PID, reason any, delay time.Duration, n int) {
	if l.hooks.OnRestart != nil {
		l.hooks.OnRestart(child, reason, delay, n)
	}
}
