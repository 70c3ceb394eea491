package params

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Get returns the value at a dotted path into the parsed payload: "user.id"
// reads key "id" of object "user", "items.0.id" reads element 0 of array
// "items". The empty path is the whole value. It reports false when the path
// is absent or the payload does not parse.
func (p *Params) Get(path string) (any, bool) {
	v, err := p.Value()
	if err != nil {
		return nil, false
	}
	if path == "" {
		return v, true
	}
	for {
		seg, rest, more := strings.Cut(path, ".")
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[seg]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
		if !more {
			return v, true
		}
		path = rest
	}
}

// String returns the string at path; false when absent or not a string.
func (p *Params) String(path string) (string, bool) {
	v, ok := p.Get(path)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

// Bool returns the boolean at path; false when absent or not a boolean.
func (p *Params) Bool(path string) (bool, bool) {
	v, ok := p.Get(path)
	if !ok {
		return false, false
	}
	b, ok := v.(bool)
	return b, ok
}

// Int returns the integer at path, as AsInt reads it; false when absent or
// not an integer that fits in an int64.
func (p *Params) Int(path string) (int64, bool) {
	v, ok := p.Get(path)
	if !ok {
		return 0, false
	}
	return AsInt(v)
}

// AsInt reads v as an integer. A float64 (how JSON numbers parse) counts
// only when it is integral and fits in an int64; json.Number and Go integer
// types count when they fit. It reports false otherwise.
func AsInt(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		if n != math.Trunc(n) || n < math.MinInt64 || n >= math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		if uint64(n) > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		if n > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	}
	return 0, false
}
