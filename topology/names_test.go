package topology_test

import (
	"testing"

	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/topology"
)

// A responders.Func shows as such, or by the name NamedFunc gives it
// (rough edge 11 of issue 18: it showed as funcResponder).
func TestResolve_funcResponderNames(t *testing.T) {
	topics := []responders.Topic{responders.Required("out")}
	for want, f := range map[string]responders.Factory{
		"responders.Func":  func() responders.Responder { return responders.Func(topics, nil) },
		"PremiumResponder": func() responders.Responder { return responders.NamedFunc("PremiumResponder", topics, nil) },
	} {
		got, err := topology.Resolve([]topology.Route{{Topic: "in", Controller: ctrl, Responder: f}}, defaults())
		if err != nil {
			t.Fatal(err)
		}
		if got[0].ResponderName != want {
			t.Errorf("responder shown as %q, want %q", got[0].ResponderName, want)
		}
	}
}
