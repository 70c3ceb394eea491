package karafka

import (
	"time"

	"github.com/karafka-actors/karafka-actors/actors"
)

// Phase is where an App is in its life cycle.
type Phase int32

// The phases of an App, in order. An App only moves forward.
const (
	// PhaseNew: Run was not called yet.
	PhaseNew Phase = iota
	// PhaseStarting: Run creates topics, connects and starts the actor tree.
	PhaseStarting
	// PhaseRunning: the actor tree runs (Ready is closed).
	PhaseRunning
	// PhaseStopping: Shutdown was called, Run's context ended or
	// supervision gave up; in-flight messages are drained.
	PhaseStopping
	// PhaseStopped: Run returned.
	PhaseStopped
)

var phaseNames = [...]string{"new", "starting", "running", "stopping", "stopped"}

// String returns "new", "starting", "running", "stopping" or "stopped".
func (p Phase) String() string {
	if p >= 0 && int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return "unknown"
}

// setPhase moves the app forward to p (never back).
func (a *App) setPhase(p Phase) {
	for {
		cur := a.phase.Load()
		if cur >= int32(p) || a.phase.CompareAndSwap(cur, int32(p)) {
			return
		}
	}
}

// State is a snapshot of an App: where it is in its life cycle, whether it
// is alive and ready, and its consumer groups and claimed partitions.
type State struct {
	Name string
	// Client is the Kafka client library the App runs on: Config.Kafka.Client,
	// "sarama" or "franz".
	Client string
	Time   time.Time
	Phase  Phase
	// Alive: Run has not returned (or was not called yet) and supervision
	// has not given up. What a liveness probe asks.
	Alive bool
	// Ready: running, not stopping, every consumer-group membership
	// joined its group (connected to Kafka, in a session, not rebalancing),
	// and no partition is stuck (PartitionState.Stuck). What a readiness
	// probe asks.
	Ready bool
	// Groups and Partitions are empty unless the actor tree was started.
	Groups     []GroupState
	Partitions []PartitionState
}

// GroupState is one consumer group of a running App: its topics and
// whether it is connected and joined.
type GroupState = actors.GroupState

// PartitionState is one claimed partition of a running App: its offsets,
// lag, in-flight messages and whether it is paused or stuck.
type PartitionState = actors.PartitionState

// State returns a snapshot of the App; it may be called at any time, from
// any goroutine, and costs nothing on the message path.
func (a *App) State() State {
	st := State{Name: a.cfg.Name, Client: a.cfg.Kafka.Client, Time: time.Now(), Phase: Phase(a.phase.Load())}
	halted := false
	if st.Phase >= PhaseStarting && st.Phase < PhaseStopped {
		if rt := a.rt.Load(); rt != nil {
			rs := rt.State()
			st.Groups, st.Partitions, halted = rs.Groups, rs.Partitions, rs.Halted
			if rs.Stopping {
				st.Phase = max(st.Phase, PhaseStopping)
			}
		}
	}
	st.Alive = st.Phase != PhaseStopped && !halted
	st.Ready = st.Phase == PhaseRunning && !halted && len(st.Groups) > 0
	for _, g := range st.Groups {
		st.Ready = st.Ready && g.Joined
	}
	for _, p := range st.Partitions {
		st.Ready = st.Ready && p.Stuck == ""
	}
	return st
}
