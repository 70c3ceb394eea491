package supervision

import "github.com/asynkron/protoactor-go/actor"

// stopping stops a failed child and never restarts it.
type stopping struct {
	onStop func(child *actor.PID, reason any)
}

var _ actor.SupervisorStrategy = (*stopping)(nil)

// Stopping returns a strategy that stops every child that fails (or
// escalates), after calling onStop (when not nil) with the child and the
// reason. It is the guardian of a top-level supervisor whose giving up must
// be final: protoactor's default guardian restarts top-level actors.
// Spawn with actor.WithGuardian(Stopping(...)).
func Stopping(onStop func(child *actor.PID, reason any)) actor.SupervisorStrategy {
	return &stopping{onStop: onStop}
}

func (s *stopping) HandleFailure(_ *actor.ActorSystem, supervisor actor.Supervisor, child *actor.PID, _ *actor.RestartStatistics, reason, _ any) {
	if s.onStop != nil {
		s.onStop(child, reason)
	}
	supervisor.StopChildren(child)
}
