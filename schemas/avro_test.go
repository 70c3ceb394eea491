package schemas_test

import (
	"errors"
	"testing"

	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/schemas"
)

const userAvro = `{"type":"record","name":"User","namespace":"com.example","fields":[
 {"name":"id","type":"long"},
 {"name":"email","type":["null","string"],"default":null},
 {"name":"premium","type":"boolean","default":false}]}`

type user struct {
	ID      int64   `avro:"id"`
	Email   *string `avro:"email"`
	Premium bool    `avro:"premium"`
}

// A value a responder writes through an Avro subject reads back through
// the route parser, typed and generic.
func TestAvro_writeThenRead(t *testing.T) {
	reg, _ := newRegistry(t)
	w := reg.TopicName().Register(schemas.Avro, userAvro)
	email := "ada@example.com"
	raw, err := w.Encode("users", user{ID: 7, Email: &email, Premium: true})
	if err != nil {
		t.Fatal(err)
	}
	if raw[0] != 0 {
		t.Fatalf("magic byte %#x", raw[0])
	}
	p := reg.Parser(schemas.Avro)
	if err := p.Check(raw); err != nil {
		t.Fatal(err)
	}
	var got user
	if err := p.Decode(raw, &got); err != nil || got.ID != 7 || *got.Email != email || !got.Premium {
		t.Fatalf("Decode = %+v, %v", got, err)
	}
	prm := params.Lazy(params.Metadata{Topic: "users"}, raw, p)
	if id, ok := prm.Int("id"); !ok || id != 7 {
		t.Fatalf("Int(id) = %d %v", id, ok)
	}
	if e, ok := prm.String("email"); !ok || e != email {
		t.Fatalf("String(email) = %q %v (unions read as their value)", e, ok)
	}
	// The generic form encodes back to the same bytes.
	v, _ := prm.Value()
	again, err := w.Encode("users", v)
	if err != nil || string(again) != string(raw) {
		t.Fatalf("generic round trip: %v", err)
	}
}

// Each bad input fails with its own error: malformed ones as parse
// failures (dead-lettered), an unreachable registry as unavailable (waits).
func TestAvro_badInput(t *testing.T) {
	reg, fake := newRegistry(t)
	w := reg.TopicName().Register(schemas.Avro, userAvro)
	good, err := w.Encode("users", map[string]any{"id": 1})
	if err != nil {
		t.Fatal(err)
	}
	p := reg.Parser(schemas.Avro)
	unknownID := append([]byte{0, 0, 0, 0x30, 0x39}, good[5:]...)
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"empty", nil, schemas.ErrWireFormat},
		{"wrong magic byte", append([]byte{1}, good[1:]...), schemas.ErrWireFormat},
		{"short header", good[:3], schemas.ErrWireFormat},
		{"unknown schema id", unknownID, schemas.ErrUnknownSchema},
		{"truncated", good[:len(good)-1], schemas.ErrMismatch},
		{"trailing bytes", append(append([]byte{}, good...), 1, 2), schemas.ErrMismatch},
	}
	for _, c := range cases {
		err := p.Check(c.raw)
		if !errors.Is(err, c.want) || !errors.Is(err, params.ErrParse) || errors.Is(err, params.ErrUnavailable) {
			t.Errorf("%s: Check = %v, want %v and params.ErrParse", c.name, err, c.want)
		}
	}
	if _, err := w.Encode("users", map[string]any{"id": "seven"}); !errors.Is(err, responders.ErrSchema) || !errors.Is(err, schemas.ErrMismatch) {
		t.Errorf("a value that does not fit: %v", err)
	}
	// The registry goes away: a schema never seen waits; one seen is kept.
	fake.Close()
	other := append([]byte{0, 0, 0, 0, 9}, good[5:]...)
	if err := p.Check(other); !errors.Is(err, params.ErrUnavailable) || !errors.Is(err, schemas.ErrUnavailable) || errors.Is(err, params.ErrParse) {
		t.Errorf("registry down: Check = %v, want unavailable", err)
	}
	if err := p.Check(good); err != nil {
		t.Errorf("a schema already read needs no registry: %v", err)
	}
}
