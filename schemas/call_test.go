package schemas_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// answer makes fake answer every request with status and body.
func answer(fake *srfake.Registry, status int, body string) {
	fake.Intercept(func(w http.ResponseWriter, _ *http.Request) bool {
		if strings.HasPrefix(body, "{") {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
		return true
	})
}

// wantWait fails t unless err is an outage (the record waits), not a
// parse failure, and says each of want.
func wantWait(t *testing.T, what string, err error, want ...string) {
	t.Helper()
	if !errors.Is(err, schemas.ErrUnavailable) || !errors.Is(err, params.ErrUnavailable) || errors.Is(err, params.ErrParse) {
		t.Errorf("%s: %v, want ErrUnavailable and params.ErrUnavailable, not params.ErrParse", what, err)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: %q does not say %q", what, err, w)
		}
	}
}

// Only the registry's own verdicts on what was asked end a record: an id
// or a subject it does not have (40401, 40402, 40403), a schema it finds
// incompatible (409) or invalid (422). Any other answer (a proxy's 407, a
// gateway's 400 or 405, a 404 with another code) is the path to the
// registry failing: the record waits, and the error names the status and
// the URL. A 400 was a parse failure before: the record was dead-lettered.
func TestRegistry_otherAnswersWait(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
	}{
		{http.StatusBadRequest, "<html>400 Bad Request</html>"},
		{http.StatusMethodNotAllowed, ""},
		{http.StatusProxyAuthRequired, "Proxy Authentication Required"},
		{http.StatusTeapot, `{"error_code":41800,"message":"short and stout"}`},
		{http.StatusNotFound, `{"error_code":40408,"message":"Schema version soft deleted"}`},
	} {
		fake := srfake.New()
		reg, _ := schemas.New(quickConfig(fake.URL()))
		answer(fake, c.status, c.body)
		err := reg.Parser().Check([]byte{0, 0, 0, 0, 9, 2})
		wantWait(t, fmt.Sprint(c.status), err, fmt.Sprintf("HTTP %d", c.status), fake.URL()+"/schemas/ids/9", `schema id 9`)
		fake.Close()
	}
	// The verdicts stay what they are.
	for _, c := range []struct {
		status int
		body   string
		want   error
	}{
		{http.StatusNotFound, `{"error_code":40403,"message":"Schema not found"}`, schemas.ErrUnknownSchema},
		{http.StatusNotFound, `{"error_code":40401,"message":"Subject not found"}`, schemas.ErrUnknownSubject},
		{http.StatusNotFound, `{"error_code":40402,"message":"Version not found"}`, schemas.ErrUnknownSubject},
		{http.StatusConflict, `{"error_code":409,"message":"incompatible"}`, schemas.ErrIncompatible},
		{http.StatusUnprocessableEntity, `{"error_code":42201,"message":"Invalid schema"}`, schemas.ErrInvalidSchema},
	} {
		fake := srfake.New()
		reg, _ := schemas.New(quickConfig(fake.URL()))
		answer(fake, c.status, c.body)
		_, err := reg.Register(context.Background(), "x-value", schemas.Avro, `"long"`)
		if !errors.Is(err, c.want) || errors.Is(err, schemas.ErrUnavailable) {
			t.Errorf("%s: Register = %v, want %v", c.body, err, c.want)
		}
		fake.Close()
	}
}

// The registry's own text lands in logs, events, /readyz and dead-letter
// headers: it is cut to about 512 bytes and its control characters are
// escaped. It went in whole: a 32 KB page of a gateway, terminal escapes
// and newlines included.
func TestRegistry_errorTextBounded(t *testing.T) {
	hostile := "\x1b[31mupstream\x1b[0m failed\r\nX-Injected: yes\x00\u202e" + strings.Repeat("<p>lorem ipsum</p>\n", 32<<10/19)
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		msg := err.Error()
		t.Logf("%s: %d bytes", what, len(msg))
		if len(msg) > 1024 {
			t.Errorf("%s: %d bytes of error", what, len(msg))
		}
		for _, r := range msg {
			if r < 0x20 || r == 0x7f || r == '\u202e' {
				t.Errorf("%s: control character %U in %q", what, r, msg)
				break
			}
		}
		for _, want := range []string{`\x1b[31mupstream\x1b[0m failed\r\nX-Injected: yes\x00\u202e<p>lorem ipsum</p>\n`, "bytes cut"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: %q does not say %q", what, msg, want)
			}
		}
	}
	for _, c := range []struct {
		status int
		body   string
	}{
		{http.StatusBadGateway, hostile}, // a raw body
		{http.StatusServiceUnavailable, `{"error_code":50003,"message":` + jsonString(hostile) + `}`}, // a registry's message
		{http.StatusConflict, `{"error_code":409,"message":` + jsonString(hostile) + `}`},             // a verdict's message
	} {
		fake := srfake.New()
		reg, _ := schemas.New(quickConfig(fake.URL()))
		answer(fake, c.status, c.body)
		_, err := reg.Register(context.Background(), "x-value", schemas.Avro, `"long"`)
		check(fmt.Sprint(c.status), err)
		fake.Close()
	}
	// The reasons of an incompatible schema, too.
	fake := srfake.New()
	t.Cleanup(fake.Close)
	reg, _ := schemas.New(quickConfig(fake.URL()))
	answer(fake, http.StatusOK, `{"is_compatible":false,"messages":[`+jsonString(hostile)+`]}`)
	check("compatibility reasons", reg.Compatible(context.Background(), "x-value", schemas.Avro, `"long"`))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// A format name ParseFormat does not know is ErrUnknownFormat, not an
// invalid schema.
func TestParseFormat(t *testing.T) {
	for in, want := range map[string]schemas.Format{"avro": schemas.Avro, " Proto ": schemas.Protobuf, "JSON": schemas.JSONSchema, "jsonschema": schemas.JSONSchema} {
		if f, err := schemas.ParseFormat(in); err != nil || f != want {
			t.Errorf("ParseFormat(%q) = %v, %v", in, f, err)
		}
	}
	_, err := schemas.ParseFormat("xml")
	if !errors.Is(err, schemas.ErrUnknownFormat) || errors.Is(err, schemas.ErrInvalidSchema) || !strings.Contains(err.Error(), `"xml"`) {
		t.Fatalf("ParseFormat(xml) = %v, want ErrUnknownFormat", err)
	}
}
