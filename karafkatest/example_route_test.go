package karafkatest_test

import (
	"fmt"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/karafkatest"
)

func ExampleNewRoute() {
	t := &testing.T{} // in a test, the test's own *testing.T
	route := karafka.Route{
		Topic: "users",
		BeforeFilters: []karafka.BeforeFilter{func(p *karafka.Params) bool {
			email, _ := p.String("email")
			return email != ""
		}},
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(c *karafka.Context) error {
				var u struct {
					ID    int    `json:"id"`
					Email string `json:"email"`
				}
				if err := c.Params.Decode(&u); err != nil {
					return err
				}
				c.RespondWith(u.ID, u.Email)
				return nil
			})
		},
		Responder: func() karafka.Responder {
			return karafka.NewResponder([]karafka.Topic{karafka.Required("users_created")},
				func(out *karafka.Output, args ...any) error {
					out.RespondTo("users_created", map[string]any{"id": args[0], "email": args[1]},
						karafka.Key(fmt.Sprint(args[0])))
					return nil
				})
		},
	}

	r := karafkatest.NewRoute(t, route)
	res := r.Feed(
		karafkatest.Value(`{"id":1,"email":"a@example.com"}`),
		karafkatest.Value(`{"id":2}`),        // no email: filtered
		karafkatest.Value(`{"id":`).At(0, 2), // malformed: dead-lettered
	)

	var created struct {
		ID    int    `json:"id"`
		Email string `json:"email"`
	}
	out := res[0].Produced[0]
	out.JSON(t, &created)
	fmt.Println(out.Topic, string(out.Key), created.ID, created.Email)
	fmt.Println("filtered:", res[1].Filtered)
	dead := res[2].DeadLetter
	offset, _ := dead.Header(karafka.HeaderOriginOffset)
	attempts, _ := dead.Header(karafka.HeaderAttempts)
	fmt.Println(dead.Topic, "offset", offset, "attempts", attempts)
	// Output:
	// users_created 1 1 a@example.com
	// filtered: true
	// users_dlq offset 2 attempts 1
}
