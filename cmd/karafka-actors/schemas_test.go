package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// The binary finds the registry in KARAFKA_SCHEMA_REGISTRY_URLS as in any
// other source of schema_registry.urls, and without one the schemas
// commands exit 2 naming the key.
func TestSchemas_registryFromTheEnvironment(t *testing.T) {
	fake := srfake.New()
	defer fake.Close()
	file := filepath.Join(t.TempDir(), "user.avsc")
	schema := `{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}`
	if err := os.WriteFile(file, []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"KARAFKA_SCHEMA_REGISTRY_URLS=" + fake.URL()}

	r := run(t, env, "", "schemas", "register", "users-value", "--file", file)
	if r.code != 0 || r.stdout != "subject users-value: version 1, id 1\n" {
		t.Fatalf("schemas register: %+v", r)
	}
	r = run(t, env, "", "schemas", "list")
	if want := "SUBJECT      VERSION  ID  TYPE\nusers-value  1        1   avro\n"; r.code != 0 || r.stdout != want {
		t.Fatalf("schemas list: %+v, want stdout %q", r, want)
	}
	r = run(t, env, "", "schemas", "check", "users-value", "--file", file)
	if r.code != 0 || r.stdout != "compatible with subject users-value\n" {
		t.Fatalf("schemas check: %+v", r)
	}

	r = run(t, nil, "", "schemas", "list")
	if want := "karafka-actors: schemas list needs a schema registry: schema_registry.urls is not set"; r.code != 2 || !strings.HasPrefix(r.stderr, want) {
		t.Fatalf("schemas list without a registry: %+v, want exit 2 and %q", r, want)
	}
}
