package supervision

import "github.com/asynkron/protoactor-go/actor"

// oneForOne restarts only the failed child.
type oneForOne struct{ limiter }

var _ actor.SupervisorStrategy = (*oneForOne)(nil)

func (s *oneForOne) HandleFailure(_ *actor.ActorSystem, supervisor actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason, message any) {
	n, escalated := s.fail(supervisor, child, rs, reason, message)
	if escalated {
		return
	}
	s.restarting(child, reason, 0, n)
	supervisor.RestartChildren(child)
}
