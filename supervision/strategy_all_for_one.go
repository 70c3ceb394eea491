package supervision

import "github.com/asynkron/protoactor-go/actor"

// allForOne restarts every child when one fails.
type allForOne struct{ limiter }

var _ actor.SupervisorStrategy = (*allForOne)(nil)

func (s *allForOne) HandleFailure(_ *actor.ActorSystem, supervisor actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason, message any) {
	n, escalated := s.fail(supervisor, child, rs, reason, message)
	if escalated {
		return
	}
	s.restarting(child, reason, 0, n)
	supervisor.RestartChildren(supervisor.Children()...)
}
