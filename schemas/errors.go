package schemas

import (
	"errors"

	"github.com/karafka-actors/karafka-actors/params"
)

var (
	// ErrInvalidConfig reports a registry Config that cannot work, naming
	// its key.
	ErrInvalidConfig = errors.New("schemas: invalid config")

	// ErrWireFormat reports a payload that is not in the registry's wire
	// format: empty, a magic byte other than 0, or cut short in its header.
	ErrWireFormat = errors.New("schemas: not in the schema registry wire format")

	// ErrUnknownSchema reports a schema id the registry does not have
	// (never registered, or deleted for good).
	ErrUnknownSchema = errors.New("schemas: schema id not found in the registry")

	// ErrUnknownSubject reports a subject the registry has no version of.
	ErrUnknownSubject = errors.New("schemas: subject not found in the registry")

	// ErrMismatch reports a payload or a value that does not fit its schema
	// (truncated, trailing bytes, a wrong type, a missing field).
	ErrMismatch = errors.New("schemas: does not fit the schema")

	// ErrWrongFormat reports a schema of a format the parser or subject was
	// not declared with (an Avro route reading a Protobuf record).
	ErrWrongFormat = errors.New("schemas: schema of another format")

	// ErrUnknownFormat reports a format name (ParseFormat) or a registry
	// schema type this package does not read.
	ErrUnknownFormat = errors.New("schemas: unknown format")

	// ErrInvalidSchema reports a schema text that does not compile, or one
	// the registry refused.
	ErrInvalidSchema = errors.New("schemas: invalid schema")

	// ErrIncompatible reports a schema the registry found incompatible with
	// a subject's versions.
	ErrIncompatible = errors.New("schemas: schema incompatible with the subject")

	// ErrNotConfigured reports a parser or writer of an application with no
	// schema registry configured (schema_registry.urls empty).
	ErrNotConfigured = errors.New("schemas: no schema registry is configured (set schema_registry.urls, e.g. --set schema_registry.urls=URL or KARAFKA_SCHEMA_REGISTRY_URLS; server --embedded-broker serves one in process)")

	// ErrUnavailable reports a registry that could not be reached, or
	// answered anything but a verdict on what was asked (a server error, a
	// refused login, a proxy's or a gateway's error), after
	// Config.Retries. It comes with
	// params.ErrUnavailable, so the runtime waits instead of
	// dead-lettering.
	ErrUnavailable = errors.New("schemas: schema registry unavailable")
)

// unavailable wraps err as a registry outage: it matches ErrUnavailable and
// params.ErrUnavailable.
type unavailable struct{ err error }

func (u unavailable) Error() string   { return u.err.Error() }
func (u unavailable) Unwrap() []error { return []error{u.err, ErrUnavailable, params.ErrUnavailable} }

// parseError makes err (a fault of the payload) match params.ErrParse too.
type parseError struct{ err error }

func (p parseError) Error() string   { return p.err.Error() }
func (p parseError) Unwrap() []error { return []error{p.err, params.ErrParse} }

// forParams returns err as a parser must: an outage as it is (it matches
// params.ErrUnavailable), anything else matching params.ErrParse.
func forParams(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) || errors.Is(err, params.ErrParse) {
		return err
	}
	return parseError{err}
}
