package params

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzGet: a payload marshalled from nested maps and arrays built along a
// dotted path has, at that path, exactly the value put there, and nothing
// one segment further. Segments whose bit is set in arrays, and that are a
// canonical index up to 64, become array elements (with null before them);
// the others are object keys, next to a decoy key. Replacing any one
// segment by the index past the array's end, or by a key the object lacks,
// misses.
//
// Keys containing "." cannot be addressed by a dotted path, so a segment
// never contains one by construction; payload keys must be valid UTF-8 to
// survive JSON, so paths that are not are skipped.
func FuzzGet(f *testing.F) {
	f.Add("user.id", uint64(0), uint8(1), "", 42.0)
	f.Add("items.0.id", uint64(2), uint8(1), "", 1.0)
	f.Add("items.3.tags.0", uint64(0b1010), uint8(0), "x", 0.0)
	f.Add("", uint64(0), uint8(0), "whole", 0.0)
	f.Add("a..b", uint64(0), uint8(0), "empty key in between", 0.0)
	f.Add(".", uint64(0), uint8(2), "", 0.0)
	f.Add("01.+1.-0", uint64(0b111), uint8(0), "non-canonical indexes are keys", 0.0)
	f.Add("0.0.0", uint64(0b111), uint8(3), "", 0.0)
	f.Add("64.65", uint64(0b11), uint8(4), "nested", 0.0)
	f.Add("n", uint64(0), uint8(1), "", -9223372036854775808.0)
	f.Add("n", uint64(0), uint8(1), "", 9223372036854775808.0)
	f.Add("n", uint64(0), uint8(1), "", 0.5)
	f.Add("n", uint64(0), uint8(1), "", math.Copysign(0, -1))
	f.Add("\u2028.<>&", uint64(0), uint8(0), "\xff invalid in a value", 0.0)
	f.Fuzz(func(t *testing.T, path string, arrays uint64, kind uint8, str string, num float64) {
		if !utf8.ValidString(path) || math.IsNaN(num) || math.IsInf(num, 0) {
			t.Skip()
		}
		var leaf any
		switch kind % 5 {
		case 0:
			leaf = str
		case 1:
			leaf = num
		case 2:
			leaf = kind&0x80 != 0
		case 3:
			leaf = nil
		case 4:
			leaf = map[string]any{"k": str}
		}
		var segs []string
		if path != "" {
			segs = strings.Split(path, ".")
		}
		doc := leaf
		// absent[i] is a segment that misses where segs[i] hits: the index
		// one past the array's end, or a key the object lacks.
		absent := make([]string, len(segs))
		for i := len(segs) - 1; i >= 0; i-- {
			seg := segs[i]
			if n, err := strconv.Atoi(seg); err == nil && strconv.Itoa(n) == seg && n >= 0 && n <= 64 && i < 64 && arrays&(1<<i) != 0 {
				arr := make([]any, n+1)
				arr[n] = doc
				doc = arr
				absent[i] = strconv.Itoa(n + 1)
			} else {
				doc = map[string]any{seg: doc, seg + "~decoy": "decoy"}
				absent[i] = seg + "~absent"
			}
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		p, err := New(Metadata{}, raw, JSON)
		if err != nil {
			t.Fatalf("New(%s): %v", raw, err)
		}
		// What the leaf is once through JSON (invalid UTF-8 becomes U+FFFD).
		want := roundTrip(t, leaf)

		got, ok := p.Get(path)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Fatalf("Get(%q) on %s = %#v, %v; want %#v", path, raw, got, ok, want)
		}
		checkTypedGetters(t, p, path)
		join := func(seg string) string {
			if path == "" {
				return seg
			}
			return path + "." + seg
		}
		if _, isMap := leaf.(map[string]any); isMap {
			if got, ok := p.Get(join("k")); !ok || got != want.(map[string]any)["k"] {
				t.Fatalf("Get(%q) on %s = %#v, %v", join("k"), raw, got, ok)
			}
		}
		for i := range segs {
			miss := strings.Join(slices.Concat(segs[:i], []string{absent[i]}, segs[i+1:]), ".")
			if got, ok := p.Get(miss); ok || got != nil {
				t.Fatalf("Get(%q) on %s = %#v, %v; want a miss", miss, raw, got, ok)
			}
		}
		for _, beyond := range []string{"", "x", "0", "k~"} {
			if path == "" && beyond == "" {
				continue // the whole value
			}
			if got, ok := p.Get(join(beyond)); ok || got != nil {
				t.Fatalf("Get(%q) on %s = %#v, %v; want a miss", join(beyond), raw, got, ok)
			}
		}
	})
}

func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
