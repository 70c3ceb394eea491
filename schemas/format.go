package schemas

import (
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/sr"
)

// Format is a schema language the registry holds.
type Format int

// The formats.
const (
	Avro Format = iota + 1
	Protobuf
	JSONSchema
)

// Formats are every Format, in the order their names are listed.
var Formats = []Format{Avro, Protobuf, JSONSchema}

// String is the format's name: "avro", "protobuf" or "jsonschema".
func (f Format) String() string {
	switch f {
	case Avro:
		return "avro"
	case Protobuf:
		return "protobuf"
	case JSONSchema:
		return "jsonschema"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat reads a format name: avro, protobuf (or proto), jsonschema
// (or json), in any case.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "avro":
		return Avro, nil
	case "protobuf", "proto":
		return Protobuf, nil
	case "jsonschema", "json":
		return JSONSchema, nil
	}
	return 0, fmt.Errorf("%w %q (known: avro, protobuf, jsonschema)", ErrUnknownFormat, s)
}

// srType is f as the registry names it.
func (f Format) srType() sr.SchemaType {
	switch f {
	case Protobuf:
		return sr.TypeProtobuf
	case JSONSchema:
		return sr.TypeJSON
	}
	return sr.TypeAvro
}

// formatOf is the Format of a registry schema type; ErrUnknownFormat for
// a type this package does not read.
func formatOf(t sr.SchemaType) (Format, error) {
	switch t {
	case sr.TypeAvro:
		return Avro, nil
	case sr.TypeProtobuf:
		return Protobuf, nil
	case sr.TypeJSON:
		return JSONSchema, nil
	}
	return 0, fmt.Errorf("%w: schema type %d (this client reads AVRO, PROTOBUF and JSON)", ErrUnknownFormat, int(t))
}

// codec is one compiled schema. Every method is safe for concurrent use.
// payload is what follows the 5-byte header (for Protobuf, its message
// indexes come first). Errors of a payload or a value that does not fit
// wrap ErrMismatch (or ErrWireFormat).
type codec interface {
	// check validates payload against the schema, entirely.
	check(payload []byte) error
	// generic decodes payload into the generic form params' dotted access
	// walks: map[string]any, []any, string, bool, int64, float64, []byte,
	// nil (unions and oneofs as their value).
	generic(payload []byte) (any, error)
	// decode decodes payload into v (a pointer to a user struct, a
	// generated message, or *any for the generic form).
	decode(payload []byte, v any) error
	// appendEncode appends v encoded (with its Protobuf message indexes)
	// to b. v is a Go value of the schema's shape, or the generic form
	// (maps as decoded from JSON).
	appendEncode(b []byte, v any) ([]byte, error)
	// appendJSON appends the JSON document doc encoded to b (the CLI's
	// produce --schema).
	appendJSON(b []byte, doc []byte) ([]byte, error)
	// name is the schema's record or message name, or its title (""
	// when it has none), for Schema.Name.
	name() string
}

// source is a schema to compile: its text and the texts of the schemas it
// references, by reference name, dependencies first.
type source struct {
	format Format
	text   string
	refs   []namedText
}

type namedText struct{ name, text string }

// compilers compile a source of each format.
var compilers = map[Format]func(source) (codec, error){}

// compile compiles src; a failure wraps ErrInvalidSchema.
func compile(src source) (codec, error) {
	c, ok := compilers[src.format]
	if !ok {
		return nil, fmt.Errorf("%w: %w: %s", ErrInvalidSchema, ErrUnknownFormat, src.format)
	}
	cd, err := c(src)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidSchema, src.format, err)
	}
	return guarded{cd}, nil
}
