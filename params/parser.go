package params

import "fmt"

// Parser turns a record's raw payload into values. Implementations must be
// safe for concurrent use and must wrap every error they return with ErrParse,
// or with ErrUnavailable when the payload could not be looked at because a
// service the parser needs (a schema registry) is unavailable: such a
// message waits and is tried again, never dead-lettered for it.
//
// Life cycle for one record:
//  1. Check decides whether the payload is well formed; it must be cheap. A
//     payload it rejects is a failed message that no retry can fix: the
//     runtime dead-letters it and never answers it. Check runs once, eagerly,
//     when the record is ingested (New, Lazy), before any filter or
//     controller sees it. The one exception is a parser that implements
//     [CheckProver] and says a successful Parse or Decode proves its Check
//     (JSON and Raw do): its Check is deferred, so that a payload the
//     controller decodes is scanned once; a payload never successfully
//     parsed or decoded is checked after the controller ran, and the
//     rejection still wins over whatever the controller made of it.
//  2. Parse runs at most once, lazily, the first time the generic value is
//     asked for (Params.Value, Params.Get and friends).
//  3. Decode runs each time the controller decodes into a typed value; it goes
//     from raw bytes to v without an intermediate generic value.
type Parser interface {
	// Name is the name the parser is looked up by ("json", "raw").
	Name() string
	// Check validates raw cheaply.
	Check(raw []byte) error
	// Parse returns the generic parsed value of raw.
	Parse(raw []byte) (any, error)
	// Decode decodes raw into v, which is usually a pointer.
	Decode(raw []byte, v any) error
}

// CheckProver is an optional interface of a [Parser]. DecodeProvesCheck
// returns true when every payload that Parse or Decode accepts also passes
// Check (JSON: json.Unmarshal rejects whatever json.Valid rejects), so a
// successful Parse or Decode makes the separate Check unnecessary. A parser
// whose Check looks for more than its Decode does (a schema, a size limit, a
// required field) must not claim it: wrapping JSON in a struct with its own
// Check, as in struct{ params.Parser }, does not inherit it.
type CheckProver interface {
	DecodeProvesCheck() bool
}

// provesCheck reports whether p's Check is proven by a successful Parse or Decode.
func provesCheck(p Parser) bool {
	cp, ok := p.(CheckProver)
	return ok && cp.DecodeProvesCheck()
}

// Lookup returns the built-in parser registered under name: "json" or "raw".
func Lookup(name string) (Parser, error) {
	switch name {
	case "json":
		return JSON, nil
	case "raw":
		return Raw, nil
	}
	return nil, fmt.Errorf("%w %q (known: json, raw)", ErrUnknownParser, name)
}
