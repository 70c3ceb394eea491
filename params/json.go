package params

import (
	"encoding/json"
	"errors"
	"fmt"
)

// JSON is the default parser. Check validates the payload as JSON; Parse
// returns map[string]any, []any or a scalar, with numbers as float64; Decode
// is json.Unmarshal. Check is about syntax only: a number no float64 holds
// (1e400) passes Check, and Parse, or a Decode into a float64, refuses it.
var JSON Parser = jsonParser{}

var (
	_ Parser      = jsonParser{}
	_ CheckProver = jsonParser{}
)

type jsonParser struct{}

func (jsonParser) Name() string { return "json" }

// DecodeProvesCheck is true: json.Unmarshal validates the whole payload
// before decoding, so a successful Parse or Decode proves Check.
func (jsonParser) DecodeProvesCheck() bool { return true }

func (jsonParser) Check(raw []byte) error {
	if json.Valid(raw) {
		return nil
	}
	// Only on failure: unmarshal into a RawMessage, which validates without
	// building values, to learn where the payload goes wrong.
	var rm json.RawMessage
	err := json.Unmarshal(raw, &rm)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: invalid JSON at byte %d: %w", ErrParse, se.Offset, err)
	}
	if err != nil {
		return fmt.Errorf("%w: invalid JSON: %w", ErrParse, err)
	}
	return fmt.Errorf("%w: invalid JSON", ErrParse)
}

func (jsonParser) Parse(raw []byte) (any, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("%w: json: %w", ErrParse, err)
	}
	return v, nil
}

func (jsonParser) Decode(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: json: %w", ErrParse, err)
	}
	return nil
}
