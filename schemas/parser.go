package schemas

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/karafka-actors/karafka-actors/params"
)

// Parser returns the params.Parser of records in the registry's wire format,
// for Route.Parser. Each record is read with the schema its header names
// (looked up once per id, then kept); formats, when given, are the only
// ones accepted (a record whose schema is of another format is malformed:
// ErrWrongFormat).
//
// Check reads the whole payload against its schema; Parse gives the generic
// form (records and objects as map[string]any, unions and oneofs as their
// value, integers as int64) for Params.Get and friends; Decode fills a Go
// value: a hamba/avro struct (`avro` tags) or map, a generated Protobuf
// message, a JSON-tagged struct for JSON Schema, or *any for the generic
// form. Decode checks as much as Check does, so a successful Decode proves
// the payload well formed and it is read once (params.CheckProver).
//
// A payload that is not in the wire format, names an id the registry does
// not have, or does not fit its schema fails with params.ErrParse and the
// reason (the runtime dead-letters it); a registry that cannot be reached
// fails with params.ErrUnavailable (the runtime waits and tries again).
func (r *Registry) Parser(formats ...Format) params.Parser {
	name := "schema"
	if len(formats) == 1 {
		name = formats[0].String()
	} else if len(formats) > 1 {
		names := make([]string, len(formats))
		for i, f := range formats {
			names[i] = f.String()
		}
		name = strings.Join(names, "|")
	}
	return &parser{reg: r, formats: slices.Clone(formats), name: name}
}

// Parser is the params.Parser Registry.Parser returns.
type parser struct {
	reg     *Registry
	formats []Format
	name    string
}

var (
	_ params.Parser      = (*parser)(nil)
	_ params.CheckProver = (*parser)(nil)
)

func (p *parser) Name() string { return p.name }

// Usable reports whether the parser's registry is configured.
func (p *parser) Usable() error { return p.reg.Usable() }

// DecodeProvesCheck is true: every format's Decode reads as much as Check.
func (p *parser) DecodeProvesCheck() bool { return true }

// lookup reads raw's header and finds its schema.
func (p *parser) lookup(raw []byte) (*Schema, []byte, error) {
	s, payload, err := p.reg.schemaOf(context.Background(), raw)
	if err != nil {
		return nil, nil, forParams(err)
	}
	if len(p.formats) > 0 && !slices.Contains(p.formats, s.Format) {
		return nil, nil, forParams(fmt.Errorf("%w: schema id %d is %s, the route reads %s", ErrWrongFormat, s.ID, s.Format, p.name))
	}
	return s, payload, nil
}

func (p *parser) Check(raw []byte) error {
	s, payload, err := p.lookup(raw)
	if err != nil {
		return err
	}
	if err := s.codec.check(payload); err != nil {
		return forParams(fmt.Errorf("schema id %d: %w", s.ID, err))
	}
	return nil
}

func (p *parser) Parse(raw []byte) (any, error) {
	s, payload, err := p.lookup(raw)
	if err != nil {
		return nil, err
	}
	v, err := s.codec.generic(payload)
	if err != nil {
		return nil, forParams(fmt.Errorf("schema id %d: %w", s.ID, err))
	}
	return v, nil
}

func (p *parser) Decode(raw []byte, v any) error {
	s, payload, err := p.lookup(raw)
	if err != nil {
		return err
	}
	if err := s.codec.decode(payload, v); err != nil {
		return forParams(fmt.Errorf("schema id %d: %w", s.ID, err))
	}
	return nil
}
