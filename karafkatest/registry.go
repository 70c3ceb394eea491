package karafkatest

import (
	"testing"

	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// StartRegistry starts a schema registry for one test on a random loopback
// port and returns its base URL, for schema_registry.urls (an app's
// karafka.Config.SchemaRegistry.URLs). It is package embedded's: franz-go's
// in-memory srfake answering Confluent's REST API, with the compatibility
// of Avro schemas checked as a registry does (an incompatible version is
// refused with HTTP 409; Protobuf and JSON Schema are not checked). It is
// closed, and its schemas dropped, when t ends.
func StartRegistry(t testing.TB) string {
	t.Helper()
	r, err := embedded.StartRegistry("127.0.0.1:0")
	if err != nil {
		t.Fatalf("karafkatest: %v", err)
	}
	t.Cleanup(r.Close)
	return r.URL()
}

// NewRegistry returns a client of a registry StartRegistry started for t:
// for a route's Parser (Parser), a responder topic's schema (TopicName and
// the other strategies, WithSchema), the test's records (Register, then
// Schema.Encode) and what it checks (Decode). It asks for a subject's
// latest version every time (schemas.Config.SubjectTTL 0), so a version
// the test registered another way is seen at once.
func NewRegistry(t testing.TB) *schemas.Registry {
	t.Helper()
	cfg := schemas.DefaultConfig()
	cfg.URLs = []string{StartRegistry(t)}
	cfg.SubjectTTL = 0
	reg, err := schemas.New(cfg)
	if err != nil {
		t.Fatalf("karafkatest: %v", err)
	}
	return reg
}
