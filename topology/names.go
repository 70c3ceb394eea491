package topology

import "github.com/karafka-actors/karafka-actors/internal/typename"

// typeName is a responder's Go type name without package or pointer, or
// "responder" for an unnamed one.
func typeName(v any) string {
	if name := typename.Of(v); name != "" {
		return name
	}
	return "responder"
}
