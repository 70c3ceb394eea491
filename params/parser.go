package params

import "fmt"

// Parser turns a record's raw payload into values. Implementations must be
// safe for concurrent use and must wrap every error they return with ErrParse.
//
// Life cycle for one record:
//  1. Check runs once, eagerly, when the record is ingested (New); it must be
//     cheap, and a failure makes the record a failed message.
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
