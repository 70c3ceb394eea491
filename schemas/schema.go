package schemas

import (
	"context"
	"fmt"
)

// Encode encodes v with s in the wire format (header included). v is a Go
// value of the schema's shape or its generic form; one that does not fit
// wraps ErrMismatch.
func (s *Schema) Encode(v any) ([]byte, error) {
	out, err := s.codec.appendEncode(appendHeader(make([]byte, 0, 64), s.ID), v)
	if err != nil {
		return nil, fmt.Errorf("schema id %d: %w", s.ID, err)
	}
	return out, nil
}

// EncodeJSON encodes a JSON document with s in the wire format, as
// `produce --schema` does: Avro unions take the first branch the value
// fits; Protobuf reads the document as protojson.
func (s *Schema) EncodeJSON(doc []byte) ([]byte, error) {
	out, err := s.codec.appendJSON(appendHeader(make([]byte, 0, 64), s.ID), doc)
	if err != nil {
		return nil, fmt.Errorf("schema id %d: %w", s.ID, err)
	}
	return out, nil
}

// Decode reads raw, a payload in the wire format, into its generic form
// with the schema its header names, which it returns too.
func (r *Registry) Decode(ctx context.Context, raw []byte) (any, *Schema, error) {
	s, payload, err := r.schemaOf(ctx, raw)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.codec.generic(payload)
	if err != nil {
		return nil, s, fmt.Errorf("schema id %d: %w", s.ID, err)
	}
	return v, s, nil
}

// schemaOf reads raw's header and returns the schema it names and what
// follows the header; its errors are those of header and SchemaByID.
func (r *Registry) schemaOf(ctx context.Context, raw []byte) (*Schema, []byte, error) {
	id, payload, err := header(raw)
	if err != nil {
		return nil, nil, err
	}
	s, err := r.SchemaByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return s, payload, nil
}
