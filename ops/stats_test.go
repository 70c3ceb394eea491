package ops

import (
	"strings"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/topology"
)

// routedApp is a fakeApp with routes.
type routedApp struct {
	fakeApp
	routes []topology.Resolved
}

func (r *routedApp) Routes() ([]topology.Resolved, error) { return r.routes, nil }

// series returns the series of h's registry, each as name{label="value",...}
// with labels sorted by name.
func series(t *testing.T, h *Handler) map[string]bool {
	t.Helper()
	fams, err := h.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, l.GetName()+`="`+l.GetValue()+`"`)
			}
			out[f.GetName()+"{"+strings.Join(ls, ",")+"}"] = true
		}
	}
	return out
}

// TestStats_exportsOnlySeriesThatCanMove: a response topic has no dead
// letter series and a dead letter topic no responses series; failed
// attempts of the producer at start-up (no group) make no series with an
// empty group; a route without a dead letter topic has no dead_lettered
// outcome. What can move is exported.
func TestStats_exportsOnlySeriesThatCanMove(t *testing.T) {
	app := &routedApp{fakeApp: fakeApp{st: karafka.State{}, bus: events.NewBus(nil)}, routes: []topology.Resolved{
		{Route: topology.Route{Topic: "in", Group: "g"}, DeadLetter: "in_dlq"},
		{Route: topology.Route{Topic: "plain", Group: "g2"}},
	}}
	h := newHandler(app, WithoutRuntimeCollectors())
	defer h.Close()
	for _, e := range []events.Event{
		{Kind: events.MessageConsumed, Topic: "in", Group: "g", Partition: 0},
		{Kind: events.MessageConsumed, Topic: "plain", Group: "g2", Partition: 0},
		{Kind: events.ResponseProduced, Topic: "in", Group: "g", Partition: 0, Destination: "out"},
		{Kind: events.ProduceFailed, Topic: "in", Group: "g", Partition: 0, Destination: "out"},
		{Kind: events.MessageDeadLettered, Topic: "in", Group: "g", Partition: 0, Destination: "in_dlq"},
		{Kind: events.BrokerUnreachable, Attempt: 1},
		{Kind: events.BrokerUnreachable, Group: "g2", Attempt: 1},
	} {
		h.stats.handle(e)
	}
	got := series(t, h)
	for _, want := range []string{
		`karafka_responses_produced_total{group="g",route="in",topic="out"}`,
		`karafka_produce_errors_total{group="g",route="in",topic="out"}`,
		`karafka_dead_letters_total{group="g",route="in",topic="in_dlq"}`,
		`karafka_broker_unreachable_total{group="g2"}`,
		`karafka_messages_processed_total{group="g",outcome="dead_lettered",partition="0",topic="in"}`,
		`karafka_messages_processed_total{group="g2",outcome="ok",partition="0",topic="plain"}`,
	} {
		if !got[want] {
			t.Errorf("missing %s", want)
		}
	}
	for _, never := range []string{
		`karafka_dead_letters_total{group="g",route="in",topic="out"}`,
		`karafka_responses_produced_total{group="g",route="in",topic="in_dlq"}`,
		`karafka_produce_errors_total{group="g",route="in",topic="in_dlq"}`,
		`karafka_broker_unreachable_total{group=""}`,
		`karafka_messages_processed_total{group="g2",outcome="dead_lettered",partition="0",topic="plain"}`,
	} {
		if got[never] {
			t.Errorf("exports %s, which can never move", never)
		}
	}
}
