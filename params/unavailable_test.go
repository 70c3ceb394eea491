package params_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/params"
)

// flaky is a parser whose Check cannot look at payloads while down > 0
// (a registry outage), then rejects "bad" and accepts the rest.
type flaky struct{ down *int }

func (flaky) Name() string { return "flaky" }
func (f flaky) Check(raw []byte) error {
	if *f.down > 0 {
		*f.down--
		return fmt.Errorf("%w: registry at http://127.0.0.1:1 refused the connection", params.ErrUnavailable)
	}
	if string(raw) == "bad" {
		return fmt.Errorf("%w: unknown schema id 7", params.ErrParse)
	}
	return nil
}
func (flaky) Parse(raw []byte) (any, error)  { return string(raw), nil }
func (flaky) Decode(raw []byte, v any) error { return nil }

// An outage at ingest is neither kept as the payload's rejection nor a
// parse failure: Unavailable checks again until the Check can look.
func TestParams_unavailableCheckIsNotARejection(t *testing.T) {
	down := 2
	md := params.Metadata{Topic: "users", Partition: 1, Offset: 9}
	p := params.Lazy(md, []byte("ok"), flaky{&down})
	if p.Rejected() != nil {
		t.Fatalf("an outage was kept as a rejection: %v", p.Rejected())
	}
	err := p.Unavailable()
	if !errors.Is(err, params.ErrUnavailable) || errors.Is(err, params.ErrParse) {
		t.Fatalf("Unavailable() = %v, want ErrUnavailable and not ErrParse", err)
	}
	for _, want := range []string{`topic "users" partition 1 offset 9`, `parser "flaky"`, "refused the connection"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if err := p.Unavailable(); err != nil || p.Valid() != nil || p.Rejected() != nil {
		t.Fatalf("after the outage: Unavailable %v, Valid %v, Rejected %v; want all nil", err, p.Valid(), p.Rejected())
	}
}

// A payload the parser rejects once it can look is rejected for good.
func TestParams_unavailableThenRejected(t *testing.T) {
	down := 1
	p := params.Lazy(params.Metadata{Topic: "users"}, []byte("bad"), flaky{&down})
	if p.Unavailable() != nil {
		t.Fatal("the second Check can look: Unavailable should report nil")
	}
	if err := p.Rejected(); !errors.Is(err, params.ErrParse) {
		t.Fatalf("Rejected() = %v, want the parse failure", err)
	}
	if _, err := params.New(params.Metadata{Topic: "users"}, []byte("x"), flaky{new(int)}); err != nil {
		t.Fatal(err)
	}
	down = 1
	if _, err := params.New(params.Metadata{Topic: "users"}, []byte("x"), flaky{&down}); !errors.Is(err, params.ErrUnavailable) || errors.Is(err, params.ErrParse) {
		t.Fatalf("New during an outage: %v", err)
	}
}
