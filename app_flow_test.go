package karafka_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// The seed's flow, as in Karafka 0.5's announcement.
type RepositoriesCreatedController struct{}

func (RepositoriesCreatedController) Perform(c *karafka.Context) error {
	id, ok := c.Params.Int("id")
	if !ok {
		return errors.New("no id")
	}
	c.RespondWith(id)
	return nil
}

type SourcesRefreshController struct{}

func (SourcesRefreshController) Perform(c *karafka.Context) error {
	var in struct {
		ID        int64 `json:"id"`
		Reachable bool  `json:"reachable"`
	}
	if err := c.Params.Decode(&in); err != nil {
		return err
	}
	c.RespondWith(in.ID, in.Reachable)
	return nil
}

func TestApp_seedFlow(t *testing.T) {
	brokers := testkafka.Brokers(t)
	created, sources := testkafka.Name(t, "repositories_created"), testkafka.Name(t, "sources_created")
	refresh, refreshed, disconnected := testkafka.Name(t, "sources_refresh"), testkafka.Name(t, "sources_refreshed"), testkafka.Name(t, "sources_disconnected")
	testkafka.CreateTopics(t, brokers, 2, created, sources, refresh, refreshed, disconnected)

	cfg := testConfig(t, brokers)
	app, err := karafka.New(cfg, karafka.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	// The first route finds its responder by naming convention through the registry.
	if err := app.Registry().Register("RepositoriesCreatedResponder", func() karafka.Responder {
		return karafka.NewResponder([]karafka.Topic{karafka.Required(sources)}, func(out *karafka.Output, args ...any) error {
			out.RespondTo(sources, map[string]any{"repository_id": args[0]})
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	routes := []karafka.Route{
		{Topic: created, Controller: func() karafka.Controller { return RepositoriesCreatedController{} }},
		{Topic: refresh, Controller: func() karafka.Controller { return SourcesRefreshController{} },
			Responder: func() karafka.Responder {
				return karafka.NewResponder([]karafka.Topic{karafka.Optional(refreshed), karafka.Optional(disconnected)},
					func(out *karafka.Output, args ...any) error {
						body := map[string]any{"source_id": args[0]}
						if args[1].(bool) {
							out.RespondTo(refreshed, body)
						} else {
							out.RespondTo(disconnected, body)
						}
						return nil
					})
			}},
	}
	resolved, err := app.Route(routes...).Routes()
	if err != nil {
		t.Fatal(err)
	}
	if resolved[0].ResponderName != "RepositoriesCreatedResponder" {
		t.Fatalf("responder by convention: got %q", resolved[0].ResponderName)
	}

	testkafka.Produce(t, brokers, created, testkafka.Record{Value: `{"id": 7}`}, testkafka.Record{Value: `{"id": 8}`})
	testkafka.Produce(t, brokers, refresh, testkafka.Record{Value: `{"id": 1, "reachable": true}`},
		testkafka.Record{Value: `{"id": 2, "reachable": false}`}, testkafka.Record{Value: `{"id": 3, "reachable": true}`})

	r := runApp(t, app)
	got := testkafka.Consume(t, brokers, sources, 2, 30*time.Second)
	if ids := field(t, got, "repository_id"); !sameSet(ids, "7", "8") {
		t.Fatalf("sources_created: got repository ids %v, want 7 and 8 once each", ids)
	}
	if ids := field(t, testkafka.Consume(t, brokers, refreshed, 2, 30*time.Second), "source_id"); !sameSet(ids, "1", "3") {
		t.Fatalf("sources_refreshed: got %v, want 1 and 3", ids)
	}
	if ids := field(t, testkafka.Consume(t, brokers, disconnected, 1, 30*time.Second), "source_id"); !sameSet(ids, "2") {
		t.Fatalf("sources_disconnected: got %v, want 2", ids)
	}
	r.shutdown(t)
	// Everything is committed after a clean shutdown.
	for p, off := range testkafka.Committed(t, brokers, cfg.Name+"_"+refresh, refresh) {
		if off < 0 {
			t.Errorf("partition %d of %s has no committed offset", p, refresh)
		}
	}
}

func field(t *testing.T, msgs []*sarama.ConsumerMessage, key string) []string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		out = append(out, fmt.Sprint(decode(t, m)[key]))
	}
	return out
}

func sameSet(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	count := map[string]int{}
	for _, g := range got {
		count[g]++
	}
	for _, w := range want {
		if count[w] != 1 {
			return false
		}
	}
	return true
}
