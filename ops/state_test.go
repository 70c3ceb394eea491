package ops

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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

// /api/state, /api/topology and the page's initial documents name the
// Kafka client the App runs on.
func TestHandler_namesTheKafkaClient(t *testing.T) {
	route := topology.Resolved{}
	route.Topic, route.Group = "in", "g"
	st := stateOf(karafka.PhaseRunning, false)
	st.Client = "franz"
	h := newHandler(&fakeApp{st: st, bus: events.NewBus(nil), routes: []topology.Resolved{route}, client: "franz"}, WithoutRuntimeCollectors())
	defer h.Close()
	get := func(path string) string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, body)
		}
		return string(body)
	}
	for _, path := range []string{"/api/state", "/api/topology"} {
		var doc struct {
			Client *string `json:"client"`
		}
		body := get(path)
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("%s: %v: %s", path, err, body)
		}
		if doc.Client == nil || *doc.Client != "franz" {
			t.Errorf("%s: client %v, want \"franz\":\n%s", path, doc.Client, body)
		}
	}
	if page := get("/"); strings.Count(page, `"client":"franz"`)+strings.Count(page, `"client": "franz"`) != 2 {
		t.Errorf("the page's initial topology and state do not both name the client:\n%s", page)
	}
}

// /api/state says which partitions an operator paused, and counts a record
// an operator skipped without a dead letter topic as processed, under its
// own outcome.
func TestHandler_stateShowsOperatorActions(t *testing.T) {
	route := topology.Resolved{}
	route.Topic, route.Group = "in", "g"
	st := stateOf(karafka.PhaseRunning, false)
	st.Partitions = []karafka.PartitionState{{Topic: "in", Group: "g", Partition: 0, OperatorPaused: true}, {Topic: "in", Group: "g", Partition: 1}}
	app := &fakeApp{st: st, bus: events.NewBus(nil), routes: []topology.Resolved{route}}
	h := newHandler(app, WithoutRuntimeCollectors())
	defer h.Close()
	app.bus.Publish(events.Event{Kind: events.MessageProcessed, Topic: "in", Group: "g", Partition: 1, Outcome: events.OutcomeSkipped})

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/state", nil))
	var doc struct {
		Partitions []map[string]any `json:"partitions"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	if len(doc.Partitions) != 2 || doc.Partitions[0]["operator_paused"] != true || doc.Partitions[1]["operator_paused"] != false {
		t.Fatalf("partitions %v, want operator_paused true for partition 0 only", doc.Partitions)
	}
	if n := doc.Partitions[1]["processed"]; n != float64(1) {
		t.Errorf("partition 1 processed %v, want 1 (the skipped record)", n)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if want := `karafka_messages_processed_total{group="g",outcome="skipped",partition="1",topic="in"} 1`; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("metrics lack %s", want)
	}
}
