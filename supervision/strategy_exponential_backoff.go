package supervision

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// exponential restarts the failed child after Backoff.Delay(failures in window).
type exponential struct {
	limiter
	backoff Backoff
}

var _ actor.SupervisorStrategy = (*exponential)(nil)

func (s *exponential) HandleFailure(_ *actor.ActorSystem, supervisor actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason, message any) {
	n, escalated := s.fail(supervisor, child, rs, reason, message)
	if escalated {
		return
	}
	delay := s.backoff.Delay(n)
	s.restarting(child, reason, delay, n)
	// RestartChildren only sends a system message: safe from the timer goroutine.
	time.AfterFunc(delay, func() { supervisor.RestartChildren(child) })
}
