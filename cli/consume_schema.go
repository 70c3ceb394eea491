package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// undecodedMarker starts the value `consume --schema` could not decode,
// printed as it would be without --schema. No JSON value starts with "!".
const undecodedMarker = "!undecoded "

// valueDecoder is how `consume --schema` prints values: decoded from the
// registry's wire format with the schema their id names, as JSON.
type valueDecoder struct {
	reg  *schemas.Registry
	s    Settings
	raw  bool // --raw: the JSON as encoding/json writes it
	warn io.Writer
	// failed is the registry's outage that stopped consume.
	failed error
}

// value returns m's value as printed (field prints what is not decoded),
// or false when consume must stop: ctx ended, or the registry could not
// be reached (failed says why). A record that is not in the wire format,
// names an id the registry lacks, or does not fit its schema is printed
// after undecodedMarker, with the reason on warn: consume goes on.
func (d *valueDecoder) value(ctx context.Context, m *client.Record, field func([]byte) string) (string, bool) {
	if m.Value == nil {
		return "", true // a tombstone prints as an empty line, as without --schema
	}
	v, _, err := d.reg.Decode(ctx, m.Value)
	var out []byte
	if err == nil {
		out, err = marshalDecoded(v)
	}
	switch {
	case err == nil && d.raw:
		return string(out), true
	case err == nil:
		return string(safeJSON(out)), true
	case ctx.Err() != nil:
		return "", false
	case errors.Is(err, schemas.ErrUnavailable):
		d.failed = registryFailure(d.s, fmt.Errorf("partition %d offset %d: %w", m.Partition, m.Offset, err))
		return "", false
	}
	fmt.Fprintf(d.warn, "partition %d offset %d: value not decoded: %s\n", m.Partition, m.Offset, escapeText(err.Error()))
	return undecodedMarker + field(m.Value), true
}

// marshalDecoded is a decoded value as JSON (schemas.MarshalJSON).
func marshalDecoded(v any) ([]byte, error) {
	b, err := schemas.MarshalJSON(v)
	if err != nil {
		return nil, fmt.Errorf("printing the decoded value as JSON: %w", err)
	}
	return b, nil
}
