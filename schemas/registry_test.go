package schemas_test

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/schemas"
)

func quickConfig(url string) schemas.Config {
	cfg := schemas.DefaultConfig()
	cfg.URLs = []string{url}
	cfg.Retries, cfg.Backoff, cfg.Timeout = 1, 5*time.Millisecond, time.Second
	return cfg
}

// Basic auth: the right credentials read; wrong ones are an outage with an
// error naming the keys to check (waiting beats dead-lettering every record
// while a password is wrong).
func TestRegistry_basicAuth(t *testing.T) {
	fake := srfake.New(srfake.WithAuth("Basic " + base64.StdEncoding.EncodeToString([]byte("app:s3cret"))))
	t.Cleanup(fake.Close)
	id, _, err := fake.RegisterSchema("users-value", sr.Schema{Schema: userAvro, Type: sr.TypeAvro})
	if err != nil {
		t.Fatal(err)
	}
	cfg := quickConfig(fake.URL())
	cfg.Username, cfg.Password = "app", "s3cret"
	reg, err := schemas.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.SchemaByID(context.Background(), id); err != nil {
		t.Fatalf("with the right password: %v", err)
	}
	cfg.Password = "wrong"
	bad, _ := schemas.New(cfg)
	_, err = bad.SchemaByID(context.Background(), id)
	if !errors.Is(err, schemas.ErrUnavailable) || !errors.Is(err, params.ErrUnavailable) || !strings.Contains(err.Error(), "schema_registry.password") {
		t.Fatalf("wrong password: %v", err)
	}
}

// TLS: a registry whose certificate the configured CA signed is read; the
// same registry without the CA fails as unavailable, naming the cause.
func TestRegistry_tls(t *testing.T) {
	fake := srfake.NewRegistry()
	srv := httptest.NewTLSServer(fake.Handler())
	t.Cleanup(srv.Close)
	id, _, err := fake.RegisterSchema("users-value", sr.Schema{Schema: userAvro, Type: sr.TypeAvro})
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := quickConfig(srv.URL)
	cfg.TLS.Enabled, cfg.TLS.CAFile = true, ca
	reg, err := schemas.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.SchemaByID(context.Background(), id); err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	untrusted, _ := schemas.New(quickConfig(srv.URL))
	if _, err := untrusted.SchemaByID(context.Background(), id); !errors.Is(err, schemas.ErrUnavailable) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without the CA: %v", err)
	}
	cfg.TLS.CAFile = filepath.Join(t.TempDir(), "missing.pem")
	if _, err := schemas.New(cfg); !errors.Is(err, schemas.ErrInvalidConfig) || !strings.Contains(err.Error(), "schema_registry.tls.ca_file") {
		t.Fatalf("a missing CA file: %v", err)
	}
}

// A schema deleted for good is unknown to a reader that never saw it: its
// records are malformed (dead-lettered), not waiting. A reader that read it
// before keeps it.
func TestRegistry_schemaDeletedForGood(t *testing.T) {
	fake := srfake.New()
	t.Cleanup(fake.Close)
	before, err := schemas.New(quickConfig(fake.URL()))
	if err != nil {
		t.Fatal(err)
	}
	s, err := before.Register(context.Background(), "users-value", schemas.Avro, userAvro)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.Encode(map[string]any{"id": 1})
	if err != nil {
		t.Fatal(err)
	}
	// srfake keeps a hard-deleted schema by id; Confluent's registry
	// answers 404 with error code 40403, as here.
	fake.Intercept(func(w http.ResponseWriter, req *http.Request) bool {
		if !strings.HasPrefix(req.URL.Path, "/schemas/ids/") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error_code":40403,"message":"Schema not found"}`))
		return true
	})
	after, _ := schemas.New(quickConfig(fake.URL()))
	err = after.Parser().Check(raw)
	if !errors.Is(err, schemas.ErrUnknownSchema) || !errors.Is(err, params.ErrParse) {
		t.Fatalf("a schema deleted for good: %v", err)
	}
	if err := before.Parser().Check(raw); err != nil {
		t.Fatalf("a reader that kept the schema: %v", err)
	}
	// A second ask within unknownTTL is answered without the registry.
	fake.Close()
	if err := after.Parser().Check(raw); !errors.Is(err, schemas.ErrUnknownSchema) {
		t.Fatalf("the unknown id again, registry gone: %v", err)
	}
}

// A URL that is not the registry's base (a 404 with no registry error
// code) is a configuration problem to wait on, never a reason to
// dead-letter.
func TestRegistry_wrongBaseURLWaits(t *testing.T) {
	fake := srfake.New()
	t.Cleanup(fake.Close)
	reg, _ := schemas.New(quickConfig(fake.URL() + "/not/the/registry"))
	_, err := reg.SchemaByID(context.Background(), 1)
	if !errors.Is(err, schemas.ErrUnavailable) || errors.Is(err, schemas.ErrUnknownSchema) || !strings.Contains(err.Error(), "base URL") {
		t.Fatalf("wrong base URL: %v", err)
	}
}

// A declared schema the registry refuses as incompatible is the
// deployment's fault: every value waits (ErrUnavailable, naming the subject
// and the registry's reason), none is dead-lettered as not fitting.
func TestWriter_refusedSchemaWaits(t *testing.T) {
	fake := srfake.New()
	t.Cleanup(fake.Close)
	fake.Intercept(func(w http.ResponseWriter, req *http.Request) bool {
		if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/versions") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(`{"error_code":409,"message":"reader field status is missing in writer schema and has no default"}`))
		return true
	})
	reg, _ := schemas.New(quickConfig(fake.URL()))
	w := reg.TopicName().Register(schemas.Avro, userAvro)
	if err := w.Usable(); err != nil {
		t.Fatalf("a schema that compiles is usable: %v", err)
	}
	_, err := w.Encode("users", map[string]any{"id": 1})
	if !errors.Is(err, schemas.ErrUnavailable) || !errors.Is(err, params.ErrUnavailable) || !errors.Is(err, schemas.ErrIncompatible) || errors.Is(err, responders.ErrSchema) {
		t.Fatalf("Encode = %v, want a wait naming the refusal", err)
	}
	for _, want := range []string{`subject "users-value"`, "status is missing", "compatibility level"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
