package topology

import "github.com/karafka-actors/karafka-actors/supervision"

// describeSupervisor describes c for the graph. The backoff is the restart
// delay of the exponential_backoff strategy; other strategies restart at once.
func describeSupervisor(c supervision.Config) Supervisor {
	s := Supervisor{Strategy: string(c.Strategy), MaxRestarts: c.MaxRestarts, Within: c.Within.String()}
	if c.Strategy == supervision.ExponentialBackoff {
		b := describeBackoff(c.Backoff)
		s.Backoff = &b
	}
	return s
}
