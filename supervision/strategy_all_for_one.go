package supervision

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
)

// allForOne restarts every child when one fails.
type allForOne struct{ limiter }

var _ actor.SupervisorStrategy = (*allForOne)(nil)

// HandleFailure restarts every child of supervisor. Each restart is
// reported (Hooks.OnRestart): the failed child with its reason, each
// sibling with a *SiblingFailure naming it, so that restarts are counted
// per actor restarted, not per failure.
func (s *allForOne) HandleFailure(_ *actor.ActorSystem, supervisor actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason, message any) {
	n, escalated := s.fail(supervisor, child, rs, reason, message)
	if escalated {
		return
	}
	children := supervisor.Children()
	s.restarting(child, reason, 0, n)
	for _, c := range children {
		if !c.Equal(child) {
			s.restarting(c, &SiblingFailure{Sibling: child, Reason: reason}, 0, n)
		}
	}
	supervisor.RestartChildren(children...)
}

// SiblingFailure is the reason of a restart an all_for_one supervisor
// orders because another of its children (Sibling) failed with Reason.
type SiblingFailure struct {
	Sibling *actor.PID
	Reason  any
}

func (e *SiblingFailure) Error() string {
	return fmt.Sprintf("restarted with its sibling %s (all_for_one), which failed: %v", e.Sibling.Id, e.Reason)
}

// Unwrap returns the sibling's reason when it is an error.
func (e *SiblingFailure) Unwrap() error {
	err, _ := e.Reason.(error)
	return err
}
