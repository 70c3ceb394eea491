package cli

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite configs/karafka.yaml")

// configs/karafka.yaml documents every key with its default, and loads to
// exactly the defaults.
func TestConfigYAML_documentsEveryKeyWithItsDefault(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteConfigYAML(&buf, "karafka_app"); err != nil {
		t.Fatal(err)
	}
	const path = "../configs/karafka.yaml"
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, buf.Bytes()) {
		t.Fatalf("%s is out of date; run go test ./cli -update\n%s", path, buf.String())
	}
	got, err := Load("karafka_app", Sources{File: path})
	if err != nil {
		t.Fatal(err)
	}
	if want := DefaultSettings("karafka_app"); !reflect.DeepEqual(got, want) {
		t.Fatalf("the file does not load to the defaults:\n%+v\n%+v", got, want)
	}
	for _, k := range Keys() {
		last := k[strings.LastIndexByte(k, '.')+1:]
		if !strings.Contains(string(file), last+":") {
			t.Errorf("%s not documented", k)
		}
	}
}

func TestLoad_precedenceAndErrors(t *testing.T) {
	s, err := Load("x", Sources{Env: []string{"KARAFKA_RETRY_ATTEMPTS=5", "KARAFKA_TEST_BROKERS=ignored:1", "PATH=/bin"}, Set: []string{"retry.attempts=7", "kafka.brokers=a:1, b:2"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Retry.Attempts != 7 || !reflect.DeepEqual(s.Kafka.Brokers, []string{"a:1", "b:2"}) || s.Name != "x" {
		t.Fatalf("%+v", s)
	}
	_, err = Load("x", Sources{Set: []string{"log.level=loud", "retry.attempts=-1", "nope=1"}})
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("not ErrConfig: %v", err)
	}
	for _, want := range []string{"log.level", "allowed: debug, info, warn, error", "nope (flag): unknown key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

// NaN is refused when the value is read, for every number key: the backoff
// of an unused supervision strategy is not validated, so
// supervision.backoff.multiplier=NaN loaded (found by FuzzLoad_env's seeds:
// the loaded settings did not load again to themselves, NaN != NaN).
func TestLoad_refusesNaN(t *testing.T) {
	tests := []struct {
		name string
		src  Sources
		want string
	}{
		{name: "env", src: Sources{Env: []string{"KARAFKA_SUPERVISION_BACKOFF_MULTIPLIER=NaN"}},
			want: `supervision.backoff.multiplier (env KARAFKA_SUPERVISION_BACKOFF_MULTIPLIER): "NaN" is not a number`},
		{name: "flag", src: Sources{Set: []string{"supervision.backoff.jitter=nan"}},
			want: `supervision.backoff.jitter (flag): "nan" is not a number`},
		{name: "file", src: Sources{File: writeFile(t, "supervision:\n  backoff:\n    multiplier: .nan\n")},
			want: "supervision.backoff.multiplier (config file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("x", tt.src)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v; want ErrConfig containing %q", err, tt.want)
			}
		})
	}
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "karafka.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
