package schemas_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"runtime"
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

// allocated is the bytes f allocates, on average over runs.
func allocated(runs int, f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
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

// Items that take no bytes share one budget over the whole payload: its
// length plus 65,536. With a budget per array, array<array<null>> got
// 65,536 nulls per inner array, 4 bytes each: 804 bytes took 1,051 MiB.
func TestAvro_nestedZeroWidthArrays(t *testing.T) {
	reg, _ := newRegistry(t)
	p := reg.Parser(schemas.Avro)
	head := registerAvro(t, reg, "nested-value", `{"type":"array","items":{"type":"array","items":"null"}}`)
	// inner is an array of n nulls in one block.
	inner := func(n int) []byte {
		b := binary.AppendVarint(nil, int64(n))
		return append(b, 0)
	}
	payload := func(inners ...[]byte) []byte {
		b := binary.AppendVarint(bytes.Clone(head), int64(len(inners)))
		for _, in := range inners {
			b = append(b, in...)
		}
		return append(b, 0)
	}
	var hostile [][]byte
	for range 199 {
		hostile = append(hostile, inner(1<<16))
	}
	raw := payload(hostile...)
	var err error
	var tree [][]any
	took := allocated(1, func() { err = p.Check(raw) })
	t.Logf("%d-byte payload: Check allocated %d KiB", len(raw), took>>10)
	wantMismatch(t, "Check", err, "items")
	// The budget's 65,536 nulls, as []any grown by append: ~5 MiB.
	if took > 8<<20 {
		t.Errorf("Check of a %d-byte payload allocated %d MiB", len(raw), took>>20)
	}
	took = allocated(1, func() { err = p.Decode(raw, &tree) })
	wantMismatch(t, "Decode into [][]any", err, "items")
	if took > 8<<20 {
		t.Errorf("Decode of a %d-byte payload allocated %d MiB", len(raw), took>>20)
	}

	// Within the budget: 65,536 items and a few more, across arrays;
	// the outer array's items count too.
	ok := payload(inner(30000), inner(35530), inner(10))
	if err := p.Check(ok); err != nil {
		t.Fatalf("Check = %v", err)
	}
	if err := p.Decode(ok, &tree); err != nil || len(tree) != 3 || len(tree[1]) != 35530 {
		t.Fatalf("Decode = %v, %d arrays", err, len(tree))
	}
	// Exactly the budget reads; one item more does not.
	edge := func(extra int) []byte {
		size := len(payload(inner(30000), inner(35000))) - len(head) // the same varint widths
		return payload(inner(30000), inner(maxZeroWidth+size-2-30000+extra))
	}
	if err := p.Check(edge(0)); err != nil {
		t.Fatalf("the whole budget: Check = %v", err)
	}
	wantMismatch(t, "one item over the budget", p.Check(edge(1)), "at most its length + 65536 items in all")
}

const maxZeroWidth = 1 << 16

// What a payload makes the reader allocate is bounded by its length, not
// by the largest string or array a payload may hold: a 4-byte payload
// claiming a 16 MiB string allocated 16 MiB before finding the data short,
// and one claiming 4M records in an array 128 MiB (Decode into a struct).
func TestAvro_allocationFollowsThePayload(t *testing.T) {
	reg, _ := newRegistry(t)
	p := reg.Parser(schemas.Avro)
	str := registerAvro(t, reg, "str-value", `{"type":"record","name":"S","namespace":"hx","fields":[{"name":"s","type":"string"}]}`)
	arr := registerAvro(t, reg, "arr-value", `{"type":"array","items":{"type":"record","name":"Item","namespace":"hx","fields":[
	 {"name":"sku","type":"string"},{"name":"qty","type":"int"},{"name":"price","type":"double"}]}}`)
	claim := func(head []byte, n int) []byte { return binary.AppendVarint(bytes.Clone(head), int64(n)) }
	type strRec struct {
		S string `avro:"s"`
	}
	for _, c := range []struct {
		name string
		raw  []byte
		read func(raw []byte) error
	}{
		{"Check of a 16 MiB string", claim(str, 16<<20), p.Check},
		{"Decode of a 16 MiB string into a struct", claim(str, 16<<20), func(raw []byte) error { var v strRec; return p.Decode(raw, &v) }},
		{"Decode of 4M records into a slice", claim(arr, 4<<20), func(raw []byte) error { var v []orderRecItem; return p.Decode(raw, &v) }},
	} {
		var err error
		took := allocated(10, func() { err = c.read(c.raw) })
		t.Logf("%s (a %d-byte payload): %d bytes allocated", c.name, len(c.raw)-5, took)
		wantMismatch(t, c.name, err, "")
		if took > 16<<10 {
			t.Errorf("%s: %d KiB allocated for a %d-byte payload", c.name, took>>10, len(c.raw)-5)
		}
	}

	// Strings as long as the payload allows read, at each step.
	for _, n := range []int{0, 1, 4093, 4094, 4095, 70000, 2 << 20} {
		var v strRec
		raw := append(claim(str, n), bytes.Repeat([]byte{'x'}, n)...)
		if err := p.Check(raw); err != nil {
			t.Fatalf("a %d-byte string: Check = %v", n, err)
		}
		if err := p.Decode(raw, &v); err != nil || len(v.S) != n {
			t.Fatalf("a %d-byte string: Decode = %v, %d bytes", n, err, len(v.S))
		}
	}
}
