package karafkatest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/karafkatest"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// avroUsers is ExampleNewRegistry's route with the registry reg.
func avroUsers(reg *schemas.Registry) karafka.Route {
	return karafka.Route{
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
}

// encodeUser registers the users topic's schema in reg and encodes u with it.
func encodeUser(t *testing.T, reg *schemas.Registry, u User) []byte {
	t.Helper()
	s, err := reg.Register(context.Background(), "users-value", schemas.Avro, userSchema)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Encode(u)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeCreated decodes a users_created value with reg.
func decodeCreated(t *testing.T, reg *schemas.Registry, value []byte) string {
	t.Helper()
	v, s, err := reg.Decode(context.Background(), value)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(s.Subject, " ", v)
}

// The registry of NewRegistry checks compatibility as a registry does: a
// responder topic whose schema is incompatible with its subject's latest
// version makes the record wait (blocked), saying why, and a record not
// in the wire format is a parse error.
func TestNewRegistry_avroRoute(t *testing.T) {
	karafkatest.VerifyNoLeaks(t)
	reg := karafkatest.NewRegistry(t)
	r := karafkatest.NewRoute(t, avroUsers(reg))
	res := r.Feed(karafkatest.Record{Value: encodeUser(t, reg, User{ID: 1, Email: "Ada@Example.com"})}, karafkatest.Value(`{"id":2}`))
	if got := decodeCreated(t, reg, res[0].Produced[0].Value); got != "users_created-value map[email:ada@example.com id:1]" {
		t.Errorf("response: %s", got)
	}
	if res[1].DeadLetter == nil || !errors.Is(res[1].Err, params.ErrParse) || !errors.Is(res[1].Err, schemas.ErrWireFormat) {
		t.Errorf("a record not in the wire format: %+v", res[1])
	}

	// Another registry whose users_created-value holds a version the
	// responder's schema cannot read (its email has no default).
	reg2 := karafkatest.NewRegistry(t)
	if _, err := reg2.Register(context.Background(), "users_created-value", schemas.Avro,
		`{"type":"record","name":"UserCreated","namespace":"app","fields":[{"name":"id","type":"long"}]}`); err != nil {
		t.Fatal(err)
	}
	res = karafkatest.NewRoute(t, avroUsers(reg2)).Feed(karafkatest.Record{Value: encodeUser(t, reg2, User{ID: 3, Email: "b@c.d"})})
	// The deployment's fault, not the record's: it waits (Blocked), with
	// the registry's reason, and is not dead-lettered.
	if !res[0].Blocked || res[0].DeadLetter != nil || !errors.Is(res[0].Err, schemas.ErrIncompatible) || !errors.Is(res[0].Err, schemas.ErrUnavailable) {
		t.Fatalf("an incompatible responder schema: %+v", res[0])
	}
	if why := res[0].Err.Error(); !strings.Contains(why, "reader field email is missing in writer schema and has no default") {
		t.Errorf("the error does not say why: %q", why)
	}
}

// An app on a broker gets a registry's URL from StartRegistry: its
// App.Schemas reads the records and encodes the responses.
func TestStartRegistry_appOnABroker(t *testing.T) {
	karafkatest.VerifyNoLeaks(t)
	k := karafkatest.StartBroker(t)
	cfg := k.Config()
	cfg.SchemaRegistry.URLs = []string{karafkatest.StartRegistry(t)}
	app, err := karafka.New(cfg, karafka.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	reg := app.Schemas()
	app.Route(avroUsers(reg))
	k.Run(t, app)
	k.Produce(t, "users", karafkatest.Record{Value: encodeUser(t, reg, User{ID: 7, Email: "Eve@Example.com"})})
	got := k.Wait(t, "users_created", 1)
	if v := decodeCreated(t, reg, got[0].Value); v != "users_created-value map[email:eve@example.com id:7]" {
		t.Errorf("response: %s", v)
	}
}
