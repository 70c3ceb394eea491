package app_test

import (
	"errors"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/karafkatest"
	"github.com/karafka-actors/karafka-actors/params"

	"github.com/karafka-actors/karafka-actors/examples/repositories/app"
)

func newApp(t *testing.T) *karafka.App {
	t.Helper()
	a, err := karafka.New(karafka.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Register(a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRoutes_respondAsTheIssueSays(t *testing.T) {
	a := newApp(t)
	cases := []struct {
		name, topic, in string
		want            map[string]string
	}{
		{"created", app.RepositoriesCreated, `{"id":7}`, map[string]string{"sources_created": `{"repository_id":7}`}},
		{"deleted", app.RepositoriesDeleted, `{"id":8}`, map[string]string{"sources_deleted": `{"repository_id":8}`}},
		{"updated", app.RepositoriesUpdated, `{"id":9}`, map[string]string{"sources_updated": `{"repository_id":9}`}},
		{"reachable", app.SourcesRefresh, `{"id":3,"reachable":true}`, map[string]string{"sources_refreshed": `{"source_id":3}`}},
		{"unreachable", app.SourcesRefresh, `{"id":4,"reachable":false}`, map[string]string{"sources_disconnected": `{"source_id":4}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := karafkatest.AppRoute(t, a, c.topic)
			resolved := r.Resolved()
			if want := resolved.ControllerName[:len(resolved.ControllerName)-len("Controller")] + "Responder"; resolved.ResponderName != want {
				t.Errorf("responder %s not found by naming convention (want %s)", resolved.ResponderName, want)
			}
			res := r.One(karafkatest.Value(c.in))
			got := map[string]string{}
			for _, m := range res.Produced {
				got[m.Topic] = string(m.Value)
			}
			if res.Err != nil || len(got) != len(c.want) {
				t.Fatalf("produced %v, err %v", got, res.Err)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestRoutes_badInputIsDeadLetteredAtOnce(t *testing.T) {
	cases := []struct {
		name, in string
		is       error
	}{
		{"missing id", `{"name":"x"}`, app.ErrMissingID},
		{"malformed JSON", `{"id":`, params.ErrParse},
	}
	r := karafkatest.AppRoute(t, newApp(t), app.RepositoriesCreated)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := r.One(karafkatest.Value(c.in))
			if !errors.Is(res.Err, c.is) || res.DeadLetter == nil {
				t.Fatalf("err %v, dead letter %v", res.Err, res.DeadLetter)
			}
			if v, _ := res.DeadLetter.Header(karafka.HeaderAttempts); v != "1" {
				t.Errorf("attempts %q: a permanent error is not retried", v)
			}
		})
	}
}
