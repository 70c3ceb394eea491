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
