package schemas

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
)

// A registry schema of a type this client does not read fails to compile,
// naming the type; it was compiled as Avro.
func TestCompile_unknownSchemaType(t *testing.T) {
	reg := Unconfigured()
	_, err := reg.compile(context.Background(), sr.SubjectSchema{ID: 5, Schema: sr.Schema{Type: sr.SchemaType(7), Schema: `"long"`}})
	if !errors.Is(err, ErrInvalidSchema) || !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "schema id 5") || !strings.Contains(err.Error(), "schema type 7") {
		t.Fatalf("compile = %v, want ErrInvalidSchema naming the id and the type", err)
	}
	for _, typ := range []sr.SchemaType{sr.TypeAvro, sr.TypeProtobuf, sr.TypeJSON} {
		f, err := formatOf(typ)
		if err != nil || f.srType() != typ {
			t.Errorf("formatOf(%v) = %v, %v", typ, f, err)
		}
	}
}
