package karafka_test

import (
	"errors"
	"strings"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// A route that reads or writes through the schema registry of an app that
// configured none fails validation, before anything connects, naming the key.
func TestApp_schemasWithoutARegistryFailValidation(t *testing.T) {
	app, err := karafka.New(karafka.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	app.Route(karafka.Route{
		Topic:      "users",
		Parser:     app.Schemas().Parser(schemas.Avro),
		Controller: func() karafka.Controller { return karafka.ControllerFunc(func(*karafka.Context) error { return nil }) },
		Responder: func() karafka.Responder {
			return karafka.NewResponder([]karafka.Topic{karafka.Required("users_created").WithSchema(app.Schemas().TopicName())},
				func(*karafka.Output, ...any) error { return nil })
		},
	})
	err = app.Validate()
	if !errors.Is(err, schemas.ErrNotConfigured) {
		t.Fatalf("Validate = %v, want ErrNotConfigured", err)
	}
	for _, want := range []string{`parser "avro"`, `topic "users_created"`, "schema_registry.urls"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// A bad registry config is refused by New, naming each key.
func TestConfig_schemaRegistryKeysAreValidated(t *testing.T) {
	cfg := karafka.DefaultConfig()
	cfg.SchemaRegistry.URLs = []string{"ftp://registry:8081", "http://user:pw@registry:8081"}
	cfg.SchemaRegistry.Username = "u"
	cfg.SchemaRegistry.Timeout = 0
	_, err := karafka.New(cfg)
	if !errors.Is(err, karafka.ErrInvalidConfig) || !errors.Is(err, schemas.ErrInvalidConfig) {
		t.Fatalf("New = %v", err)
	}
	for _, want := range []string{"schema_registry.urls", "ftp://registry:8081", "holds credentials", "schema_registry.username", "schema_registry.timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), ":pw@") {
		t.Errorf("error %q shows the password", err)
	}
}

// A responder topic declaring a schema that does not compile fails
// validation, naming the topic and the compiler's complaint.
func TestApp_responderSchemaThatDoesNotCompileFailsValidation(t *testing.T) {
	cfg := karafka.DefaultConfig()
	cfg.SchemaRegistry.URLs = []string{"http://127.0.0.1:1"} // never reached: validation compiles locally
	app, err := karafka.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app.Route(karafka.Route{
		Topic:      "users",
		Controller: func() karafka.Controller { return karafka.ControllerFunc(func(*karafka.Context) error { return nil }) },
		Responder: func() karafka.Responder {
			return karafka.NewResponder([]karafka.Topic{karafka.Required("users_created").
				WithSchema(app.Schemas().TopicName().Register(schemas.Avro, `{"type":"record","name":"U","fields":[{"name":"id","type":"lng"}]}`))},
				func(*karafka.Output, ...any) error { return nil })
		},
	})
	err = app.Validate()
	if !errors.Is(err, schemas.ErrInvalidSchema) || !strings.Contains(err.Error(), `topic "users_created"`) || !strings.Contains(err.Error(), "lng") {
		t.Fatalf("Validate = %v, want ErrInvalidSchema naming the topic and the type", err)
	}
}
