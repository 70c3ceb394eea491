package topology

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// SortedByTopic returns a copy of routes sorted by topic, the order every
// printed view (flow, graph, routes) uses.
func SortedByTopic(routes []Resolved) []Resolved {
	sorted := slices.Clone(routes)
	slices.SortFunc(sorted, func(a, b Resolved) int { return strings.Compare(a.Topic, b.Topic) })
	return sorted
}

// WriteFlow writes Karafka 0.5's `karafka flow` text, byte for byte: routes
// sorted by topic; a route with responder topics prints "<topic> =>" and a
// line per topic in declaration order, padded as printf("%-25s %s\n"); a
// route without prints "<topic> => (nothing)".
func WriteFlow(w io.Writer, routes []Resolved) error {
	bw := bufio.NewWriter(w)
	for _, r := range SortedByTopic(routes) {
		if len(r.ResponderTopics) == 0 {
			fmt.Fprintf(bw, "%s => (nothing)\n", r.Topic)
			continue
		}
		fmt.Fprintf(bw, "%s =>\n", r.Topic)
		for _, t := range r.ResponderTopics {
			u := usage(t.Required, t.MultipleUsage)
			if t.Schema != nil {
				u += ", " + t.Schema.Describe(t.Name)
			}
			fmt.Fprintf(bw, "%-25s %s\n", "  - "+t.Name+":", "("+u+")")
		}
	}
	return bw.Flush()
}
