package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/hamba/avro/v2"

	"github.com/karafka-actors/karafka-actors/params"
)

func init() { compilers[Avro] = compileAvro }

// avroLimits step up the bounds of hamba's readers: each payload is read
// with the smallest step at least its length, so that a bytes, string or
// array length it claims cannot allocate more than the payload could hold
// (no bytes or string field is longer than the payload, no array of items
// that take bytes has more items than it has bytes): a longer claim fails
// before anything is allocated for it. The largest step bounds any
// payload: a bytes or string field at most 16 MiB, an array at most 4M
// items.
var avroLimits = [...]int{4 << 10, 64 << 10, 1 << 20, 16 << 20}

// maxAvroItems bounds the items of one array hamba reads.
const maxAvroItems = 4 << 20

// avroAPIs are the hamba configs of avroLimits, step by step.
var avroAPIs = func() (apis [len(avroLimits)]avro.API) {
	for i, n := range avroLimits {
		apis[i] = avro.Config{
			TagKey:            "avro",
			BlockLength:       100,
			MaxByteSliceSize:  n,
			MaxSliceAllocSize: min(n, maxAvroItems),
		}.Freeze()
	}
	return apis
}()

// avroAPI encodes, with the largest bounds.
var avroAPI = avroAPIs[len(avroAPIs)-1]

// avroStep is the index of the smallest of avroLimits at least n, or of the
// largest.
func avroStep(n int) int {
	for i, limit := range avroLimits[:len(avroLimits)-1] {
		if n <= limit {
			return i
		}
	}
	return len(avroLimits) - 1
}

// maxZeroWidth bounds the Avro array items of a payload that take no bytes
// (nulls, empty records): the items of all its arrays and maps together are
// at most its length plus maxZeroWidth, as a hostile count of such items
// would cost CPU and memory without bytes to pay for it.
const maxZeroWidth = 1 << 16

// maxAvroDepth bounds how deep the records, arrays, maps and unions of a
// payload nest (a recursive schema lets a hostile payload nest them as deep
// as it is long; each level costs stack).
const maxAvroDepth = 128

type avroCodec struct {
	schema avro.Schema
	// risky: hamba's typed reader has no bound this schema keeps within
	// (it is recursive, or has an array whose items can take no bytes), so
	// decode reads a payload with the bounded generic reader first.
	risky   bool
	readers [len(avroLimits)]sync.Pool // by avroStep
}

func compileAvro(src source) (codec, error) {
	cache := &avro.SchemaCache{}
	for _, ref := range src.refs {
		if _, err := avro.ParseWithCache(ref.text, "", cache); err != nil {
			return nil, fmt.Errorf("reference %q: %w", ref.name, err)
		}
	}
	s, err := avro.ParseWithCache(src.text, "", cache)
	if err != nil {
		return nil, err
	}
	return &avroCodec{schema: s, risky: riskyAvro(s)}, nil
}

// riskyAvro reports whether s is recursive (a record reaches a reference
// back to itself) or has an array whose items can take no bytes (a hostile
// block count of them costs no bytes).
func riskyAvro(s avro.Schema) bool {
	w := avroWalk{records: map[string]int8{}, zero: map[string]bool{}}
	w.walk(s)
	return w.risky
}

type avroWalk struct {
	records map[string]int8 // by full name: 1 being walked, 2 walked
	zero    map[string]bool // zeroWidth of records, by full name
	risky   bool
}

func (w *avroWalk) walk(s avro.Schema) {
	if w.risky {
		return
	}
	switch s.Type() {
	case avro.Ref:
		w.walk(s.(*avro.RefSchema).Schema())
	case avro.Record:
		rs := s.(*avro.RecordSchema)
		switch w.records[rs.FullName()] {
		case 1: // inside itself
			w.risky = true
			return
		case 2:
			return
		}
		w.records[rs.FullName()] = 1
		for _, f := range rs.Fields() {
			w.walk(f.Type())
		}
		w.records[rs.FullName()] = 2
	case avro.Array:
		items := s.(*avro.ArraySchema).Items()
		if w.zeroWidth(items) {
			w.risky = true
			return
		}
		w.walk(items)
	case avro.Map:
		// Each item takes a byte at least: its key's length.
		w.walk(s.(*avro.MapSchema).Values())
	case avro.Union:
		for _, t := range s.(*avro.UnionSchema).Types() {
			w.walk(t)
		}
	}
}

// zeroWidth reports whether a value of s can take no bytes: a null, a
// fixed of size 0, a record of such fields.
func (w *avroWalk) zeroWidth(s avro.Schema) bool {
	switch s.Type() {
	case avro.Null:
		return true
	case avro.Fixed:
		return s.(*avro.FixedSchema).Size() == 0
	case avro.Ref:
		return w.zeroWidth(s.(*avro.RefSchema).Schema())
	case avro.Record:
		rs := s.(*avro.RecordSchema)
		if z, ok := w.zero[rs.FullName()]; ok {
			return z // false while it is being found: a record inside itself is recursive anyway
		}
		w.zero[rs.FullName()] = false
		z := true
		for _, f := range rs.Fields() {
			if !w.zeroWidth(f.Type()) {
				z = false
				break
			}
		}
		w.zero[rs.FullName()] = z
		return z
	}
	return false
}

func (c *avroCodec) name() string {
	if n, ok := c.schema.(avro.NamedSchema); ok {
		return n.FullName()
	}
	return ""
}

// reader is a reader of payload with the bounds of a payload of n bytes,
// and its step, for done.
func (c *avroCodec) reader(payload []byte, n int) (*avro.Reader, int) {
	step := avroStep(n)
	r, _ := c.readers[step].Get().(*avro.Reader)
	if r == nil {
		r = avro.NewReader(nil, 0, avro.WithReaderConfig(avroAPIs[step]))
	}
	r.Error = nil
	return r.Reset(payload), step
}

// done ends a read of payload: the reader's error, or trailing bytes.
func (c *avroCodec) done(r *avro.Reader, step int) error {
	err := r.Error
	if err == nil {
		// One more byte must not be there.
		var one [1]byte
		r.Read(one[:])
		if r.Error == nil {
			err = fmt.Errorf("%w: avro: trailing bytes after the value", ErrMismatch)
		}
	} else {
		err = fmt.Errorf("%w: %w", ErrMismatch, err) // hamba's errors say "avro:"
	}
	r.Reset(nil)
	r.Error = nil
	c.readers[step].Put(r)
	return err
}

func (c *avroCodec) check(payload []byte) error {
	_, err := c.generic(payload)
	return err
}

func (c *avroCodec) generic(payload []byte) (any, error) {
	r, step := c.reader(payload, len(payload))
	a := avroRead{r: r, size: len(payload), items: len(payload) + maxZeroWidth}
	v := a.value(c.schema)
	if err := c.done(r, step); err != nil {
		return nil, err
	}
	return v, nil
}

func (c *avroCodec) decode(payload []byte, v any) error {
	if p, ok := v.(*any); ok {
		g, err := c.generic(payload)
		if err == nil {
			*p = g
		}
		return err
	}
	n := len(payload)
	if c.risky {
		// hamba's typed reader recurses and counts items without the
		// bounds of the generic one: the payload must pass those first.
		if err := c.check(payload); err != nil {
			return err
		}
		n += maxZeroWidth // the items it may then hold
	}
	r, step := c.reader(payload, n)
	r.ReadVal(c.schema, v)
	return c.done(r, step)
}

func (c *avroCodec) appendEncode(b []byte, v any) ([]byte, error) {
	switch v.(type) {
	case map[string]any, []any:
		return c.appendGeneric(b, v)
	}
	out, err := avroAPI.Marshal(c.schema, v)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMismatch, err)
	}
	return append(b, out...), nil
}

func (c *avroCodec) appendJSON(b []byte, doc []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %w", ErrMismatch, err)
	}
	return c.appendGeneric(b, v)
}

// appendGeneric encodes a generic value (as decoded from JSON, numbers as
// float64 or json.Number) guided by the schema: a union takes the first
// branch the value fits.
func (c *avroCodec) appendGeneric(b []byte, v any) ([]byte, error) {
	var buf bytes.Buffer
	w := avro.NewWriter(&buf, 512, avro.WithWriterConfig(avroAPI))
	if err := writeAvro(w, c.schema, v, ""); err != nil {
		return nil, fmt.Errorf("%w: avro: %w", ErrMismatch, err)
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("%w: avro: %w", ErrMismatch, err)
	}
	return append(b, buf.Bytes()...), nil
}

// avroRead reads a payload in the generic form, within bounds: nesting at
// most maxAvroDepth deep, at most size + maxZeroWidth array and map items
// in all.
type avroRead struct {
	r     *avro.Reader
	size  int // the payload's length
	items int // array and map items the payload may still hold
	depth int // records, arrays, maps and unions entered
}

// deeper enters one more level of nesting, or reports the bound.
func (a *avroRead) deeper() bool {
	if a.depth++; a.depth > maxAvroDepth {
		a.tooDeep()
		return false
	}
	return true
}

func (a *avroRead) tooDeep() {
	a.r.ReportError("read", fmt.Sprintf("records, arrays, maps and unions nested deeper than %d", maxAvroDepth))
}

// value reads one value of s in the generic form: records as
// map[string]any, unions as their value, ints and longs as int64; other
// types as hamba reads them (logical types included).
func (a *avroRead) value(s avro.Schema) any {
	r := a.r
	if r.Error != nil {
		return nil
	}
	switch s.Type() {
	case avro.Null:
		return nil
	case avro.Record:
		if !a.deeper() {
			return nil
		}
		rs := s.(*avro.RecordSchema)
		m := make(map[string]any, len(rs.Fields()))
		for _, f := range rs.Fields() {
			m[f.Name()] = a.value(f.Type())
		}
		a.depth--
		return m
	case avro.Ref:
		return a.value(s.(*avro.RefSchema).Schema())
	case avro.Union:
		types := s.(*avro.UnionSchema).Types()
		i := r.ReadLong()
		if r.Error != nil {
			return nil
		}
		if i < 0 || i >= int64(len(types)) {
			r.ReportError("union", fmt.Sprintf("branch %d of a union of %d types", i, len(types)))
			return nil
		}
		if !a.deeper() {
			return nil
		}
		v := a.value(types[i])
		a.depth--
		return v
	case avro.Array:
		if !a.deeper() {
			return nil
		}
		items := s.(*avro.ArraySchema).Items()
		var out []any
		a.blocks(func() { out = append(out, a.value(items)) })
		if out == nil {
			out = []any{}
		}
		a.depth--
		return out
	case avro.Map:
		if !a.deeper() {
			return nil
		}
		values := s.(*avro.MapSchema).Values()
		out := map[string]any{}
		a.blocks(func() {
			k := r.ReadString()
			out[k] = a.value(values)
		})
		a.depth--
		return out
	case avro.Int:
		if _, ok := s.(avro.LogicalTypeSchema); ok && s.(avro.LogicalTypeSchema).Logical() != nil {
			return r.ReadNext(s)
		}
		return int64(r.ReadInt())
	}
	return r.ReadNext(s)
}

// blocks reads the blocks of an array or a map, item by item, refusing
// counts beyond what is left of the payload's item budget.
func (a *avroRead) blocks(item func()) {
	r := a.r
	for r.Error == nil {
		n, _ := r.ReadBlockHeader()
		if r.Error != nil || n == 0 {
			return
		}
		if n < 0 || n > int64(a.items) {
			r.ReportError("block", fmt.Sprintf("%d items where the %d-byte payload has room for %d more (at most its length + %d items in all)", n, a.size, a.items, maxZeroWidth))
			return
		}
		a.items -= int(n)
		for range n {
			item()
			if r.Error != nil {
				return
			}
		}
	}
}

// writeAvro writes the generic value v as s; at names where v is, for errors.
func writeAvro(w *avro.Writer, s avro.Schema, v any, at string) error {
	bad := func(want string) error {
		return fmt.Errorf("%s: %T does not fit %s", field(at), v, want)
	}
	switch s.Type() {
	case avro.Null:
		if v != nil {
			return bad("null")
		}
	case avro.Boolean:
		b, ok := v.(bool)
		if !ok {
			return bad("boolean")
		}
		w.WriteBool(b)
	case avro.Int, avro.Long:
		n, ok := params.AsInt(v)
		if !ok {
			return bad(string(s.Type()))
		}
		if s.Type() == avro.Int {
			if n < math.MinInt32 || n > math.MaxInt32 {
				return fmt.Errorf("%s: %d does not fit int", field(at), n)
			}
			w.WriteInt(int32(n))
		} else {
			w.WriteLong(n)
		}
	case avro.Float, avro.Double:
		f, ok := float(v)
		if !ok {
			return bad(string(s.Type()))
		}
		if s.Type() == avro.Float {
			w.WriteFloat(float32(f))
		} else {
			w.WriteDouble(f)
		}
	case avro.String:
		str, ok := v.(string)
		if !ok {
			return bad("string")
		}
		w.WriteString(str)
	case avro.Bytes:
		switch b := v.(type) {
		case []byte:
			w.WriteBytes(b)
		case string:
			w.WriteBytes([]byte(b))
		default:
			return bad("bytes")
		}
	case avro.Fixed:
		fs := s.(*avro.FixedSchema)
		var b []byte
		switch x := v.(type) {
		case []byte:
			b = x
		case string:
			b = []byte(x)
		default:
			return bad("fixed")
		}
		if len(b) != fs.Size() {
			return fmt.Errorf("%s: %d bytes for a fixed of %d", field(at), len(b), fs.Size())
		}
		_, _ = w.Write(b)
	case avro.Enum:
		es := s.(*avro.EnumSchema)
		str, ok := v.(string)
		if !ok {
			return bad("enum " + es.FullName())
		}
		for i, sym := range es.Symbols() {
			if sym == str {
				w.WriteInt(int32(i))
				return nil
			}
		}
		return fmt.Errorf("%s: %q is not a symbol of enum %s", field(at), str, es.FullName())
	case avro.Record:
		rs := s.(*avro.RecordSchema)
		m, ok := v.(map[string]any)
		if !ok {
			return bad("record " + rs.FullName())
		}
		for _, f := range rs.Fields() {
			fv, present := m[f.Name()]
			if !present {
				if !f.HasDefault() {
					return fmt.Errorf("%s: missing field %q of record %s", field(at), f.Name(), rs.FullName())
				}
				fv = f.Default()
			}
			if err := writeAvro(w, f.Type(), fv, join(at, f.Name())); err != nil {
				return err
			}
		}
		for k := range m {
			if rs.Fields() != nil && !hasField(rs, k) {
				return fmt.Errorf("%s: record %s has no field %q", field(at), rs.FullName(), k)
			}
		}
	case avro.Ref:
		return writeAvro(w, s.(*avro.RefSchema).Schema(), v, at)
	case avro.Array:
		items, ok := v.([]any)
		if !ok {
			return bad("array")
		}
		if len(items) > 0 {
			w.WriteLong(int64(len(items)))
			for i, it := range items {
				if err := writeAvro(w, s.(*avro.ArraySchema).Items(), it, join(at, fmt.Sprint(i))); err != nil {
					return err
				}
			}
		}
		w.WriteLong(0)
	case avro.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return bad("map")
		}
		if len(m) > 0 {
			w.WriteLong(int64(len(m)))
			for k, mv := range m {
				w.WriteString(k)
				if err := writeAvro(w, s.(*avro.MapSchema).Values(), mv, join(at, k)); err != nil {
					return err
				}
			}
		}
		w.WriteLong(0)
	case avro.Union:
		var errs []error
		for i, t := range s.(*avro.UnionSchema).Types() {
			var probe bytes.Buffer
			pw := avro.NewWriter(&probe, 64, avro.WithWriterConfig(avroAPI))
			if err := writeAvro(pw, t, v, at); err != nil {
				errs = append(errs, err)
				continue
			}
			_ = pw.Flush()
			w.WriteLong(int64(i))
			_, _ = w.Write(probe.Bytes())
			return nil
		}
		return fmt.Errorf("%s: fits no branch of the union: %w", field(at), errors.Join(errs...))
	default:
		return bad(string(s.Type()))
	}
	return nil
}

func hasField(rs *avro.RecordSchema, name string) bool {
	for _, f := range rs.Fields() {
		if f.Name() == name {
			return true
		}
	}
	return false
}

func field(at string) string {
	if at == "" {
		return "value"
	}
	return "field " + at
}

func join(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}

// float reads v as a float: Go numbers, json.Number.
func float(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}
