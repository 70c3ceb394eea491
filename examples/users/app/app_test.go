package app_test

import (
	"context"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"

	"github.com/karafka-actors/karafka-actors/examples/users/app"
)

func TestUsersCreate(t *testing.T) {
	a, _ := karafka.New(karafka.DefaultConfig())
	if err := app.Register(a); err != nil {
		t.Fatal(err)
	}
	routes, err := a.Routes()
	if err != nil {
		t.Fatal(err)
	}
	r := routes[0]
	if r.ResponderName != "UsersCreateResponder" {
		t.Fatalf("responder %q", r.ResponderName)
	}
	for _, tc := range []struct {
		in     string
		topics []string
	}{
		{`{"id":1,"email":"a@b.c","premium":true}`, []string{"users_created", "users_premium_created"}},
		{`{"id":2,"email":"a@b.c","premium":false}`, []string{"users_created"}},
		{`{"id":3,"premium":true}`, nil}, // filtered
		{`{"id":4,"email":"","premium":true}`, nil},
	} {
		p, err := params.New(params.Metadata{Topic: r.Topic}, []byte(tc.in), r.Parser)
		if err != nil {
			t.Fatal(err)
		}
		pass := true
		for _, f := range r.BeforeFilters {
			pass = pass && f(p)
		}
		var topics []string
		if pass {
			ctx := controllers.NewContext(context.Background(), p, nil)
			if err := r.Controller().Perform(ctx); err != nil {
				t.Fatal(err)
			}
			msgs, err := responders.Deliver(r.Responder(), ctx.Responses()[0]...)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				topics = append(topics, m.Topic)
			}
		}
		if len(topics) != len(tc.topics) || (len(topics) > 0 && topics[0] != tc.topics[0]) {
			t.Errorf("%s: topics %v, want %v", tc.in, topics, tc.topics)
		}
	}
}
