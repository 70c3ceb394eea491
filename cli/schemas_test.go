package cli_test

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/embedded"
)

const orderAvro = `{"type": "record", "name": "Order", "namespace": "com.acme", "fields": [
  {"name": "id", "type": "long"},
  {"name": "item", "type": "string"},
  {"name": "note", "type": ["null", "string"], "default": null}]}
`

// orderAvroV2 adds a field with a default: a backward compatible change.
const orderAvroV2 = `{"type": "record", "name": "Order", "namespace": "com.acme", "fields": [
  {"name": "id", "type": "long"},
  {"name": "item", "type": "string"},
  {"name": "note", "type": ["null", "string"], "default": null},
  {"name": "qty", "type": "int", "default": 1}]}
`

const addressAvro = `{"type": "record", "name": "Address", "namespace": "com.acme", "fields": [{"name": "city", "type": "string"}]}`

const customerAvro = `{"type": "record", "name": "Customer", "namespace": "com.acme", "fields": [
  {"name": "name", "type": "string"}, {"name": "home", "type": "com.acme.Address"}]}`

// runCLI runs the CLI with args and stdin and returns its exit code, stdout
// and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := cli.New("t", nil, onTestClient)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetIn(strings.NewReader(stdin))
	code := cli.ExecuteArgs(cmd, args, &errb)
	return code, out.String(), errb.String()
}

// schemaFile writes text to a file name of a temporary directory.
func schemaFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeRegistry is an in-memory registry, closed with the test.
func fakeRegistry(t *testing.T) *srfake.Registry {
	t.Helper()
	fake := srfake.New()
	t.Cleanup(fake.Close)
	return fake
}

// A schema registered with `schemas register` is listed, shown by subject,
// version and id, with its references, and checked for compatibility: a
// compatible schema exits 0, an incompatible one 1 with the registry's
// reasons, one that does not compile 2 naming the file.
func TestSchemasCommand_registerListShowCheck(t *testing.T) {
	t.Parallel()
	fake := fakeRegistry(t)
	reg := "--registry=" + fake.URL()
	order, orderV2 := schemaFile(t, "order.avsc", orderAvro), schemaFile(t, "order2.avsc", orderAvroV2)
	run := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		code, stdout, stderr := runCLI(t, "", append(args, reg)...)
		if code != wantCode {
			t.Fatalf("%q: exit %d, want %d; stdout %q, stderr %q", args, code, wantCode, stdout, stderr)
		}
		return stdout, stderr
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"orders-value", "--file", order}, "subject orders-value: version 1, id 1\n"},
		{[]string{"orders-value", "--file", order}, "subject orders-value: version 1, id 1\n"}, // found, not added
		{[]string{"orders-value", "--file", orderV2}, "subject orders-value: version 2, id 2\n"},
		{[]string{"address-value", "--file", schemaFile(t, "address.avsc", addressAvro)}, "subject address-value: version 1, id 3\n"},
		{[]string{"customer-value", "--file", schemaFile(t, "customer.avsc", customerAvro), "--reference", "com.acme.Address=address-value:1"},
			"subject customer-value: version 1, id 4\n"},
	} {
		if got, _ := run(0, append([]string{"schemas", "register"}, tc.args...)...); got != tc.want {
			t.Errorf("register %q printed %q, want %q", tc.args, got, tc.want)
		}
	}

	list, _ := run(0, "schemas", "list")
	wantList := "SUBJECT         VERSION  ID  TYPE\n" +
		"address-value   1        3   avro\n" +
		"customer-value  1        4   avro\n" +
		"orders-value    2        2   avro\n"
	if list != wantList {
		t.Errorf("schemas list:\n%s\nwant:\n%s", list, wantList)
	}
	listJSON, _ := run(0, "schemas", "list", "--format", "json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(listJSON), &rows); err != nil || len(rows) != 3 ||
		rows[2]["subject"] != "orders-value" || rows[2]["version"] != 2.0 || rows[2]["id"] != 2.0 || rows[2]["type"] != "avro" {
		t.Errorf("schemas list --format json: %v\n%s", err, listJSON)
	}

	show, _ := run(0, "schemas", "show", "orders-value")
	if want := "subject: orders-value\nversion: 2\nid: 2\ntype: avro\n\n{\n  \"type\": \"record\",\n  \"name\": \"Order\","; !strings.HasPrefix(show, want) ||
		!strings.Contains(show, "\n      \"default\": 1\n    }\n  ]\n}\n") {
		t.Errorf("schemas show orders-value:\n%s\nwant it to start with:\n%s", show, want)
	}
	if show, _ := run(0, "schemas", "show", "orders-value", "--version", "1"); !strings.HasPrefix(show, "subject: orders-value\nversion: 1\nid: 1\n") || strings.Contains(show, "qty") {
		t.Errorf("schemas show orders-value --version 1:\n%s", show)
	}
	if show, _ := run(0, "schemas", "show", "--id", "1"); !strings.HasPrefix(show, "id: 1\ntype: avro\n\n{\n  \"type\": \"record\"") {
		t.Errorf("schemas show --id 1:\n%s", show)
	}
	if show, _ := run(0, "schemas", "show", "customer-value"); !strings.Contains(show, "\nreference: com.acme.Address=address-value:1\n\n{") {
		t.Errorf("schemas show customer-value lists no reference:\n%s", show)
	}
	var shown struct {
		Subject    string
		Version    int
		ID         int
		Format     string `json:"type"`
		References []struct {
			Name, Subject string
			Version       int
		}
		Schema string
	}
	showJSON, _ := run(0, "schemas", "show", "customer-value", "-f", "json")
	if err := json.Unmarshal([]byte(showJSON), &shown); err != nil || shown.Subject != "customer-value" || shown.Version != 1 || shown.ID != 4 ||
		shown.Format != "avro" || len(shown.References) != 1 || shown.References[0].Subject != "address-value" || shown.Schema != customerAvro {
		t.Errorf("schemas show --format json: %v %+v\n%s", err, shown, showJSON)
	}
	if _, stderr := run(1, "schemas", "show", "nosuch-value"); !strings.Contains(stderr, "subject not found") || !strings.Contains(stderr, "nosuch-value") {
		t.Errorf("show of a missing subject: %q", stderr)
	}

	if out, _ := run(0, "schemas", "check", "orders-value", "--file", orderV2); out != "compatible with subject orders-value\n" {
		t.Errorf("check printed %q", out)
	}
	fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/compatibility/") {
			return false
		}
		w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		w.Write([]byte(`{"is_compatible":false,"messages":["reader field 'qty' has no default value"]}`))
		return true
	})
	out, stderr := run(1, "schemas", "check", "orders-value", "--file", orderV2)
	if out != "" || !strings.Contains(stderr, `incompatible with the subject "orders-value": reader field 'qty' has no default value`) {
		t.Errorf("incompatible check: stdout %q, stderr %q", out, stderr)
	}
	fake.ClearInterceptors()

	// Files that do not compile: usage errors naming the file (and the
	// line and column of a JSON syntax error); nothing is registered.
	notJSON := schemaFile(t, "bad.avsc", "{\"type\": \"record\",\n  \"name\": \"X\"\n  \"fields\": []}")
	unknownType := schemaFile(t, "unknown.avsc", `{"type": "record", "name": "X", "fields": [{"name": "a", "type": "lng"}]}`)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "bad-value", "--file", notJSON}, notJSON + `:3:3: not JSON (avro schemas are JSON documents): invalid character '"' after object key:value pair`},
		{[]string{"register", "bad-value", "--file", notJSON}, notJSON + ":3:3: not JSON"},
		{[]string{"check", "bad-value", "--file", unknownType}, unknownType + ": schemas: invalid schema: avro: avro: unknown type: lng"},
		{[]string{"register", "bad-value", "--file", unknownType}, unknownType + ": schemas: invalid schema"},
		{[]string{"register", "bad-value", "--file", filepath.Join(t.TempDir(), "missing.avsc")}, "missing.avsc: no such file"},
		{[]string{"register", "bad-value", "--file", schemaFile(t, "empty.avsc", " \n")}, "empty.avsc: empty: no schema"},
		{[]string{"register", "customer2-value", "--file", schemaFile(t, "c.avsc", customerAvro), "--reference", "com.acme.Address=nosuch-value:1"},
			`reference "com.acme.Address" (subject "nosuch-value" version 1)`},
	} {
		_, stderr := run(cli.ExitUsage, append([]string{"schemas"}, tc.args...)...)
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("schemas %q: stderr %q, want it to name %q", tc.args, stderr, tc.want)
		}
	}
	if fake.SubjectExists("bad-value") || fake.SubjectExists("customer2-value") {
		t.Error("a schema that does not compile reached the registry")
	}
}

// Flags and arguments that cannot work are refused before the registry is
// asked.
func TestSchemasCommand_refusesBadFlags(t *testing.T) {
	t.Parallel()
	file := schemaFile(t, "order.avsc", orderAvro)
	// No registry listens there: these are refused before any request.
	reg := "--registry=http://127.0.0.1:1"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"show"}, "give a SUBJECT (see `schemas list`) or --id ID"},
		{[]string{"show", "s", "--id", "1"}, "give SUBJECT or --id ID, not both"},
		{[]string{"show", "--id", "1", "--version", "2"}, "--version picks a version of SUBJECT"},
		{[]string{"show", "--id", "0"}, "--id 0: want a schema id"},
		{[]string{"show", "s", "--version", "first"}, `--version "first": want a version number, 1 or more, or latest`},
		{[]string{"show", "s", "--format", "yaml"}, `--format "yaml" is not allowed (allowed: text, json)`},
		{[]string{"list", "--format", "yaml"}, `--format "yaml" is not allowed`},
		{[]string{"register", "s", "--type", "avro"}, "--file is required"},
		{[]string{"check", "s", "--file", file, "--type", "xml"}, `--type "xml": want avro, protobuf or jsonschema`},
		{[]string{"register", "s", "--file", file, "--format", "avro"}, "unknown flag: --format"},
		{[]string{"register", "s", "--file", file, "--reference", "noequals"}, `--reference "noequals": want NAME=SUBJECT:VERSION`},
		{[]string{"register", "s", "--file", file, "--type", "avro", "--reference", "a=b:latest"}, `--reference "a=b:latest": version "latest": want a version number`},
		{[]string{"register", "--file", file}, "accepts 1 arg(s), received 0"},
	} {
		code, _, stderr := runCLI(t, "", append(append([]string{"schemas"}, tc.args...), reg)...)
		if code != cli.ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("schemas %q: exit %d, stderr %q; want exit 2 naming %q", tc.args, code, stderr, tc.want)
		}
	}
}

// Without schema_registry.urls every command that needs a registry exits
// 2 naming the key, before connecting to anything.
func TestSchemasCommand_needsARegistry(t *testing.T) {
	t.Parallel()
	file := schemaFile(t, "order.avsc", orderAvro)
	for _, args := range [][]string{
		{"schemas", "list"},
		{"schemas", "show", "s"},
		{"schemas", "register", "s", "--file", file},
		{"schemas", "check", "s", "--file", file, "--type", "avro"},
		{"produce", "t", "--schema", file, "--brokers=127.0.0.1:1"},
		{"produce", "t", "--subject", "s", "--brokers=127.0.0.1:1"},
		{"consume", "t", "--schema", "--brokers=127.0.0.1:1"},
	} {
		code, _, stderr := runCLI(t, "{}\n", args...)
		if code != cli.ExitUsage || !strings.Contains(stderr, "needs a schema registry: schema_registry.urls is not set") || !strings.Contains(stderr, "--registry URL") {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 naming schema_registry.urls", args, code, stderr)
		}
	}
}

// A registry that refuses connections, or that never answers, fails every
// command with exit 1 naming its URL, within the configured timeout and
// retries.
func TestSchemasCommand_registryDown(t *testing.T) {
	t.Parallel()
	closed := fakeRegistry(t)
	closedURL := closed.URL()
	closed.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	silentURL := "http://" + ln.Addr().String()

	file := schemaFile(t, "order.avsc", orderAvro)
	for _, url := range []string{closedURL, silentURL} {
		for _, args := range [][]string{
			{"schemas", "list"},
			{"schemas", "show", "s"},
			{"schemas", "show", "--id", "1"},
			{"schemas", "register", "s", "--file", file},
			{"schemas", "check", "s", "--file", file},
			{"produce", "t", "--schema", file, "--brokers=127.0.0.1:1"},
			{"produce", "t", "--subject", "s", "--brokers=127.0.0.1:1"},
		} {
			start := time.Now()
			code, _, stderr := runCLI(t, "{}\n", append(args, "--registry", url,
				"--set", "schema_registry.timeout=300ms", "--set", "schema_registry.retries=1", "--set", "schema_registry.backoff=10ms")...)
			took := time.Since(start)
			want := "schema registry " + url + " (schema_registry.urls) unavailable, tried 2 time(s) with a 300ms timeout"
			if code != cli.ExitFailure || !strings.Contains(stderr, want) {
				t.Errorf("%q on %s: exit %d, stderr %q; want exit 1 and %q", args, url, code, stderr, want)
			}
			// 2 tries of at most 300ms, 10ms apart, and slack for -race.
			if took > 5*time.Second {
				t.Errorf("%q on %s took %v", args, url, took)
			}
		}
	}
}

// A schema the registry holds that does not compile here is still listed
// and shown, from the registry's answer, with a warning.
func TestSchemasCommand_showsWhatDoesNotCompile(t *testing.T) {
	t.Parallel()
	fake := fakeRegistry(t)
	fake.SeedSchema("odd-value", 1, 7, sr.Schema{Schema: `{"type":"nosuch"}`, Type: sr.TypeAvro})
	code, stdout, stderr := runCLI(t, "", "schemas", "list", "--registry", fake.URL())
	if code != 0 || stdout != "SUBJECT    VERSION  ID  TYPE\nodd-value  1        7   avro\n" || !strings.Contains(stderr, "warning: schema id 7: schemas: invalid schema") {
		t.Errorf("list: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "", "schemas", "show", "--id", "7", "--registry", fake.URL())
	if code != 0 || stdout != "id: 7\ntype: avro\n\n{\n  \"type\": \"nosuch\"\n}\n" || !strings.Contains(stderr, "unknown type: nosuch") {
		t.Errorf("show --id: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

const userJSONSchema = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "User",
  "type": "object",
  "properties": {"id": {"type": "integer"}, "email": {"type": "string", "format": "email"}},
  "required": ["id"],
  "additionalProperties": false
}`

// JSON Schema goes through the same commands: registered, listed and
// shown as jsonschema; a document that is not a schema, or not JSON, exits
// 2 naming the file.
func TestSchemasCommand_jsonSchema(t *testing.T) {
	t.Parallel()
	fake := fakeRegistry(t)
	reg := "--registry=" + fake.URL()
	file := schemaFile(t, "user.json", userJSONSchema)
	code, stdout, stderr := runCLI(t, "", "schemas", "register", "users-value", "--file", file, reg)
	if code != 0 || stdout != "subject users-value: version 1, id 1\n" {
		t.Fatalf("register: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "", "schemas", "list", reg)
	if code != 0 || stdout != "SUBJECT      VERSION  ID  TYPE\nusers-value  1        1   jsonschema\n" {
		t.Errorf("list: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "", "schemas", "show", "users-value", reg)
	if want := "subject: users-value\nversion: 1\nid: 1\ntype: jsonschema\n\n{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n  \"title\": \"User\","; code != 0 || !strings.HasPrefix(stdout, want) {
		t.Errorf("show: exit %d, stdout %q, stderr %q; want it to start with %q", code, stdout, stderr, want)
	}
	code, stdout, stderr = runCLI(t, "", "schemas", "check", "users-value", "--file", file, "--type", "json", reg)
	if code != 0 || stdout != "compatible with subject users-value\n" {
		t.Errorf("check: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	notSchema := schemaFile(t, "bad.json", `{"type": 12}`)
	notJSON := schemaFile(t, "worse.json", "{\n  \"type\": \"object\",\n}")
	for file, want := range map[string]string{
		notSchema: notSchema + ": schemas: invalid schema: jsonschema: ",
		notJSON:   notJSON + ":3:1: not JSON (jsonschema schemas are JSON documents): invalid character '}'",
	} {
		code, _, stderr := runCLI(t, "", "schemas", "check", "users-value", "--file", file, reg)
		if code != cli.ExitUsage || !strings.Contains(stderr, want) {
			t.Errorf("check %s: exit %d, stderr %q; want exit 2 and %q", file, code, stderr, want)
		}
	}
}

// Against a registry that checks compatibility (the embedded one, for
// Avro), check reports an incompatible version with the registry's
// reasons and register is refused it: exit 1 both.
func TestSchemasCommand_incompatibleOnACheckingRegistry(t *testing.T) {
	t.Parallel()
	srv, err := embedded.StartRegistry("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	reg := "--registry=" + srv.URL()
	v1 := schemaFile(t, "order.avsc", orderAvro)
	// A field without a default: version 2 cannot read what version 1 wrote.
	v2 := schemaFile(t, "order2.avsc", strings.Replace(orderAvroV2, `"type": "int", "default": 1`, `"type": "int"`, 1))
	if code, stdout, stderr := runCLI(t, "", "schemas", "register", "orders-value", "--file", v1, reg); code != 0 {
		t.Fatalf("register: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr := runCLI(t, "", "schemas", "check", "orders-value", "--file", v2, reg)
	if code != cli.ExitFailure || stdout != "" || !strings.Contains(stderr, `schemas: schema incompatible with the subject "orders-value": `) || !strings.Contains(stderr, "qty") {
		t.Errorf("check: exit %d, stdout %q, stderr %q; want exit 1 with the registry's reasons", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "", "schemas", "register", "orders-value", "--file", v2, "--type", "avro", reg)
	if code != cli.ExitFailure || stdout != "" || !strings.Contains(stderr, "schemas: schema incompatible with the subject") {
		t.Errorf("register: exit %d, stdout %q, stderr %q; want exit 1, refused as incompatible", code, stdout, stderr)
	}
}

const orderProto = `syntax = "proto3";
package shop;

message Order {
  int64 id = 1;
  string item = 2;
  repeated string tags = 3;
}
`

// Protobuf goes through the same commands: registered, listed and shown
// as protobuf (the .proto as it is); a file that does not compile exits 2
// naming it and the compiler's line and column.
func TestSchemasCommand_protobuf(t *testing.T) {
	t.Parallel()
	fake := fakeRegistry(t)
	reg := "--registry=" + fake.URL()
	file := schemaFile(t, "order.proto", orderProto)
	code, stdout, stderr := runCLI(t, "", "schemas", "register", "orders-value", "--file", file, reg)
	if code != 0 || stdout != "subject orders-value: version 1, id 1\n" {
		t.Fatalf("register: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "", "schemas", "list", reg)
	if code != 0 || stdout != "SUBJECT       VERSION  ID  TYPE\norders-value  1        1   protobuf\n" {
		t.Errorf("list: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "", "schemas", "show", "--id", "1", reg)
	if code != 0 || stdout != "id: 1\ntype: protobuf\n\n"+orderProto {
		t.Errorf("show: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	bad := schemaFile(t, "bad.proto", "syntax = \"proto3\";\nmessage X {\n  int64 id = 1\n}\n")
	code, _, stderr = runCLI(t, "", "schemas", "check", "orders-value", "--file", bad, "--type", "proto", reg)
	if want := bad + ": schemas: invalid schema: protobuf: schema.proto:4:1: syntax error"; code != cli.ExitUsage || !strings.Contains(stderr, want) {
		t.Errorf("check of a file that does not compile: exit %d, stderr %q; want exit 2 and %q", code, stderr, want)
	}
}

// Without --type a schema file's extension tells its type: .avsc avro,
// .proto protobuf, .json jsonschema, in any case. --type overrides it (an
// Avro schema in a .json file); any other extension, or none, without
// --type is a usage error naming the file and the types, for register,
// check and produce --schema alike, before the registry is asked.
func TestSchemasCommand_typeFromTheExtension(t *testing.T) {
	t.Parallel()
	fake := fakeRegistry(t)
	reg := "--registry=" + fake.URL()
	for _, tc := range []struct {
		subject, name, text string
		args                []string
		want                string
	}{
		{"avro-value", "order.avsc", orderAvro, nil, "avro"},
		{"upper-value", "ORDER.AVSC", orderAvro, nil, "avro"},
		{"proto-value", "order.proto", orderProto, nil, "protobuf"},
		{"json-value", "user.json", userJSONSchema, nil, "jsonschema"},
		{"avrojson-value", "order.json", orderAvro, []string{"--type", "avro"}, "avro"},
		{"txt-value", "order.txt", orderAvro, []string{"--type", "avro"}, "avro"},
		{"bare-value", "user", userJSONSchema, []string{"--type", "JSONSchema"}, "jsonschema"},
	} {
		file := schemaFile(t, tc.name, tc.text)
		for _, cmd := range []string{"check", "register"} {
			code, stdout, stderr := runCLI(t, "", append([]string{"schemas", cmd, tc.subject, "--file", file, reg}, tc.args...)...)
			if code != 0 {
				t.Errorf("%s %s %q: exit %d, stdout %q, stderr %q", cmd, tc.name, tc.args, code, stdout, stderr)
			}
		}
		code, stdout, stderr := runCLI(t, "", "schemas", "show", tc.subject, reg)
		if want := "subject: " + tc.subject + "\nversion: 1\nid: "; code != 0 || !strings.HasPrefix(stdout, want) || !strings.Contains(stdout, "\ntype: "+tc.want+"\n") {
			t.Errorf("%s %q registered as: exit %d, stdout %q, stderr %q; want type %s", tc.name, tc.args, code, stdout, stderr, tc.want)
		}
	}

	// An Avro schema in a .json file without --type is taken for JSON
	// Schema: it does not compile as one.
	avroJSON := schemaFile(t, "order.json", orderAvro)
	code, _, stderr := runCLI(t, "", "schemas", "check", "orders-value", "--file", avroJSON, reg)
	if want := avroJSON + ": schemas: invalid schema: jsonschema: "; code != cli.ExitUsage || !strings.Contains(stderr, want) {
		t.Errorf("an Avro .json without --type: exit %d, stderr %q; want exit 2 and %q", code, stderr, want)
	}

	for _, name := range []string{"order.txt", "order", "order.avsc.bak", "order.yaml"} {
		file := schemaFile(t, name, orderAvro)
		for _, args := range [][]string{
			{"schemas", "register", "s", "--file", file},
			{"schemas", "check", "s", "--file", file},
			{"produce", "t", "--brokers=127.0.0.1:1", "--schema", file},
		} {
			want := args[len(args)-2] + " " + file + ": its extension does not say the schema's type (.avsc is avro, .proto protobuf, .json jsonschema): give --type avro, protobuf or jsonschema"
			code, stdout, stderr := runCLI(t, "{}\n", append(args, reg)...)
			if code != cli.ExitUsage || stdout != "" || !strings.Contains(stderr, want) {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", args, code, stdout, stderr, want)
			}
		}
	}
	if fake.SubjectExists("s") {
		t.Error("a schema file of no known type reached the registry")
	}
}
