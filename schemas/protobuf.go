package schemas

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
)

func init() { compilers[Protobuf] = compileProtobuf }

// maxProtoDepth bounds how deeply a payload's messages may nest (the
// recursion limit of every unmarshal, and of the Any values the generic
// form opens).
const maxProtoDepth = 100

var (
	protoUnmarshal = proto.UnmarshalOptions{RecursionLimit: maxProtoDepth}
	protoMarshal   = proto.MarshalOptions{Deterministic: true}
)

type protoCodec struct {
	file  protoreflect.FileDescriptor
	first *protoMessage // nil: the file declares no message
	// byName is every message the file declares, nested ones included.
	byName map[protoreflect.FullName]*protoMessage
	// types resolves the messages and extensions of the file and of every
	// file it imports (then the linked-in generated types, for an Any of a
	// well-known type the file does not import).
	types protoTypes
	// same remembers, by the descriptor of a Go type's message, whether it
	// reads payloads exactly as the schema's message of its name does.
	same sync.Map
}

// protoMessage is one message of the schema file and its message indexes.
type protoMessage struct {
	desc    protoreflect.MessageDescriptor
	indexes []byte // encoded as appendIndexes writes them
}

// protoRoot names the schema's own file among its references.
const protoRoot = "schema.proto"

func compileProtobuf(src source) (codec, error) {
	files := make(map[string]string, len(src.refs)+1)
	for _, ref := range src.refs {
		files[ref.name] = ref.text
	}
	root := protoRoot
	for i := 2; ; i++ {
		if _, taken := files[root]; !taken {
			break
		}
		root = fmt.Sprintf("schema%d.proto", i)
	}
	files[root] = src.text
	comp := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
			Accessor: func(path string) (io.ReadCloser, error) {
				text, ok := files[path]
				if !ok {
					return nil, fmt.Errorf("%w (no reference of that name)", os.ErrNotExist)
				}
				return io.NopCloser(strings.NewReader(text)), nil
			},
		}),
		MaxParallelism: 1,
	}
	linked, err := comp.Compile(context.Background(), root)
	if err != nil {
		return nil, err
	}
	c := &protoCodec{file: linked[0], byName: map[protoreflect.FullName]*protoMessage{}}
	c.index(c.file.Messages(), nil)
	if c.file.Messages().Len() > 0 {
		c.first = c.byName[c.file.Messages().Get(0).FullName()]
	}
	reg := new(protoregistry.Files)
	if err := registerFile(reg, c.file); err != nil {
		return nil, err
	}
	c.types = protoTypes{dynamicpb.NewTypes(reg)}
	// Build the extension index now, not under the first payloads.
	_, _ = c.types.FindExtensionByNumber("", 0)
	return c, nil
}

// index records msgs and the messages nested in them, at their indexes.
func (c *protoCodec) index(msgs protoreflect.MessageDescriptors, at []int) {
	for i := range msgs.Len() {
		md := msgs.Get(i)
		idx := append(append([]int(nil), at...), i)
		c.byName[md.FullName()] = &protoMessage{desc: md, indexes: appendIndexes(nil, idx)}
		c.index(md.Messages(), idx)
	}
}

// registerFile registers f and, first, every file it imports.
func registerFile(reg *protoregistry.Files, f protoreflect.FileDescriptor) error {
	if _, err := reg.FindFileByPath(f.Path()); err == nil {
		return nil
	}
	imports := f.Imports()
	for i := range imports.Len() {
		if err := registerFile(reg, imports.Get(i).FileDescriptor); err != nil {
			return err
		}
	}
	return reg.RegisterFile(f)
}

func (c *protoCodec) name() string {
	if c.first == nil {
		return ""
	}
	return string(c.first.desc.FullName())
}

// message reads payload's message indexes: the message they select and the
// protobuf bytes after them.
func (c *protoCodec) message(payload []byte) (protoreflect.MessageDescriptor, []byte, error) {
	if len(payload) > 0 && payload[0] == 0 && c.first != nil {
		return c.first.desc, payload[1:], nil // [0], the usual case
	}
	idx, rest, err := indexes(payload)
	if err != nil {
		return nil, nil, err
	}
	msgs := c.file.Messages()
	var md protoreflect.MessageDescriptor
	for depth, i := range idx {
		if i >= msgs.Len() {
			where := "the schema file"
			if md != nil {
				where = "message " + string(md.FullName())
			}
			return nil, nil, fmt.Errorf("%w: protobuf: message indexes %v: index %d at depth %d is past the %d messages of %s", ErrMismatch, idx, i, depth, msgs.Len(), where)
		}
		md = msgs.Get(i)
		msgs = md.Messages()
	}
	return md, rest, nil
}

// read unmarshals body into a new message of md, checking it entirely
// (required fields, UTF-8 where the schema asks for it); unknown fields are
// kept, as protobuf allows them.
func (c *protoCodec) read(md protoreflect.MessageDescriptor, body []byte) (*dynamicpb.Message, error) {
	m := dynamicpb.NewMessage(md)
	opts := protoUnmarshal
	opts.Resolver = c.types.files
	if err := opts.Unmarshal(body, m); err != nil {
		return nil, fmt.Errorf("%w: protobuf: %s: %w", ErrMismatch, md.FullName(), err)
	}
	return m, nil
}

func (c *protoCodec) check(payload []byte) error {
	md, body, err := c.message(payload)
	if err != nil {
		return err
	}
	_, err = c.read(md, body)
	return err
}

func (c *protoCodec) generic(payload []byte) (any, error) {
	md, body, err := c.message(payload)
	if err != nil {
		return nil, err
	}
	m, err := c.read(md, body)
	if err != nil {
		return nil, err
	}
	return c.genericMessage(m, 0), nil
}

func (c *protoCodec) decode(payload []byte, v any) error {
	switch v := v.(type) {
	case *any:
		g, err := c.generic(payload)
		if err == nil {
			*v = g
		}
		return err
	case proto.Message:
		md, body, err := c.message(payload)
		if err != nil {
			return err
		}
		m := v.ProtoReflect()
		if !m.IsValid() {
			return fmt.Errorf("%w: protobuf: decode into a nil %T", ErrMismatch, v)
		}
		if got := m.Descriptor(); got.FullName() != md.FullName() {
			return fmt.Errorf("%w: protobuf: the payload is a %s, decoded into a %s (%T)", ErrMismatch, md.FullName(), got.FullName(), v)
		}
		if !c.sameShape(md, m.Descriptor()) {
			// The Go type reads differently from the schema: check the
			// payload against the schema first.
			if _, err := c.read(md, body); err != nil {
				return err
			}
		}
		if err := protoUnmarshal.Unmarshal(body, v); err != nil {
			return fmt.Errorf("%w: protobuf: %s: %w", ErrMismatch, md.FullName(), err)
		}
		return nil
	}
	return fmt.Errorf("%w: protobuf: cannot decode into %T (want a generated proto.Message or *any)", ErrMismatch, v)
}

func (c *protoCodec) appendEncode(b []byte, v any) ([]byte, error) {
	pm, ok := v.(proto.Message)
	if !ok {
		// The generic form (or any value that marshals to the message's
		// JSON): read as protojson into the first message.
		doc, err := MarshalJSON(v)
		if err != nil {
			return nil, fmt.Errorf("%w: protobuf: %T: %w", ErrMismatch, v, err)
		}
		return c.appendJSON(b, doc)
	}
	m := pm.ProtoReflect()
	if !m.IsValid() {
		return nil, fmt.Errorf("%w: protobuf: encode a nil %T", ErrMismatch, v)
	}
	name := m.Descriptor().FullName()
	sm := c.byName[name]
	if sm == nil {
		return nil, fmt.Errorf("%w: protobuf: %s (%T) is not a message of the schema (%s)", ErrMismatch, name, v, c.messageNames())
	}
	b = append(b, sm.indexes...)
	start := len(b)
	b, err := protoMarshal.MarshalAppend(b, pm)
	if err != nil {
		return nil, fmt.Errorf("%w: protobuf: %s: %w", ErrMismatch, name, err)
	}
	if !c.sameShape(sm.desc, m.Descriptor()) {
		if _, err := c.read(sm.desc, b[start:]); err != nil {
			return nil, fmt.Errorf("%T encoded does not read as the schema's message: %w", v, err)
		}
	}
	return b, nil
}

func (c *protoCodec) appendJSON(b []byte, doc []byte) ([]byte, error) {
	if c.first == nil {
		return nil, fmt.Errorf("%w: protobuf: the schema declares no message", ErrMismatch)
	}
	m := dynamicpb.NewMessage(c.first.desc)
	opts := protojson.UnmarshalOptions{Resolver: c.types, RecursionLimit: maxProtoDepth}
	if err := opts.Unmarshal(doc, m); err != nil {
		return nil, fmt.Errorf("%w: protobuf: %s: %w", ErrMismatch, c.first.desc.FullName(), err)
	}
	b = append(b, c.first.indexes...)
	b, err := protoMarshal.MarshalAppend(b, m)
	if err != nil {
		return nil, fmt.Errorf("%w: protobuf: %s: %w", ErrMismatch, c.first.desc.FullName(), err)
	}
	return b, nil
}

// messageNames lists the schema's top-level messages, for errors.
func (c *protoCodec) messageNames() string {
	msgs := c.file.Messages()
	if msgs.Len() == 0 {
		return "it declares no message"
	}
	names := make([]string, msgs.Len())
	for i := range names {
		names[i] = string(msgs.Get(i).FullName())
	}
	return "its messages: " + strings.Join(names, ", ")
}

// sameShape reports whether goType, the descriptor of a Go type's message,
// reads every payload as schema does: then decoding into the Go type
// checks as much as check, and encoding from it writes what check reads.
func (c *protoCodec) sameShape(schema, goType protoreflect.MessageDescriptor) bool {
	if goType == schema {
		return true
	}
	cacheable := reflect.TypeOf(goType).Comparable()
	if cacheable {
		if same, ok := c.same.Load(goType); ok {
			return same.(bool)
		}
	}
	same := sameShape(schema, goType, map[protoreflect.FullName]bool{})
	if cacheable {
		c.same.Store(goType, same)
	}
	return same
}

// sameShape compares what decides whether a payload reads: field numbers,
// kinds, cardinality (required fields), maps, UTF-8 validation, and the
// same of every message field, recursively. Messages with extension ranges
// never count as the same (their extensions resolve differently).
func sameShape(a, b protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) bool {
	if a.FullName() != b.FullName() || a.IsMapEntry() != b.IsMapEntry() ||
		a.ExtensionRanges().Len() > 0 || b.ExtensionRanges().Len() > 0 {
		return false
	}
	if seen[a.FullName()] {
		return true
	}
	seen[a.FullName()] = true
	af, bf := a.Fields(), b.Fields()
	if af.Len() != bf.Len() {
		return false
	}
	for i := range af.Len() {
		fa := af.Get(i)
		fb := bf.ByNumber(fa.Number())
		if fb == nil || fa.Kind() != fb.Kind() || fa.Cardinality() != fb.Cardinality() ||
			fa.IsMap() != fb.IsMap() || enforceUTF8(fa) != enforceUTF8(fb) {
			return false
		}
		if fa.Message() != nil && !sameShape(fa.Message(), fb.Message(), seen) {
			return false
		}
	}
	return true
}

// enforceUTF8 is whether unmarshal validates fd's strings as UTF-8, as
// google.golang.org/protobuf decides it.
func enforceUTF8(fd protoreflect.FieldDescriptor) bool {
	if fd.Kind() != protoreflect.StringKind {
		return false
	}
	if fd.Syntax() == protoreflect.Editions {
		if e, ok := fd.(interface{ EnforceUTF8() bool }); ok {
			return e.EnforceUTF8()
		}
	}
	return fd.Syntax() == protoreflect.Proto3
}

// protoTypes resolves messages (for Any) and extensions of the schema's
// files, then messages of the generated well-known types.
type protoTypes struct{ files *dynamicpb.Types }

func (t protoTypes) FindMessageByName(name protoreflect.FullName) (protoreflect.MessageType, error) {
	mt, err := t.files.FindMessageByName(name)
	if errors.Is(err, protoregistry.NotFound) {
		return protoregistry.GlobalTypes.FindMessageByName(name)
	}
	return mt, err
}

func (t protoTypes) FindMessageByURL(url string) (protoreflect.MessageType, error) {
	mt, err := t.files.FindMessageByURL(url)
	if errors.Is(err, protoregistry.NotFound) {
		return protoregistry.GlobalTypes.FindMessageByURL(url)
	}
	return mt, err
}

func (t protoTypes) FindExtensionByName(name protoreflect.FullName) (protoreflect.ExtensionType, error) {
	return t.files.FindExtensionByName(name)
}

func (t protoTypes) FindExtensionByNumber(message protoreflect.FullName, n protoreflect.FieldNumber) (protoreflect.ExtensionType, error) {
	return t.files.FindExtensionByNumber(message, n)
}

// genericMessage is m in the generic form, shaped as protojson writes it
// (with EmitDefaultValues), so the form encodes back through protojson:
// fields by their .proto names; a field without presence (a proto3
// scalar, a list, a map) always, at its default when unset; a field with
// presence (a message, an optional, a oneof's) only when set; integers as
// int64 (a uint64 past it as uint64), floats as float64, bytes as []byte,
// enums by name (a number the enum does not name as int64), lists as
// []any, maps as map[string]any keyed by the key's text. Well-known types
// read as in JSON: a Timestamp as its RFC 3339 text, a Duration as "1.5s",
// a wrapper as its value, a Struct, Value or ListValue as the JSON value,
// a FieldMask as its text, an Any as its message with "@type" (when its
// type is known and it reads; else as type_url and value).
func (c *protoCodec) genericMessage(m protoreflect.Message, depth int) any {
	md := m.Descriptor()
	if md.FullName().Parent() == "google.protobuf" {
		if v, ok := c.wellKnown(m, depth); ok {
			return v
		}
	}
	fields := md.Fields()
	out := make(map[string]any, fields.Len())
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.HasPresence() && !m.Has(fd) {
			continue
		}
		out[string(fd.Name())] = c.genericField(fd, m.Get(fd), depth)
	}
	return out
}

func (c *protoCodec) genericField(fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) any {
	switch {
	case fd.IsList():
		l := v.List()
		out := make([]any, l.Len())
		for i := range out {
			out[i] = c.genericValue(fd, l.Get(i), depth)
		}
		return out
	case fd.IsMap():
		mp := v.Map()
		out := make(map[string]any, mp.Len())
		vd := fd.MapValue()
		mp.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
			out[k.String()] = c.genericValue(vd, v, depth)
			return true
		})
		return out
	}
	return c.genericValue(fd, v, depth)
}

// genericValue is one value of fd (an element, for a list or map).
func (c *protoCodec) genericValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) any {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return v.Bool()
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			if fd.Enum().FullName() == "google.protobuf.NullValue" {
				return nil
			}
			return string(ev.Name())
		}
		return int64(v.Enum())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return v.Int()
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if u := v.Uint(); u > math.MaxInt64 {
			return u
		}
		return int64(v.Uint())
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return v.Float()
	case protoreflect.StringKind:
		return v.String()
	case protoreflect.BytesKind:
		return v.Bytes()
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return c.genericMessage(v.Message(), depth)
	}
	return v.Interface()
}

// wellKnown is m, a google.protobuf message, as protojson writes it; false
// for a message it writes as any other (or one invalid as its type).
func (c *protoCodec) wellKnown(m protoreflect.Message, depth int) (any, bool) {
	md := m.Descriptor()
	field := func(name protoreflect.Name) (protoreflect.FieldDescriptor, protoreflect.Value) {
		fd := md.Fields().ByName(name)
		if fd == nil {
			return nil, protoreflect.Value{}
		}
		return fd, m.Get(fd)
	}
	switch md.FullName() {
	case "google.protobuf.Timestamp":
		s, n, ok := secondsNanos(field)
		if !ok || s < minTimestamp || s > maxTimestamp || n < 0 || n >= 1e9 {
			return nil, false
		}
		t := time.Unix(s, n).UTC().Format("2006-01-02T15:04:05.000000000")
		return trimNanos(t) + "Z", true
	case "google.protobuf.Duration":
		s, n, ok := secondsNanos(field)
		if !ok || s < -maxDuration || s > maxDuration || n <= -1e9 || n >= 1e9 || (s > 0 && n < 0) || (s < 0 && n > 0) {
			return nil, false
		}
		sign := ""
		if s < 0 || n < 0 {
			sign, s, n = "-", -s, -n
		}
		return trimNanos(fmt.Sprintf("%s%d.%09d", sign, s, n)) + "s", true
	case "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
		"google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
		"google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue":
		fd, v := field("value")
		if fd == nil || md.Fields().Len() != 1 || fd.Cardinality() == protoreflect.Repeated {
			return nil, false
		}
		return c.genericValue(fd, v, depth), true
	case "google.protobuf.Struct":
		fd, v := field("fields")
		if fd == nil || !fd.IsMap() || !isValue(fd.MapValue().Message()) {
			return nil, false
		}
		return c.genericField(fd, v, depth), true
	case "google.protobuf.ListValue":
		fd, v := field("values")
		if fd == nil || !fd.IsList() || !isValue(fd.Message()) {
			return nil, false
		}
		return c.genericField(fd, v, depth), true
	case "google.protobuf.Value":
		od := md.Oneofs().ByName("kind")
		if od == nil {
			return nil, false
		}
		fd := m.WhichOneof(od)
		if fd == nil {
			return nil, true
		}
		return c.genericValue(fd, m.Get(fd), depth), true
	case "google.protobuf.FieldMask":
		out, err := protojson.Marshal(m.Interface())
		var text string
		if err != nil || json.Unmarshal(out, &text) != nil {
			return nil, false
		}
		return text, true
	case "google.protobuf.Any":
		return c.genericAny(m, depth)
	}
	return nil, false
}

// The ranges protojson accepts: years 1 to 9999, and ±10000 years.
const (
	minTimestamp = -62135596800
	maxTimestamp = 253402300799
	maxDuration  = 315576000000
)

func secondsNanos(field func(protoreflect.Name) (protoreflect.FieldDescriptor, protoreflect.Value)) (int64, int64, bool) {
	sf, s := field("seconds")
	nf, n := field("nanos")
	if sf == nil || nf == nil || sf.Kind() != protoreflect.Int64Kind || nf.Kind() != protoreflect.Int32Kind ||
		sf.Cardinality() == protoreflect.Repeated || nf.Cardinality() == protoreflect.Repeated {
		return 0, 0, false
	}
	return s.Int(), n.Int(), true
}

// trimNanos drops trailing groups of three zeros of a 9-digit fraction,
// as protojson writes them.
func trimNanos(s string) string {
	s = strings.TrimSuffix(s, "000")
	s = strings.TrimSuffix(s, "000")
	return strings.TrimSuffix(s, ".000")
}

func isValue(md protoreflect.MessageDescriptor) bool {
	return md != nil && md.FullName() == "google.protobuf.Value"
}

// genericAny opens an Any: its message with "@type" (a well-known type as
// {"@type": ..., "value": ...}), as protojson writes it. An Any nested past
// maxProtoDepth, of an unknown type, or whose value does not read, stays
// as its two fields.
func (c *protoCodec) genericAny(m protoreflect.Message, depth int) (any, bool) {
	md := m.Descriptor()
	uf, vf := md.Fields().ByName("type_url"), md.Fields().ByName("value")
	if uf == nil || vf == nil || uf.Kind() != protoreflect.StringKind || vf.Kind() != protoreflect.BytesKind ||
		uf.Cardinality() == protoreflect.Repeated || vf.Cardinality() == protoreflect.Repeated || depth >= maxProtoDepth {
		return nil, false
	}
	url := m.Get(uf).String()
	mt, err := c.types.FindMessageByURL(url)
	if err != nil {
		return nil, false
	}
	inner := mt.New()
	opts := protoUnmarshal
	opts.Resolver = c.types.files
	if err := opts.Unmarshal(m.Get(vf).Bytes(), inner.Interface()); err != nil {
		return nil, false
	}
	v := c.genericMessage(inner, depth+1)
	if fields, ok := v.(map[string]any); ok && !wellKnownJSON(inner.Descriptor()) {
		fields["@type"] = url
		return fields, true
	}
	return map[string]any{"@type": url, "value": v}, true
}

// wellKnownJSON is whether protojson writes md as other than an object of
// its fields (so inside an Any under "value").
func wellKnownJSON(md protoreflect.MessageDescriptor) bool {
	switch md.FullName() {
	case "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.DoubleValue",
		"google.protobuf.FloatValue", "google.protobuf.Int64Value", "google.protobuf.UInt64Value",
		"google.protobuf.Int32Value", "google.protobuf.UInt32Value", "google.protobuf.BoolValue",
		"google.protobuf.StringValue", "google.protobuf.BytesValue", "google.protobuf.Struct",
		"google.protobuf.ListValue", "google.protobuf.Value", "google.protobuf.FieldMask",
		"google.protobuf.Any", "google.protobuf.Empty":
		return true
	}
	return false
}
