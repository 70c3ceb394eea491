package topology

import "fmt"

// Guarantee is how a route's messages are processed: how often a message's
// responses and dead letter can be written for one consumed message.
type Guarantee string

const (
	// GuaranteeDefault takes the application's processing.guarantee.
	GuaranteeDefault Guarantee = ""
	// AtLeastOnce writes a message's responses, then commits its offset:
	// after a crash or a rebalance they may be written again.
	AtLeastOnce Guarantee = "at_least_once"
	// ExactlyOnce writes a message's responses, its dead letter and its
	// offset in one Kafka transaction: a read_committed reader sees them
	// exactly once (docs/exactly-once.md).
	ExactlyOnce Guarantee = "exactly_once"
)

// Valid reports whether g is one of the guarantees (GuaranteeDefault included).
func (g Guarantee) Valid() bool {
	return g == GuaranteeDefault || g == AtLeastOnce || g == ExactlyOnce
}

// ParseGuarantee parses "at_least_once" or "exactly_once".
func ParseGuarantee(s string) (Guarantee, error) {
	g := Guarantee(s)
	if g == GuaranteeDefault || !g.Valid() {
		return "", fmt.Errorf("%q (allowed: at_least_once, exactly_once)", s)
	}
	return g, nil
}
