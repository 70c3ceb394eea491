package embedded_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/schemas"
)

func startRegistry(t *testing.T, addr string) *embedded.Registry {
	t.Helper()
	r, err := embedded.StartRegistry(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// record is an Avro record User with fields, each a JSON field object.
func record(fields ...string) string {
	return `{"type":"record","name":"User","namespace":"app","fields":[` + strings.Join(fields, ",") + `]}`
}

const (
	idField         = `{"name":"id","type":"long"}`
	emailDefault    = `{"name":"email","type":"string","default":""}`
	emailNoDefault  = `{"name":"email","type":"string"}`
	nameDefault     = `{"name":"name","type":"string","default":"x"}`
	nameNoDefault   = `{"name":"name","type":"string"}`
	protoUser       = `syntax = "proto3"; message User { int64 id = 1; }`
	protoOtherThing = `syntax = "proto3"; message Other { string s = 1; }`
)

// post sends a JSON body to the registry and returns the status and the
// decoded answer.
func post(t *testing.T, method, url string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, url, strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s answered %d %q: %v", method, url, resp.StatusCode, raw, err)
	}
	return resp.StatusCode, out
}

func avroBody(text string) map[string]any { return map[string]any{"schema": text} }

// The registry's client sees Confluent's answers: a compatible Avro
// version registers, an incompatible one is refused with 409 (error code
// 409, ErrIncompatible for package schemas) and the compatibility endpoint
// says why.
func TestRegistry_avroBackwardCompatibility(t *testing.T) {
	reg := startRegistry(t, "127.0.0.1:0")
	ctx := context.Background()
	cl, err := schemas.New(schemas.Config{URLs: []string{reg.URL()}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	v1, err := cl.Register(ctx, "users-value", schemas.Avro, record(idField))
	if err != nil {
		t.Fatal(err)
	}
	// A field with a default: the new schema reads what v1 wrote.
	if err := cl.Compatible(ctx, "users-value", schemas.Avro, record(idField, emailDefault)); err != nil {
		t.Fatalf("Compatible(field with a default) = %v", err)
	}
	v2, err := cl.Register(ctx, "users-value", schemas.Avro, record(idField, emailDefault))
	if err != nil || v2.Version != 2 || v2.ID == v1.ID {
		t.Fatalf("Register(field with a default) = %+v, %v; want version 2, a new id", v2, err)
	}

	// A field without a default: v2's records have none to read.
	bad := record(idField, emailDefault, nameNoDefault)
	if err := cl.Compatible(ctx, "users-value", schemas.Avro, bad); !errors.Is(err, schemas.ErrIncompatible) || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("Compatible(field without a default) = %v, want ErrIncompatible naming version 2", err)
	}
	if _, err := cl.Register(ctx, "users-value", schemas.Avro, bad); !errors.Is(err, schemas.ErrIncompatible) {
		t.Errorf("Register(field without a default) = %v, want ErrIncompatible", err)
	}
	code, got := post(t, http.MethodPost, reg.URL()+"/compatibility/subjects/users-value/versions", avroBody(bad))
	if msgs, _ := got["messages"].([]any); code != http.StatusOK || got["is_compatible"] != false || len(msgs) != 1 || !strings.Contains(msgs[0].(string), "reader field name is missing in writer schema and has no default") {
		t.Errorf("compatibility endpoint: %d %v, want is_compatible false and one message naming the field", code, got)
	}
	code, got = post(t, http.MethodPost, reg.URL()+"/subjects/users-value/versions", avroBody(bad))
	if code != http.StatusConflict || got["error_code"] != float64(409) || !strings.Contains(got["message"].(string), `incompatible with an earlier schema for subject "users-value"`) {
		t.Errorf("register endpoint: %d %v, want 409 with error_code 409", code, got)
	}
	if vs, err := cl.Versions(ctx, "users-value"); err != nil || len(vs) != 2 {
		t.Errorf("versions after the refusal = %v, %v; want [1 2]", vs, err)
	}

	// Registering a version again answers its id, checked or not.
	if again, err := cl.Register(ctx, "users-value", schemas.Avro, record(idField)); err != nil || again.ID != v1.ID {
		t.Errorf("Register(v1 again) = %+v, %v; want id %d", again, err, v1.ID)
	}
	// A new subject has nothing to be incompatible with.
	if _, err := cl.Register(ctx, "other-value", schemas.Avro, bad); err != nil {
		t.Errorf("Register(first version of a subject) = %v", err)
	}
}

// The subject's compatibility level (PUT /config) decides which way, and
// against which versions, the new schema is checked.
func TestRegistry_compatibilityLevels(t *testing.T) {
	reg := startRegistry(t, "")
	cl, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	candidates := map[string]string{
		"field with a default":    record(idField, emailDefault),
		"field without a default": record(idField, emailNoDefault),
		"field removed":           record(),
	}
	tests := []struct {
		level      sr.CompatibilityLevel
		compatible map[string]bool
	}{
		{sr.CompatBackward, map[string]bool{"field with a default": true, "field without a default": false, "field removed": true}},
		{sr.CompatForward, map[string]bool{"field with a default": true, "field without a default": true, "field removed": false}},
		{sr.CompatFull, map[string]bool{"field with a default": true, "field without a default": false, "field removed": false}},
		{sr.CompatNone, map[string]bool{"field with a default": true, "field without a default": true, "field removed": true}},
	}
	for _, tt := range tests {
		subject := strings.ToLower(tt.level.String()) + "-value"
		if _, err := cl.CreateSchema(ctx, subject, sr.Schema{Schema: record(idField)}); err != nil {
			t.Fatal(err)
		}
		if res := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: tt.level}, subject); res[0].Err != nil {
			t.Fatal(res[0].Err)
		}
		for name, text := range candidates {
			res, err := cl.CheckCompatibility(ctx, subject, -1, sr.Schema{Schema: text})
			if err != nil {
				t.Fatal(err)
			}
			if res.Is != tt.compatible[name] || (res.Is != (len(res.Messages) == 0)) {
				t.Errorf("%s, %s: is_compatible %v, messages %q; want %v", tt.level, name, res.Is, res.Messages, tt.compatible[name])
			}
		}
	}

	// Transitive levels check every version, the others the latest only:
	// v3 reads v2's records (they have a name) but not v1's.
	for _, level := range []sr.CompatibilityLevel{sr.CompatBackward, sr.CompatBackwardTransitive} {
		subject := "t-" + level.String()
		for _, text := range []string{record(idField), record(idField, nameDefault)} {
			if _, err := cl.CreateSchema(ctx, subject, sr.Schema{Schema: text}); err != nil {
				t.Fatal(err)
			}
		}
		if res := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: level}, subject); res[0].Err != nil {
			t.Fatal(res[0].Err)
		}
		v3 := sr.Schema{Schema: record(idField, nameNoDefault)}
		all, err := cl.CheckCompatibility(ctx, subject, -2, v3)
		if err != nil {
			t.Fatal(err)
		}
		_, regErr := cl.CreateSchema(ctx, subject, v3)
		if transitive := level == sr.CompatBackwardTransitive; all.Is == transitive || (regErr == nil) == transitive {
			t.Errorf("%s: against all versions is_compatible %v %q, register %v", level, all.Is, all.Messages, regErr)
		}
		// Against version 1 alone it never reads: that check ignores
		// transitivity.
		one, err := cl.CheckCompatibility(ctx, subject, 1, v3)
		if err != nil || one.Is {
			t.Errorf("%s: against version 1 = %+v, %v; want incompatible", level, one, err)
		}
	}
}

// The compatibility endpoint of one version answers as Confluent's does
// for what it cannot check: an unknown subject or version, a version that
// is not one, an Avro text that does not parse.
func TestRegistry_compatibilityErrors(t *testing.T) {
	reg := startRegistry(t, "localhost:0")
	if !strings.HasPrefix(reg.URL(), "http://127.0.0.1:") {
		t.Errorf("URL() = %q, want the address it is bound to", reg.URL())
	}
	if code, _ := post(t, http.MethodPost, reg.URL()+"/subjects/s/versions", avroBody(record(idField))); code != http.StatusOK {
		t.Fatalf("register: %d", code)
	}
	tests := []struct {
		path       string
		body       map[string]any
		status     int
		code       float64
		compatible bool
	}{
		{"/compatibility/subjects/s/versions/1", avroBody(record(idField)), 200, 0, true},
		{"/compatibility/subjects/s/versions/latest", avroBody(record(idField, emailNoDefault)), 200, 0, false},
		{"/compatibility/subjects/s/versions/-1", avroBody(record(idField, emailNoDefault)), 200, 0, false},
		{"/compatibility/subjects/s/versions/7", avroBody(record(idField)), 404, 40402, false},
		{"/compatibility/subjects/nope/versions/latest", avroBody(record(idField)), 404, 40401, false},
		{"/compatibility/subjects/s/versions/first", avroBody(record(idField)), 422, 42202, false},
		{"/compatibility/subjects/nope/versions", avroBody(record(idField)), 200, 0, true},
		{"/compatibility/subjects/s/versions", avroBody(`{"type":"record"}`), 422, 42201, false},
		{"/subjects/s/versions", avroBody(`{"type":"nosuchtype"}`), 422, 42201, false},
		// Another format: srfake's answer, compatible whatever it is.
		{"/compatibility/subjects/s/versions", map[string]any{"schema": protoOtherThing, "schemaType": "PROTOBUF"}, 200, 0, true},
	}
	for _, tt := range tests {
		status, got := post(t, http.MethodPost, reg.URL()+tt.path, tt.body)
		if status != tt.status || (tt.code != 0 && got["error_code"] != tt.code) || (status == 200 && got["is_compatible"] != tt.compatible) {
			t.Errorf("POST %s %v: %d %v, want %d error_code %v is_compatible %v", tt.path, tt.body, status, got, tt.status, tt.code, tt.compatible)
		}
	}
}

// Protobuf and JSON Schema pass through: srfake registers them unchecked.
func TestRegistry_otherFormatsPassThrough(t *testing.T) {
	reg := startRegistry(t, "127.0.0.1:0")
	for _, text := range []string{protoUser, protoOtherThing} {
		code, got := post(t, http.MethodPost, reg.URL()+"/subjects/p-value/versions", map[string]any{"schema": text, "schemaType": "PROTOBUF"})
		if code != http.StatusOK || got["id"] == nil {
			t.Errorf("register %q: %d %v", text, code, got)
		}
	}
	// An Avro schema under a subject holding Protobuf is incompatible.
	code, got := post(t, http.MethodPost, reg.URL()+"/compatibility/subjects/p-value/versions", avroBody(record(idField)))
	if code != http.StatusOK || got["is_compatible"] != false || !strings.Contains(jsonText(got["messages"]), "version 2 is PROTOBUF") {
		t.Errorf("Avro against Protobuf: %d %v", code, got)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The registry has no authentication: like the broker, it listens on
// loopback only.
func TestStartRegistry_errors(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	tests := []struct{ addr, contains string }{
		{"0.0.0.0:0", `host "0.0.0.0" is not a loopback address`},
		{"10.0.0.1:8081", `host "10.0.0.1" is not a loopback address`},
		{"[::]:0", `host "::" is not a loopback address`},
		{"example.com:8081", `host "example.com" is not a loopback address`},
		{"127.0.0.1", `"127.0.0.1"`},
		{"127.0.0.1:99999", `port "99999"`},
		{taken.Addr().String(), taken.Addr().String()},
	}
	for _, tt := range tests {
		r, err := embedded.StartRegistry(tt.addr)
		if err == nil {
			r.Close()
			t.Errorf("StartRegistry(%q) succeeded", tt.addr)
			continue
		}
		if !errors.Is(err, embedded.ErrStartRegistry) || !strings.Contains(err.Error(), tt.contains) {
			t.Errorf("StartRegistry(%q) = %v, want ErrStartRegistry containing %q", tt.addr, err, tt.contains)
		}
	}
}

func TestRegistry_closeAndShutdown(t *testing.T) {
	for _, name := range []string{"Close", "Shutdown"} {
		r, err := embedded.StartRegistry("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := strings.TrimPrefix(r.URL(), "http://")
		if name == "Close" {
			r.Close()
		} else if err := r.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown() = %v", err)
		}
		r.Close() // idempotent, after either
		if err := r.Shutdown(context.Background()); err != nil {
			t.Errorf("%s: Shutdown() again = %v", name, err)
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s: still listening on %s", name, addr)
		}
	}
}
