package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// produceSchemaFlags are produce's options for values encoded with a
// schema of the registry.
type produceSchemaFlags struct {
	file, typ, subject string
}

func (f *produceSchemaFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.file, "schema", "", "encode each line, a JSON document, with the schema in `FILE` (registered under --subject) in the registry's wire format")
	fs.StringVar(&f.typ, "type", "", "the --schema file's `TYPE`: avro, protobuf or jsonschema (default: by its extension, .avsc avro, .proto protobuf, .json jsonschema; give avro for an Avro .json)")
	fs.StringVar(&f.subject, "subject", "", "the `SUBJECT` --schema is registered under (default <topic>-value); alone: encode with its latest version")
}

// enabled reports whether values are encoded with a schema.
func (f *produceSchemaFlags) enabled() bool { return f.file != "" || f.subject != "" }

// check checks the schema flags together and with produce's others; set
// says which flags were given.
func (f *produceSchemaFlags) check(pf produceFlags, set func(string) bool) error {
	switch {
	case set("type") && f.file == "":
		return errors.New("--type is the type of a --schema file: give --schema FILE too (or --subject alone to use a subject's latest version)")
	case set("subject") && f.subject == "":
		return errors.New("--subject is empty: give the subject, e.g. --subject orders-value")
	case set("schema") && f.file == "":
		return errors.New("--schema is empty: give the schema file")
	case f.enabled() && pf.tombstone:
		return errors.New("--tombstone sends null values, which no schema encodes: drop --schema and --subject")
	}
	if f.file != "" {
		if _, err := schemaType("--schema", f.file, f.typ); err != nil {
			return err
		}
	}
	return nil
}

// schema returns the schema produce encodes values of topic with: the
// --schema file registered under the subject (Register finds an identical
// version already there), or the subject's latest version.
func (f *produceSchemaFlags) schema(cmd *cobra.Command, r *runner, s Settings, topic string) (*schemas.Schema, error) {
	var format schemas.Format
	var text string
	if f.file != "" {
		format, _ = schemaType("--schema", f.file, f.typ) // checked
		var err error
		if text, err = readSchemaFile(f.file, format); err != nil {
			return nil, err
		}
	}
	reg, err := r.registryOf(cmd, s, "produce --schema")
	if err != nil {
		return nil, err
	}
	subject := f.subject
	if subject == "" {
		subject = topic + "-value"
	}
	if f.file == "" {
		sch, err := reg.Latest(cmd.Context(), subject)
		if err != nil {
			return nil, registryFailure(s, fmt.Errorf("--subject %s: %w", subject, err))
		}
		return sch, nil
	}
	sch, err := reg.Register(cmd.Context(), subject, format, text)
	if err != nil {
		return nil, schemaFileFailure(s, f.file, err)
	}
	return sch, nil
}

// encodeLines makes parse encode each value with sch: a line's value is a
// JSON document of the schema's shape. A null value (--null-value) is sent
// as null.
func encodeLines(parse lineParser, sch *schemas.Schema) lineParser {
	return func(line []byte) (*producer.Message, error) {
		m, err := parse(line)
		if err != nil || m.Value == nil {
			return m, err
		}
		if m.Value, err = sch.EncodeJSON(m.Value); err != nil {
			return nil, fmt.Errorf("subject %s version %d: %w", escapeField([]byte(sch.Subject)), sch.Version, err)
		}
		return m, nil
	}
}
