package topology

import "github.com/karafka-actors/karafka-actors/responders"

// typeName is how a responder is shown (responders.Name), or "responder"
// for an unnamed one.
func typeName(r responders.Responder) string {
	if name := responders.Name(r); name != "" {
		return name
	}
	return "responder"
}
