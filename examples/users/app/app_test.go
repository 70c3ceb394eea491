package app_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/karafkatest"

	"github.com/karafka-actors/karafka-actors/examples/users/app"
)

func newApp(t *testing.T, cfg karafka.Config) *karafka.App {
	t.Helper()
	a, err := karafka.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Register(a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestUsersCreate(t *testing.T) {
	r := karafkatest.AppRoute(t, newApp(t, karafka.DefaultConfig()), app.UsersCreate)
	if name := r.Resolved().ResponderName; name != "UsersCreateResponder" {
		t.Fatalf("responder %q", name)
	}
	cases := []struct {
		name     string
		in       string
		topics   []string
		filtered bool
	}{
		{"premium user", `{"id":1,"email":"a@b.c","premium":true}`, []string{app.UsersCreated, app.UsersPremiumCreated}, false},
		{"regular user", `{"id":2,"email":"a@b.c","premium":false}`, []string{app.UsersCreated}, false},
		{"no email", `{"id":3,"premium":true}`, nil, true},
		{"empty email", `{"id":4,"email":"","premium":true}`, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := r.One(karafkatest.Value(c.in))
			if res.Err != nil || res.Filtered != c.filtered {
				t.Fatalf("filtered %v err %v", res.Filtered, res.Err)
			}
			var topics []string
			for _, m := range res.Produced {
				topics = append(topics, m.Topic)
				var u app.User
				m.JSON(t, &u)
				if want := fmt.Sprint(u.ID); string(m.Key) != want || !strings.Contains(c.in, `"id":`+want) {
					t.Errorf("%s: user %d keyed %q, want the input's id", m.Topic, u.ID, m.Key)
				}
			}
			if !slices.Equal(topics, c.topics) {
				t.Errorf("topics %v, want %v", topics, c.topics)
			}
		})
	}
}

func TestUsersCreate_malformedIsDeadLettered(t *testing.T) {
	r := karafkatest.AppRoute(t, newApp(t, karafka.DefaultConfig()), app.UsersCreate)
	res := r.One(karafkatest.Value(`{"id":`))
	if res.DeadLetter == nil || res.DeadLetter.Topic != app.UsersCreate+"_dlq" {
		t.Fatalf("not dead-lettered: %+v", res)
	}
}

func TestUsersCreate_endToEnd(t *testing.T) {
	karafkatest.VerifyNoLeaks(t)
	k := karafkatest.StartBroker(t)
	k.Run(t, newApp(t, k.Config()))
	createsTwoUsersOnePremium(t, k)
}

// createsTwoUsersOnePremium produces three users_create inputs (one
// premium, one without an email, which is filtered) and checks the
// answers: two users_created, one users_premium_created.
func createsTwoUsersOnePremium(t *testing.T, k *karafkatest.Broker) {
	t.Helper()
	k.Produce(t, app.UsersCreate,
		karafkatest.JSON(t, app.User{ID: 1, Email: "a@b.c", Premium: true}),
		karafkatest.JSON(t, app.User{ID: 2}), // filtered: no email
		karafkatest.JSON(t, app.User{ID: 3, Email: "c@d.e"}),
	)
	created := k.Wait(t, app.UsersCreated, 2)
	premium := k.Wait(t, app.UsersPremiumCreated, 1)
	var u app.User
	created[1].JSON(t, &u)
	if len(created) != 2 || u.ID != 3 || string(premium[0].Key) != "1" {
		t.Fatalf("created %v, premium %v", created, premium)
	}
}

// The example runs exactly-once by configuration alone
// (processing.guarantee, here set on the config; KARAFKA_PROCESSING_GUARANTEE
// or --set processing.guarantee=exactly_once for the binary): every route
// runs exactly-once, and the answers are the same, read read_committed.
func TestUsersCreate_endToEndExactlyOnce(t *testing.T) {
	karafkatest.VerifyNoLeaks(t)
	k := karafkatest.StartBroker(t)
	cfg := k.Config()
	cfg.Processing.Guarantee = karafka.ExactlyOnce
	a := newApp(t, cfg)
	routes, err := a.Routes()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		if r.Guarantee != karafka.ExactlyOnce {
			t.Fatalf("route %s runs %s, want exactly_once", r.Topic, r.Guarantee)
		}
	}
	k.Run(t, a)
	createsTwoUsersOnePremium(t, k)
}
