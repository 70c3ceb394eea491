package ops

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/topology"
)

// /api/state counts the three ways a message finishes apart: ok,
// filtered and dead-lettered, with processed their sum.
func TestHandler_stateCountsOutcomesApart(t *testing.T) {
	route := topology.Resolved{DeadLetter: "in_dlq"}
	route.Topic, route.Group = "in", "g"
	app := &fakeApp{st: stateOf(karafka.PhaseRunning, false), bus: events.NewBus(nil), routes: []topology.Resolved{route}}
	h := newHandler(app, WithoutRuntimeCollectors())
	defer h.Close()

	publish := func(n int, e events.Event) {
		e.Topic, e.Group = "in", "g"
		for range n {
			app.bus.Publish(e)
		}
	}
	publish(5, events.Event{Kind: events.MessageProcessed, Outcome: events.OutcomeOK})
	publish(2, events.Event{Kind: events.MessageProcessed, Outcome: events.OutcomeFiltered})
	publish(1, events.Event{Kind: events.MessageDeadLettered, Destination: "in_dlq"})
	publish(1, events.Event{Kind: events.MessageProcessed, Outcome: events.OutcomeDeadLettered})

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/state", nil))
	var st struct {
		Routes     []map[string]any `json:"routes"`
		Partitions []map[string]any `json:"partitions"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	if len(st.Routes) != 1 || len(st.Partitions) != 1 {
		t.Fatalf("routes %v, partitions %v; want one of each", st.Routes, st.Partitions)
	}
	want := map[string]float64{"processed": 8, "ok": 5, "filtered": 2, "dead_letters": 1}
	for what, doc := range map[string]map[string]any{"route": st.Routes[0], "partition": st.Partitions[0]} {
		for field, n := range want {
			if got, ok := doc[field].(float64); !ok || got != n {
				t.Errorf("%s %s: %v, want %v", what, field, doc[field], n)
			}
		}
	}
}
