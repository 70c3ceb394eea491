package schemas

import (
	"bytes"
	"encoding/json"
	"math"
)

// MarshalJSON is v, a generic form (Registry.Decode, Params.Value of a
// schema route), as JSON: bytes in base64, and the floats JSON has no
// number for as the strings protojson reads for them ("NaN", "Infinity",
// "-Infinity"), so that what `consume --schema` prints `produce --schema`
// can send again. HTML characters are not escaped.
func MarshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(finite(v)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

// finite is v with every non-finite float replaced by its protojson text,
// maps and slices copied where they hold one.
func finite(v any) any {
	switch x := v.(type) {
	case float64:
		return floatText(x)
	case float32:
		return floatText(float64(x))
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = finite(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = finite(e)
		}
		return out
	}
	return v
}

func floatText(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}
