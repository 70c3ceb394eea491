package cli

import (
	"strings"

	"github.com/karafka-actors/karafka-actors/supervision"
)

// strategyEnum lists the supervision strategies.
var strategyEnum = func() []string {
	out := make([]string, len(supervision.Kinds))
	for i, k := range supervision.Kinds {
		out[i] = string(k)
	}
	return out
}()

var strategyNames = strings.Join(strategyEnum, ", ")

// kindValue sets a supervision.Kind from text, refusing unknown names.
type kindValue struct{ k *supervision.Kind }

func (v kindValue) Set(s string) error {
	k, err := supervision.ParseKind(s)
	if err != nil {
		return err
	}
	*v.k = k
	return nil
}

func (v kindValue) String() string { return string(*v.k) }

func strategyRef(c *supervision.Config) any { return kindValue{&c.Strategy} }
