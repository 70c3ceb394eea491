package karafkatest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/karafkatest"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// User is the Avro record of the users topic, UserCreated that of the
// responses (hamba/avro `avro` tags).
type User struct {
	ID    int64  `avro:"id"`
	Email string `avro:"email"`
}

type UserCreated struct {
	ID    int64  `avro:"id"`
	Email string `avro:"email"`
}

const (
	userSchema        = `{"type":"record","name":"User","namespace":"app","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}`
	userCreatedSchema = `{"type":"record","name":"UserCreated","namespace":"app","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}`
)

// An Avro route in memory: the route reads records in the registry's wire
// format and its responder topic encodes with a schema it registers.
func ExampleNewRegistry() {
	t := &testing.T{} // in a test, the test's own *testing.T
	reg := karafkatest.NewRegistry(t)
	route := karafka.Route{
		Topic:  "users",
		Parser: reg.Parser(schemas.Avro),
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(c *karafka.Context) error {
				var u User
				if err := c.Params.Decode(&u); err != nil {
					return err
				}
				c.RespondWith(u)
				return nil
			})
		},
		Responder: func() karafka.Responder {
			return karafka.NewResponder([]karafka.Topic{
				karafka.Required("users_created").WithSchema(reg.TopicName().Register(schemas.Avro, userCreatedSchema)),
			}, func(out *karafka.Output, args ...any) error {
				u := args[0].(User)
				out.RespondTo("users_created", UserCreated{ID: u.ID, Email: strings.ToLower(u.Email)})
				return nil
			})
		},
	}

	// The record as a producer would write it: registered, then encoded.
	ctx := context.Background()
	s, err := reg.Register(ctx, "users-value", schemas.Avro, userSchema)
	if err != nil {
		t.Fatal(err)
	}
	value, err := s.Encode(User{ID: 1, Email: "Ada@Example.com"})
	if err != nil {
		t.Fatal(err)
	}

	res := karafkatest.NewRoute(t, route).Feed(
		karafkatest.Record{Value: value},
		karafkatest.Value(`{"id":2}`).At(0, 1), // not in the wire format: dead-lettered
	)
	out := res[0].Produced[0]
	created, schema, err := reg.Decode(ctx, out.Value)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(out.Topic, schema.Name(), created)
	fmt.Println(res[1].DeadLetter.Topic)
	// Output:
	// users_created app.UserCreated map[email:ada@example.com id:1]
	// users_dlq
}
