package ops

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/actors"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/topology"
)

// fakeApp serves a fixed State.
type fakeApp struct {
	st     karafka.State
	bus    *events.Bus
	routes []topology.Resolved
	client string // Config's kafka.client; "": the default
}

func (f *fakeApp) State() karafka.State                 { return f.st }
func (f *fakeApp) Events() *events.Bus                  { return f.bus }
func (f *fakeApp) Routes() ([]topology.Resolved, error) { return f.routes, nil }
func (f *fakeApp) Config() karafka.Config {
	c := karafka.DefaultConfig()
	if f.client != "" {
		c.Kafka.Client = f.client
	}
	return c
}

// stateOf is the State karafka.App.State would return for phase and groups.
func stateOf(phase karafka.Phase, halted bool, groups ...actors.GroupState) karafka.State {
	st := karafka.State{Phase: phase, Groups: groups, Alive: phase != karafka.PhaseStopped && !halted}
	st.Ready = phase == karafka.PhaseRunning && !halted && len(groups) > 0
	for _, g := range groups {
		st.Ready = st.Ready && g.Joined
	}
	return st
}

func TestHandler_probes(t *testing.T) {
	joined := actors.GroupState{Group: "g1", Connected: true, Joined: true}
	joining := actors.GroupState{Group: "g2", Connected: true}
	offline := actors.GroupState{Group: "g3"}
	missing := actors.GroupState{Group: "g4", Connected: true, MissingTopics: []string{"a", "b"}}
	tests := []struct {
		name            string
		st              karafka.State
		healthz, readyz int
		why             string
	}{
		{"new", stateOf(karafka.PhaseNew, false), 200, 503, "new"},
		{"starting (Kafka unreachable)", stateOf(karafka.PhaseStarting, false), 200, 503, "starting"},
		{"running, a group joining", stateOf(karafka.PhaseRunning, false, joined, joining), 200, 503, "joining group: g2"},
		{"running, a group disconnected", stateOf(karafka.PhaseRunning, false, joined, offline), 200, 503, "not connected to Kafka: g3"},
		{"running, a group's topics missing", stateOf(karafka.PhaseRunning, false, joined, missing), 200, 503,
			"group g4 cannot join: topics a, b do not exist (create them: the topics create command, or kafka.create_topics: true)"},
		{"running, every group joined", stateOf(karafka.PhaseRunning, false, joined), 200, 200, "ready"},
		{"supervision gave up", stateOf(karafka.PhaseRunning, true, joined), 503, 503, "supervision gave up"},
		{"stopping", stateOf(karafka.PhaseStopping, false, joined), 200, 503, "stopping"},
		{"stopped", stateOf(karafka.PhaseStopped, false), 503, 503, "stopped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(&fakeApp{st: tt.st, bus: events.NewBus(nil)}, WithoutRuntimeCollectors())
			defer h.Close()
			for path, want := range map[string]int{"/healthz": tt.healthz, "/readyz": tt.readyz} {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != want {
					t.Errorf("%s: %d %q, want %d", path, rec.Code, rec.Body.String(), want)
				}
				if path == "/readyz" && !strings.Contains(rec.Body.String(), tt.why) {
					t.Errorf("/readyz says %q, want it to name %q", rec.Body.String(), tt.why)
				}
			}
		})
	}
}
