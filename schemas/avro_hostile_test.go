package schemas_test

import (
	"bytes"
	"context"
	"errors"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// recursiveAvro is a linked list: each node holds the next, or null.
const recursiveAvro = `{"type":"record","name":"N","namespace":"hx","fields":[{"name":"next","type":["null","N"]}]}`

type listNode struct {
	Next *listNode `avro:"next"`
}

// registerAvro registers text under subject and returns the wire header
// of its id.
func registerAvro(t *testing.T, reg *schemas.Registry, subject, text string) []byte {
	t.Helper()
	s, err := reg.Register(context.Background(), subject, schemas.Avro, text)
	if err != nil {
		t.Fatal(err)
	}
	return []byte{0, byte(s.ID >> 24), byte(s.ID >> 16), byte(s.ID >> 8), byte(s.ID)}
}

// wantMismatch fails t unless err is a parse failure (ErrMismatch) saying
// want.
func wantMismatch(t *testing.T, what string, err error, want string) {
	t.Helper()
	if !errors.Is(err, schemas.ErrMismatch) || !errors.Is(err, params.ErrParse) || !strings.Contains(err.Error(), want) {
		t.Errorf("%s = %v, want ErrMismatch and params.ErrParse saying %q", what, err, want)
	}
}

// A recursive schema cannot make a hostile payload recurse without bound:
// nesting deeper than 128 records, arrays, maps and unions is malformed,
// read generically or into a struct. Unbounded, 700 KB of 0x02 (each
// byte one more node) recursed until "fatal error: stack overflow" (the
// 1 GB goroutine stack), which no recover catches: the process died.
func TestAvro_hostileRecursion(t *testing.T) {
	// The crash, were it back, comes at 64 MiB of stack rather than 1 GB.
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	reg, _ := newRegistry(t)
	p := reg.Parser(schemas.Avro)
	head := registerAvro(t, reg, "list-value", recursiveAvro)
	hostile := append(append(bytes.Clone(head), bytes.Repeat([]byte{2}, 700<<10)...), 0)
	const limit = "nested deeper than 128"
	var n listNode
	wantMismatch(t, "Decode into a struct", p.Decode(hostile, &n), limit)
	wantMismatch(t, "Check", p.Check(hostile), limit)
	var v any
	wantMismatch(t, "Decode into *any", p.Decode(hostile, &v), limit)
	var m map[string]any
	wantMismatch(t, "Decode into a map", p.Decode(hostile, &m), limit)

	// k nodes after the first nest 2(k+1) deep (a record and a union
	// each): 63 read, 64 do not.
	list := func(k int) []byte {
		return append(append(bytes.Clone(head), bytes.Repeat([]byte{2}, k)...), 0)
	}
	for _, k := range []int{0, 1, 63} {
		var n listNode
		if err := p.Decode(list(k), &n); err != nil {
			t.Fatalf("a list of %d: Decode = %v", k+1, err)
		}
		got := 0
		for at := n.Next; at != nil; at = at.Next {
			got++
		}
		if err := p.Check(list(k)); err != nil || got != k {
			t.Fatalf("a list of %d: Check = %v, %d nodes decoded", k+1, err, got+1)
		}
	}
	wantMismatch(t, "Check of 65 nodes", p.Check(list(64)), limit)
	wantMismatch(t, "Decode of 65 nodes", p.Decode(list(64), &n), limit)

	// A record that holds itself outright takes no bytes per level: any
	// payload recursed forever.
	self := registerAvro(t, reg, "self-value", `{"type":"record","name":"M","namespace":"hx","fields":[{"name":"m","type":"M"}]}`)
	wantMismatch(t, "Check of a record holding itself", p.Check(append(bytes.Clone(self), 0)), limit)
}
