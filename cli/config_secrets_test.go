package cli

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A secret key's value is never printed back, whatever its error: a
// password given as a number was echoed in the type error.
func TestLoad_neverPrintsASecretValue(t *testing.T) {
	for _, text := range []string{
		"kafka:\n  sasl:\n    password: 98765432109\n",
		"kafka:\n  sasl:\n    password: [98765432109]\n",
		"kafka:\n  sasl:\n    password: {p: 98765432109}\n",
		"kafka:\n  sasl:\n    password: true\n    mechanism: 98765432109\n",
	} {
		_, err := Load("x", Sources{File: writeFile(t, text)})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "kafka.sasl.password") || !strings.Contains(err.Error(), "(config file ") {
			t.Fatalf("%q: Load = %v; want an error naming kafka.sasl.password", text, err)
		}
		if strings.Contains(err.Error(), "98765432109") && !strings.Contains(text, "mechanism") {
			t.Fatalf("%q: Load = %v; the secret is printed", text, err)
		}
		if strings.Contains(text, "mechanism") && strings.Count(err.Error(), "98765432109") != 1 {
			// mechanism is not secret: its value is shown, the password's not.
			t.Fatalf("%q: Load = %v; want the mechanism's value only", text, err)
		}
	}
}

// Credentials in a URL-valued key are redacted wherever it is printed:
// `info`, the start-up log and errors.
func TestOTLPEndpoint_credentialsRedacted(t *testing.T) {
	const endpoint = "https://alice:s3cr3t@collector.example:4318/v1/traces?api_key=t0k3n"
	s, err := Load("x", Sources{Set: []string{"tracing.otlp_endpoint=" + endpoint}})
	if err != nil {
		t.Fatal(err)
	}
	var info []string
	for _, kv := range s.Values() {
		info = append(info, kv[0]+" = "+kv[1])
	}
	var log bytes.Buffer
	announceTracing(slog.New(slog.NewTextHandler(&log, nil)), s)
	_, bad := Load("x", Sources{Set: []string{"tracing.otlp_endpoint=ftp://alice:s3cr3t@collector.example/?api_key=t0k3n"}})
	_, unparsable := Load("x", Sources{Env: []string{"KARAFKA_TRACING_OTLP_ENDPOINT=http://alice:s3cr3t@collector.example:43%1"}})
	for what, out := range map[string]string{"info": strings.Join(info, "\n"), "log": log.String(), "error": fmt.Sprint(bad), "unparsable": fmt.Sprint(unparsable)} {
		if strings.Contains(out, "s3cr3t") || strings.Contains(out, "t0k3n") || strings.Contains(out, "alice") {
			t.Errorf("%s prints the credentials: %s", what, out)
		}
		if !strings.Contains(out, "collector.example") {
			t.Errorf("%s does not name the host: %s", what, out)
		}
	}
	if !strings.Contains(fmt.Sprint(bad), "tracing.otlp_endpoint (flag): ") || !strings.Contains(fmt.Sprint(unparsable), "tracing.otlp_endpoint (env KARAFKA_TRACING_OTLP_ENDPOINT): ") {
		t.Errorf("errors do not name the key and source:\n%v\n%v", bad, unparsable)
	}
}

// A file that is not a karafka-actors config (here /etc/shadow's format,
// whose lines YAML reads as keys) is not printed back: a few unknown keys
// that look like config keys are named, then how many more there are.
func TestLoad_foreignFileNotEchoed(t *testing.T) {
	var shadow strings.Builder
	for i := range 30 {
		fmt.Fprintf(&shadow, "user%d:$6$SALT%d$HASHHASH%d:19000:0:99999:7:::\n", i, i, i)
	}
	var many strings.Builder
	for i := range 30 {
		fmt.Fprintf(&many, "key_%d: v\n", i)
	}
	tests := []struct {
		name, text string
		shown      int
		want       string
	}{
		{"shadow", shadow.String(), 0, "30 unknown keys not shown; is this a karafka-actors config file?"},
		{"many unknown keys", many.String(), 5, "and 25 more unknown keys; is this a karafka-actors config file?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("x", Sources{File: writeFile(t, tt.text)})
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v; want %q", err, tt.want)
			}
			for _, secret := range []string{"$6$", "HASH", "SALT", "user", "hash", "salt"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("Load = %v; prints %q", err, secret)
				}
			}
			if n := strings.Count(err.Error(), "unknown key;"); n != tt.shown {
				t.Fatalf("Load = %v; %d unknown keys named, want %d", err, n, tt.shown)
			}
		})
	}
}

// A config file that does not parse is reported by line and reason, never
// with its content: anchors, tags, duplicate keys and values are not
// quoted, and formats other than YAML, JSON and TOML (whose parsers quote
// lines, such as dotenv's) are refused before the file is read.
func TestLoad_fileErrorsDoNotQuoteTheFile(t *testing.T) {
	tests := []struct{ name, file, text, want string }{
		{"anchor", "c.yaml", "a: *SECRETANCHOR\n", "line 1: YAML syntax error"},
		{"tag", "c.yaml", "name: !!int SECRETVALUE\n", "config file "},
		{"duplicate key", "c.yaml", "SECRETKEY: a\nSECRETKEY: b\n", "config file "},
		{"top level not a mapping", "c.yaml", "SECRETVALUE SECRETVALUE\n", "config file "},
		{"unclosed quote", "c.yaml", "name: x\nkafka:\n  sasl:\n    password: \"SECRETVALUE\n", "line 4: YAML syntax error"},
		{"json", "c.json", "{\"name\": SECRETVALUE}", "config file "},
		{"toml", "c.toml", "name = SECRETVALUE\n", "config file "},
		{"dotenv", "c.env", "root:SECRETVALUE:1:2\n", `extension ".env" is not supported (use .yaml, .yml, .json or .toml)`},
		{"no extension", "shadow", "root:SECRETVALUE:1:2\n", `extension "" is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load("x", Sources{File: path})
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Load = %v; want ErrConfig naming the file and %q", err, tt.want)
			}
			if strings.Contains(strings.ToUpper(err.Error()), "SECRET") {
				t.Fatalf("Load = %v; quotes the file", err)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "",
		"http://127.0.0.1:4318":         "http://127.0.0.1:4318",
		"http://u:p@h:4318/v1/traces":   "http://******@h:4318/v1/traces",
		"https://token@h":               "https://******@h",
		"http://h/p?api_key=k&x=1":      "http://h/p?******",
		"http://u:p@ss@h:1/x":           "http://******@h:1/x",
		"http://u:p@h:4%zz":             "http://******@h:4%zz",
		"u:p@h:4318":                    "******@h:4318",
		"http://h:1/?a=b%zz":            "http://h:1/?******",
		"http://u:p%zz@h:1/path?secret": "http://******@h:1/path?******",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
