package cli

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/karafka-actors/karafka-actors/supervision"
)

// fieldType is how a configuration value of one Go type is read (from a
// config file, where it may be typed, or as a string from the environment
// or a flag) and written back as text (info) and YAML (configs/karafka.yaml).
type fieldType struct {
	// decode parses raw for key k: its bounds (k.max) and allowed values
	// (k.enum) are checked here, its errors show the value (k.show).
	decode func(k key, raw any) (any, error)
	text   func(v any) string
	yaml   func(v any) string
}

// typed makes the fieldType of T from its typed functions; yaml nil: text.
func typed[T any](decode func(key, any) (T, error), text, yaml func(T) string) fieldType {
	if yaml == nil {
		yaml = text
	}
	return fieldType{
		decode: func(k key, raw any) (any, error) { return decode(k, raw) },
		text:   func(v any) string { return text(v.(T)) },
		yaml:   func(v any) string { return yaml(v.(T)) },
	}
}

// fieldTypes are the types a key's field may have (what its ref points to).
var fieldTypes = map[reflect.Type]fieldType{
	reflect.TypeFor[string]():           typed(decodeString, func(v string) string { return v }, strconv.Quote),
	reflect.TypeFor[[]string]():         typed(decodeStrings, func(v []string) string { return strings.Join(v, ",") }, yamlList),
	reflect.TypeFor[bool]():             typed(decodeBool, strconv.FormatBool, nil),
	reflect.TypeFor[int]():              typed(decodeInt, strconv.Itoa, nil),
	reflect.TypeFor[float64]():          typed(decodeFloat, func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }, nil),
	reflect.TypeFor[time.Duration]():    typed(decodeDuration, time.Duration.String, nil),
	reflect.TypeFor[supervision.Kind](): typed(decodeKind, func(v supervision.Kind) string { return string(v) }, nil),
}

// field is k's field in s and its type.
func field(s *Settings, k key) (reflect.Value, fieldType) {
	p := reflect.ValueOf(k.ref(s)).Elem()
	t, ok := fieldTypes[p.Type()]
	if !ok {
		panic(fmt.Sprintf("cli: config key %s: no fieldType for %s", k.name, p.Type()))
	}
	return p, t
}

// assign parses raw (a file value, or a string from env or flags) into k's
// field. Its errors show the value, except a secret key's (see key.show).
func assign(s *Settings, k key, raw any) error {
	p, t := field(s, k)
	v, err := t.decode(k, raw)
	if err != nil {
		return err
	}
	p.Set(reflect.ValueOf(v))
	return nil
}

// value returns k's current value as text.
func value(s *Settings, k key) string {
	p, t := field(s, k)
	return t.text(p.Interface())
}

// yamlValue returns k's current value as YAML.
func yamlValue(s *Settings, k key) string {
	p, t := field(s, k)
	return t.yaml(p.Interface())
}

// show is a value as errors about k print it: quoted if a string, not at
// all if k is secret.
func (k key) show(v any) string {
	if k.secret {
		return "the value (not shown: secret)"
	}
	if str, ok := v.(string); ok {
		return strconv.Quote(str)
	}
	return fmt.Sprint(v)
}

// allowed is the error of a value outside k.enum.
func (k key) allowed(v string) error {
	return fmt.Errorf("%s is not allowed (allowed: %s)", k.show(v), strings.Join(k.enum, ", "))
}

func yamlList(v []string) string {
	q := make([]string, len(v))
	for i, e := range v {
		q[i] = strconv.Quote(e)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func decodeString(k key, raw any) (string, error) {
	v, ok := raw.(string)
	if !ok {
		return "", fmt.Errorf("%s is not a string", k.show(raw))
	}
	if len(k.enum) > 0 && !slices.Contains(k.enum, v) {
		return "", k.allowed(v)
	}
	return v, nil
}

// decodeStrings reads a list, or a comma-separated string (env, flags).
func decodeStrings(k key, raw any) ([]string, error) {
	var out []string
	switch v := raw.(type) {
	case string:
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	case []any:
		for _, e := range v {
			str, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("element %s is not a string (want a list of strings or a comma-separated string)", k.show(e))
			}
			out = append(out, str)
		}
	case []string:
		out = v
	default:
		return nil, fmt.Errorf("%s is not a list (want a list of strings or a comma-separated string)", k.show(raw))
	}
	return out, nil
}

func decodeBool(k key, raw any) (bool, error) {
	switch v := raw.(type) {
	case bool:
		return v, nil
	case string:
		if b, err := strconv.ParseBool(v); err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("%s is not a boolean (allowed: true, false)", k.show(raw))
}

func decodeInt(k key, raw any) (int, error) {
	m, bounded := k.max.(int)
	var n int
	switch v := raw.(type) {
	case int:
		n = v
	case int64:
		n = int(v)
	case float64:
		// Compared before the conversion, which is undefined past the int
		// range (YAML reads 99999999999999999999 as 1e+20).
		if bounded && v > float64(m) {
			return 0, fmt.Errorf("%s is above the maximum %d", k.show(v), m)
		}
		if math.IsNaN(v) || v < math.MinInt64 || v != float64(int(v)) {
			return 0, fmt.Errorf("%s is not an integer", k.show(v))
		}
		n = int(v)
	case string:
		var err error
		n, err = strconv.Atoi(strings.TrimSpace(v))
		if bounded && errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(strings.TrimSpace(v), "-") {
			return 0, fmt.Errorf("%s is above the maximum %d", k.show(v), m)
		}
		if err != nil {
			return 0, fmt.Errorf("%s is not an integer", k.show(v))
		}
	default:
		return 0, fmt.Errorf("%s is not an integer", k.show(raw))
	}
	if bounded && n > m {
		return 0, fmt.Errorf("%s is above the maximum %d", k.show(n), m)
	}
	return n, nil
}

// decodeFloat refuses NaN, not each Validate: no key means anything by it,
// and an unused key (the backoff of another supervision strategy) is not
// validated.
func decodeFloat(k key, raw any) (float64, error) {
	var f float64
	switch v := raw.(type) {
	case float64:
		f = v
	case int:
		f = float64(v)
	case int64:
		f = float64(v)
	case string:
		var err error
		f, err = strconv.ParseFloat(strings.TrimSpace(v), 64)
		if errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0) {
			err = nil // past float64: ±Inf, refused below when above max
		}
		if err != nil {
			return 0, fmt.Errorf("%s is not a number", k.show(v))
		}
	default:
		return 0, fmt.Errorf("%s is not a number", k.show(raw))
	}
	if math.IsNaN(f) {
		return 0, fmt.Errorf("%s is not a number", k.show(raw))
	}
	if m, ok := k.max.(float64); ok && f > m {
		return 0, fmt.Errorf("%s is above the maximum %v", k.show(f), m)
	}
	return f, nil
}

func decodeDuration(k key, raw any) (time.Duration, error) {
	const want = "is not a duration (want a Go duration string such as \"30s\", \"250ms\", \"1m\")"
	str, ok := raw.(string)
	if !ok {
		return 0, fmt.Errorf("%s %s", k.show(raw), want)
	}
	d, err := time.ParseDuration(strings.TrimSpace(str))
	if err != nil {
		return 0, fmt.Errorf("%s %s", k.show(str), want)
	}
	if m, ok := k.max.(time.Duration); ok && d > m {
		return 0, fmt.Errorf("%s is above the maximum %v", k.show(d), m)
	}
	return d, nil
}

func decodeKind(k key, raw any) (supervision.Kind, error) {
	str, ok := raw.(string)
	if !ok {
		return "", fmt.Errorf("%s is not a string (allowed: %s)", k.show(raw), strings.Join(k.enum, ", "))
	}
	kind, err := supervision.ParseKind(str)
	if err != nil {
		return "", k.allowed(str)
	}
	return kind, nil
}
