package app_test

import (
	"context"
	"errors"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"

	"github.com/karafka-actors/karafka-actors/examples/repositories/app"
)

// perform runs a route's controller and responder in memory.
func perform(t *testing.T, r topology.Resolved, payload string) (map[string]string, error) {
	t.Helper()
	p, err := params.New(params.Metadata{Topic: r.Topic}, []byte(payload), r.Parser)
	if err != nil {
		return nil, err
	}
	ctx := controllers.NewContext(context.Background(), p, nil)
	if err := r.Controller().Perform(ctx); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, args := range ctx.Responses() {
		msgs, err := responders.Deliver(r.Responder(), args...)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			out[m.Topic] = string(m.Value)
		}
	}
	return out, nil
}

func TestRoutes_respondAsTheIssueSays(t *testing.T) {
	a, err := karafka.New(karafka.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Register(a); err != nil {
		t.Fatal(err)
	}
	routes, err := a.Routes()
	if err != nil {
		t.Fatal(err)
	}
	byTopic := map[string]topology.Resolved{}
	for _, r := range routes {
		byTopic[r.Topic] = r
		if r.ResponderName != r.ControllerName[:len(r.ControllerName)-len("Controller")]+"Responder" {
			t.Errorf("%s: responder %s not found by naming convention", r.Topic, r.ResponderName)
		}
	}
	cases := []struct {
		topic, in string
		want      map[string]string
	}{
		{"repositories_created", `{"id":7}`, map[string]string{"sources_created": `{"repository_id":7}`}},
		{"repositories_deleted", `{"id":8}`, map[string]string{"sources_deleted": `{"repository_id":8}`}},
		{"repositories_updated", `{"id":9}`, map[string]string{"sources_updated": `{"repository_id":9}`}},
		{"sources_refresh", `{"id":3,"reachable":true}`, map[string]string{"sources_refreshed": `{"source_id":3}`}},
		{"sources_refresh", `{"id":4,"reachable":false}`, map[string]string{"sources_disconnected": `{"source_id":4}`}},
	}
	for _, tc := range cases {
		got, err := perform(t, byTopic[tc.topic], tc.in)
		if err != nil || len(got) != len(tc.want) {
			t.Errorf("%s %s: %v %v", tc.topic, tc.in, got, err)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("%s %s: %s = %q, want %q", tc.topic, tc.in, k, got[k], v)
			}
		}
	}
	if _, err := perform(t, byTopic["repositories_created"], `{"name":"x"}`); !errors.Is(err, app.ErrMissingID) || !supervision.IsPermanent(err) {
		t.Errorf("missing id: %v", err)
	}
	if _, err := perform(t, byTopic["repositories_created"], `{"id":`); err == nil {
		t.Error("malformed JSON accepted")
	}
}
