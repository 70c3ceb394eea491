package params

import "fmt"

// Raw passes the payload through untouched: Check accepts anything, Parse
// returns the []byte itself, and Decode fills a *[]byte (sharing the payload's
// memory) or a *string (a copy).
var Raw Parser = rawParser{}

var (
	_ Parser      = rawParser{}
	_ CheckProver = rawParser{}
)

type rawParser struct{}

func (rawParser) Name() string { return "raw" }

func (rawParser) Check([]byte) error { return nil }

// DecodeProvesCheck is true: Check accepts everything.
func (rawParser) DecodeProvesCheck() bool { return true }

func (rawParser) Parse(raw []byte) (any, error) { return raw, nil }

func (rawParser) Decode(raw []byte, v any) error {
	switch t := v.(type) {
	case *[]byte:
		if t == nil {
			return fmt.Errorf("%w: raw: cannot decode into a nil *[]byte", ErrParse)
		}
		*t = raw
	case *string:
		if t == nil {
			return fmt.Errorf("%w: raw: cannot decode into a nil *string", ErrParse)
		}
		*t = string(raw)
	default:
		return fmt.Errorf("%w: raw: cannot decode into %T (want *[]byte or *string)", ErrParse, v)
	}
	return nil
}
