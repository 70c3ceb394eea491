package params

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestLookup_names(t *testing.T) {
	tests := []struct {
		name    string
		want    Parser
		wantErr []string
	}{
		{name: "json", want: JSON},
		{name: "raw", want: Raw},
		{name: "xml", wantErr: []string{`"xml"`, "json, raw"}},
		{name: "", wantErr: []string{`""`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Lookup(tt.name)
			if tt.wantErr == nil {
				if err != nil || got != tt.want {
					t.Fatalf("Lookup(%q) = %v, %v", tt.name, got, err)
				}
				if got.Name() != tt.name {
					t.Fatalf("Name() = %q, want %q", got.Name(), tt.name)
				}
				return
			}
			if got != nil || !errors.Is(err, ErrUnknownParser) {
				t.Fatalf("Lookup(%q) = %v, %v; want ErrUnknownParser", tt.name, got, err)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %s", err, s)
				}
			}
		})
	}
}

func TestJSON_check(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		wantErr string
	}{
		{name: "object", raw: `{"a":1}`},
		{name: "scalar", raw: `42`},
		{name: "syntax error says where", raw: `{"a":x}`, wantErr: "invalid JSON at byte 6"},
		{name: "truncated", raw: `{"a":`, wantErr: "invalid JSON"},
		{name: "empty", raw: ``, wantErr: "invalid JSON"},
		// Well formed, though no float64 holds it: Parse refuses it (FuzzJSON).
		{name: "number beyond float64", raw: `{"a":1e400}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := JSON.Check([]byte(tt.raw))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v", tt.raw, err)
				}
				return
			}
			if !errors.Is(err, ErrParse) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Check(%q) = %v; want ErrParse mentioning %q", tt.raw, err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "params: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestJSON_parse(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    any
		wantErr bool
	}{
		{name: "object", raw: `{"a":1,"b":[true,"x"]}`, want: map[string]any{"a": 1.0, "b": []any{true, "x"}}},
		{name: "array", raw: `[1,2]`, want: []any{1.0, 2.0}},
		{name: "number is float64", raw: `7`, want: 7.0},
		{name: "null", raw: `null`, want: nil},
		{name: "invalid", raw: `{`, wantErr: true},
		{name: "number beyond float64", raw: `{"a":1e400}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JSON.Parse([]byte(tt.raw))
			if tt.wantErr {
				if !errors.Is(err, ErrParse) {
					t.Fatalf("Parse(%q) error = %v; want ErrParse", tt.raw, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse(%q) = %#v, %v; want %#v", tt.raw, got, err, tt.want)
			}
		})
	}
}

func TestJSON_decode(t *testing.T) {
	type user struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	var u user
	if err := JSON.Decode([]byte(`{"id":3,"name":"ann"}`), &u); err != nil || u != (user{3, "ann"}) {
		t.Fatalf("Decode = %+v, %v", u, err)
	}
	tests := []struct {
		name string
		raw  string
		v    any
	}{
		{name: "wrong type", raw: `{"id":"x"}`, v: &u},
		{name: "not a pointer", raw: `{}`, v: u},
		{name: "invalid", raw: `{`, v: &u},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := JSON.Decode([]byte(tt.raw), tt.v); !errors.Is(err, ErrParse) {
				t.Fatalf("Decode(%q) error = %v; want ErrParse", tt.raw, err)
			}
		})
	}
}

func TestRaw_parser(t *testing.T) {
	payload := []byte("not json")
	if err := Raw.Check(payload); err != nil {
		t.Fatalf("Check = %v", err)
	}
	v, err := Raw.Parse(payload)
	if b, ok := v.([]byte); err != nil || !ok || string(b) != "not json" {
		t.Fatalf("Parse = %#v, %v", v, err)
	}
	var b []byte
	var s string
	var n int
	var nilBytes *[]byte
	tests := []struct {
		name    string
		v       any
		wantErr string
	}{
		{name: "bytes", v: &b},
		{name: "string", v: &s},
		{name: "int is refused", v: &n, wantErr: "*int"},
		{name: "nil pointer is refused", v: nilBytes, wantErr: "nil *[]byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Raw.Decode(payload, tt.v)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Decode = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrParse) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Decode error = %v; want ErrParse mentioning %q", err, tt.wantErr)
			}
		})
	}
	if string(b) != "not json" || s != "not json" {
		t.Fatalf("decoded %q and %q", b, s)
	}
}
